"""What reading one row of a registry's export gives the importer: the records (a project, maybe an
issuance, maybe what happened to its units after), and the row's other cells kept as text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from bridge.registry.imports.table import Row

MAX_SOURCE_TEXT: Final = 4000
"""The longest text kept per source field; longer text is cut, saying so."""
MAX_SOURCE_FIELDS: Final = 60
NOT_PUBLISHED: Final = "Not published"
"""A retirement's beneficiary or reason when the export gives none."""


@dataclass(frozen=True)
class Action:
    """What happened to a row's units after issuance: ``retire``, ``cancel`` or ``move_to_buffer`` them,
    named by ``serial`` (with the operation's own fields)."""

    operation: Literal["retire", "cancel", "move_to_buffer"]
    serial: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RowRecords:
    """What one row says: ``project`` (``ProjectCreate`` fields), ``issuance`` (``IssueRequest`` fields
    but program, project and account) issued to ``holder`` (an account owner's name; None: the registry's
    import account), ``action`` on those units, and ``units``: the row's quantity column in the program's
    units (0: it carries none)."""

    project: dict[str, Any]
    issuance: dict[str, Any] | None = None
    holder: str | None = None
    action: Action | None = None
    units: int = 0


def retirement(
    serial: str, *, beneficiary: str | None, reason: str | None, details: str | None, when: datetime | None
) -> Action:
    """A retirement of ``serial`` as an export records it ("Not published" where it names nobody or no reason)."""
    fields = {"beneficiary": beneficiary or NOT_PUBLISHED, "reason": reason or NOT_PUBLISHED, "details": details}
    return Action("retire", serial, defaults({**fields, "retired_at": when}))


def source_fields(row: Row, mapped: frozenset[str]) -> dict[str, str]:
    """The row's cells no field holds, as text (long text cut, saying so); cells past the header too."""
    kept = {column: value.strip() for column, value in row.cells.items() if column not in mapped and value.strip()}
    if row.overflow:
        kept["(cells past the header)"] = " | ".join(cell.strip() for cell in row.overflow)
    cut = {name: _cut(value) for name, value in list(kept.items())[:MAX_SOURCE_FIELDS]}
    return cut


def _cut(text: str) -> str:
    if len(text) <= MAX_SOURCE_TEXT:
        return text
    marker = f" [cut: {len(text)} characters]"
    return text[: MAX_SOURCE_TEXT - len(marker)] + marker


def defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without the entries that are None (the request's defaults stand for them)."""
    return {key: value for key, value in values.items() if value is not None}
