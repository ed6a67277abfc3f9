"""Verra: the project list and the VCU issuance/retirement list ("transactions") of the Verra Registry."""

from __future__ import annotations

from typing import Any, Final

from bridge.registry import serials
from bridge.registry.errors import RegistryError
from bridge.registry.imports import cells
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_fields
from bridge.registry.imports.formats.records import NOT_PUBLISHED, RowRecords, defaults, retirement, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("VCS")
SECTORAL_SCOPES: Final = {
    "energy industries (renewable/non-renewable sources)": "1",
    "energy distribution": "2",
    "energy demand": "3",
    "manufacturing industries": "4",
    "chemical industry": "5",
    "construction": "6",
    "transport": "7",
    "mining/mineral production": "8",
    "metal production": "9",
    "fugitive emissions from fuels (solid, oil and gas)": "10",
    "fugitive emissions from industrial gases (halocarbons and sulphur hexafluoride)": "11",
    "solvent use": "12",
    "waste handling and disposal": "13",
    "agriculture forestry and other land use": "14",
    "livestock, enteric fermentation, and manure management": "15",
    "carbon capture and storage": "16",
}
"""Verra's project types are its sectoral scopes, by name (a project of several types takes the first)."""


def scope_of(project_type: str | None) -> str | None:
    if not project_type:
        return None
    return SECTORAL_SCOPES.get(project_type.split(";")[0].strip().lower())


def _project(row: Row, *, category: str | None = None, scope: str | None = None) -> dict[str, Any]:
    """The project fields both exports give, by the same columns (its project type is the sector, the category
    unless ``category`` is given, and the scope unless ``scope`` is)."""
    project_type = cells.text(row, "Project Type")
    return project_fields(
        "VCS",
        cells.identifier(row, "ID", required=True) or "",
        name=cells.text(row, "Name"),
        country=cells.country(row, "Country/Area"),
        methodology=cells.text(row, "Methodology"),
        category=category or project_type,
        sector=project_type,
        scope=scope or scope_of(project_type),
    )


def read_project(row: Row) -> RowRecords:
    fields = _project(row, category=cells.text(row, "AFOLU Activities")) | defaults(
        {
            "proponent": cells.text(row, "Proponent"),
            "status": cells.text(row, "Status"),
            "crediting_period_start": cells.day(row, "Crediting Period Start Date"),
            "crediting_period_end": cells.day(row, "Crediting Period End Date"),
            "source_fields": source_fields(row, PROJECTS.mapped),
        }
    )
    return RowRecords(project=fields)


def read_transaction(row: Row) -> RowRecords:
    serial = cells.text(row, "Serial Number", required=True) or ""
    try:
        parsed = serials.parse(serial, "VCS")
        scope = str(parsed.sectoral_scope) if isinstance(parsed, serials.VerraSerial) else None
    except RegistryError:
        scope = None  # the issuance refuses the serial, naming its column
    certifications = [c.strip() for c in (cells.text(row, "Additional Certifications") or "").split(";") if c.strip()]
    project = _project(row, scope=scope) | defaults(
        {"sdg_goals": cells.sdgs(row, "Sustainable Development Goals"), "additional_certifications": certifications}
    )
    quantity = cells.tonnes(row, "Quantity Issued", PROGRAM.unit_decimals) or 0
    issuance = defaults(
        {
            "quantity": quantity,
            "serial": serial,
            "vintage_start": cells.day(row, "Vintage Start", required=True),
            "vintage_end": cells.day(row, "Vintage End", required=True),
            "issued_on": cells.day(row, "Issuance Date"),
            "source_fields": source_fields(row, TRANSACTIONS.mapped),
        }
    )
    action = None
    retired_at = cells.moment(row, "Retirement/Cancellation Date")
    if retired_at is not None:
        action = retirement(
            serial,
            beneficiary=cells.text(row, "Retirement Beneficiary"),
            reason=cells.text(row, "Retirement Reason")
            or f"{NOT_PUBLISHED} (the export does not say whether the units were retired or cancelled)",
            details=cells.text(row, "Retirement Details"),
            when=retired_at,
        )
    return RowRecords(project=project, issuance=issuance, action=action, units=quantity)


PROJECTS: Final = declared("verra-projects", PROGRAM, read_project)
TRANSACTIONS: Final = declared("verra-transactions", PROGRAM, read_transaction)
