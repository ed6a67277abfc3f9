"""What every export format declares: its columns (``Column``: what each becomes, and which request field it
fills, so a refusal names the column), the few columns that identify it (``signature``), the column whose sum
is the units it carries (``quantity_column``) and ``read``: one row -> ``RowRecords`` (``records``). Every
other column (the known ones are ``kept_as_text``; any a registry adds later too) is kept as text in
``source_fields``: nothing in a row is dropped. What tells the exports apart is data: ``exports.toml``.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bridge.registry.imports import cells
from bridge.registry.imports.formats.records import RowRecords
from bridge.registry.imports.table import Row
from bridge.registry.serials import PROGRAMS

MAX_METHODOLOGY_ID: Final = 64
UNSPECIFIED: Final = "unspecified"
"""What a required text field reads when the export does not give it (a methodology, a sectoral scope)."""


@dataclass(frozen=True)
class Column:
    """One column of an export: what it becomes, and the request field it fills (for refusals)."""

    name: str
    becomes: str
    field: str | None = None


@dataclass(frozen=True)
class ProgramDefaults:
    """How the importer registers a program that the registry does not have yet."""

    code: str
    category: str = "independent"
    ccp_eligible: bool = True
    corsia_phases: tuple[str, ...] = ("pilot", "first")

    @property
    def unit_decimals(self) -> int:
        return PROGRAMS[self.code].unit_decimals

    def create_fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "category": self.category,
            "ccp_eligible": self.ccp_eligible,
            "corsia_phases": list(self.corsia_phases),
        }


@dataclass(frozen=True)
class ExportFormat:
    name: str
    registry: str
    program: ProgramDefaults
    columns: tuple[Column, ...]
    signature: frozenset[str]
    read: Callable[[Row], RowRecords]
    quantity_column: str | None = None
    description: str = ""
    kept_as_text: tuple[str, ...] = ()
    """The export's other columns, known to hold nothing a field holds: kept as text in ``source_fields``."""

    @property
    def mapped(self) -> frozenset[str]:
        return frozenset(column.name for column in self.columns)

    def column_of(self, field: str | None) -> str | None:
        """The export column that fills request field ``field`` (``field`` itself when none does)."""
        if field is None:
            return None
        name = field.split(".", 1)[0]
        for column in self.columns:
            if column.field == name:
                return column.name
        return field

    @property
    def default_holder(self) -> str:
        """The owner of the account that receives units a row names no holder for."""
        return f"{PROGRAMS[self.program.code].registry} (imported)"


EXPORTS: Final = tomllib.loads(Path(__file__).with_name("exports.toml").read_text(encoding="utf-8"))
"""What tells each export apart, its columns, and the columns it keeps as text, as data (``exports.toml``)."""


def declared(name: str, program: ProgramDefaults, read: Callable[[Row], RowRecords]) -> ExportFormat:
    """The export format ``name`` (``acr-issuances``: registry ``acr``, export ``issuances`` in ``exports.toml``),
    with the reader its module declares."""
    prefix, kind = name.split("-", 1)
    export = EXPORTS[prefix][kind]
    return ExportFormat(
        name=name,
        registry=EXPORTS[prefix]["registry"],
        program=program,
        columns=_columns(prefix, export["columns"]),
        signature=frozenset(export["signature"]),
        read=read,
        quantity_column=export.get("quantity_column"),
        description=export["description"],
        kept_as_text=tuple(export.get("kept_as_text", ())),
    )


def _columns(prefix: str, groups: list[str]) -> tuple[Column, ...]:
    """The registry's project columns (if it declares them), then its column ``groups`` in order."""
    registry = EXPORTS[prefix]
    project = project_columns(prefix).declared(**registry.get("project_notes", {})) if "project" in registry else ()
    return (*project, *(Column(*column) for group in groups for column in registry["columns"][group]))


def project_columns(prefix: str) -> ProjectColumns:
    """The columns of registry ``prefix``'s exports that name a project and hold its common fields."""
    return ProjectColumns(**EXPORTS[prefix]["project"])


def methodology_id(name: str | None) -> str:
    """The short id of a methodology the export names: its name when it fits 64 characters, else its first
    words and a digest of the whole name (``ARB Compliance Offset Protocol: ...~1a2b3c4d``), so a class token
    can carry it and it still tells methodologies apart."""
    if not name:
        return UNSPECIFIED
    if len(name) <= MAX_METHODOLOGY_ID:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_METHODOLOGY_ID - 10].rstrip()}~{digest}"


def label_text(text: str | None, limit: int) -> str | None:
    """Text for a field of at most ``limit`` characters, cut (saying so) when longer."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def project_fields(
    program: str,
    project_id: str,
    *,
    name: str | None,
    country: str,
    methodology: str | None = None,
    category: str | None = None,
    sector: str | None = None,
    scope: str | None = None,
    mitigation_type: str = "reduction",
    **more: Any,
) -> dict[str, Any]:
    """``ProjectCreate`` fields from what an export gives, with the registry's placeholders where it gives
    nothing (a project named by its id, an unspecified methodology or scope)."""
    fields = {
        "program": program,
        "project_id": project_id,
        "name": label_text(name, 300) or f"{program} project {project_id}",
        "methodology_id": methodology_id(methodology),
        "methodology": label_text(methodology, 300),
        "methodology_category": label_text(category or sector, 300) or UNSPECIFIED,
        "sector": label_text(sector or category, 300) or UNSPECIFIED,
        "sectoral_scope": scope or UNSPECIFIED,
        "host_country": country,
        "mitigation_type": mitigation_type,
    }
    fields.update({key: value for key, value in more.items() if value is not None})
    return fields


@dataclass(frozen=True)
class ProjectColumns:
    """Which of an export's columns name a project and hold its common fields (None: the export has none)."""

    project_id: str
    name: str
    country: str
    methodology: str | None = None
    project_type: str | None = None
    version: str | None = None
    location: str | None = None
    state: str | None = None

    def declared(self, **notes: str) -> tuple[Column, ...]:
        """These columns as a format declares them (``notes``: what a column becomes, where it says more)."""
        described = (
            ("project_id", "project id", "project_id"),
            ("name", "project name", "name"),
            ("country", "host country (ISO-2, from a code or a name)", "host_country"),
            ("methodology", "methodology (its id: the name, or its start and a digest)", "methodology_id"),
            ("project_type", "methodology category and sector", "methodology_category"),
            ("version", "methodology version", "methodology_version"),
            ("location", "site location", "site_location"),
            ("state", "site state", "site_state"),
        )
        return tuple(
            Column(getattr(self, attribute), notes.get(attribute, becomes), field)
            for attribute, becomes, field in described
            if getattr(self, attribute) is not None
        )


def project_of(
    row: Row, program: str, columns: ProjectColumns, *, category: str | None = None, **more: Any
) -> dict[str, Any]:
    """``ProjectCreate`` fields from ``row``: the common ones its ``columns`` hold (the project type is its
    methodology category, unless ``category`` is given, and its sector), and ``more``."""

    def cell(column: str | None) -> str | None:
        return None if column is None else cells.text(row, column)

    project_type = cell(columns.project_type)
    return project_fields(
        program,
        cells.identifier(row, columns.project_id, required=True) or "",
        name=cell(columns.name),
        country=cells.country(row, columns.country),
        methodology=cell(columns.methodology),
        category=category or project_type,
        sector=project_type,
        methodology_version=cell(columns.version),
        site_location=cell(columns.location),
        site_state=cell(columns.state),
        **more,
    )
