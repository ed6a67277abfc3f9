"""Gold Standard Impact Registry: its project list, issuances and retirements."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from bridge.registry.enums import ActivityStructure
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.imports import cells
from bridge.registry.imports.formats import labels
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_columns, project_of
from bridge.registry.imports.formats.records import RowRecords, defaults, retirement, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("GS")
_STRUCTURES: Final = {
    "standalone": ActivityStructure.STANDALONE,
    "poa": ActivityStructure.PROGRAMME,
    "programme of activities": ActivityStructure.PROGRAMME,
    "vpa": ActivityStructure.ACTIVITY,
    "cpa": ActivityStructure.ACTIVITY,
}
_REMOVAL_TYPES: Final = ("a/r", "afforestation", "reforestation", "removal", "biochar")


def _structure(row: Row) -> dict[str, Any]:
    value = row.text("Programme of Activities").lower()
    if not value:
        return {}
    structure = _STRUCTURES.get(value)
    if structure is None:
        raise cells.refuse(row, "Programme of Activities", "is none of Standalone, PoA, VPA")
    poa = cells.identifier(row, "POA GSID") if structure is ActivityStructure.ACTIVITY else None
    return defaults({"activity_structure": structure, "poa_id": poa})


PROJECT: Final = project_columns("gs")


def _project(row: Row, developer: str, **more: Any) -> dict[str, Any]:
    removal = any(word in row.text("Project Type").lower() for word in _REMOVAL_TYPES)
    return project_of(
        row,
        "GS",
        PROJECT,
        proponent=cells.text(row, developer),
        mitigation_type="removal" if removal else "reduction",
        **_structure(row),
        **more,
    )


def read_project(row: Row) -> RowRecords:
    fields = _project(
        row,
        "Project Developer Name",
        status=cells.text(row, "Status"),
        sdg_goals=cells.sdgs(row, "Sustainable Development Goals"),
        source_fields=source_fields(row, PROJECTS.mapped),
    )
    return RowRecords(project=fields)


def _issuance(row: Row, mapped: frozenset[str]) -> tuple[dict[str, Any], int]:
    quantity = cells.tonnes(row, "Quantity", PROGRAM.unit_decimals) or 0
    year = cells.whole(row, "Vintage", required=False)
    start = cells.day(row, "Monitoring Period Start") or (date(year, 1, 1) if year else None)
    end = cells.day(row, "Monitoring Period End") or (date(year, 12, 31) if year else None)
    if start is None or end is None:
        raise cells.refuse(row, "Monitoring Period Start", "is empty, and so is Vintage", RegistryErrorCode.CELL_EMPTY)
    issuance = defaults(
        {
            "quantity": quantity,
            "serial": cells.text(row, "Serial Number", required=True),
            "vintage_start": start,
            "vintage_end": end,
            "issued_on": cells.day(row, "Issuance Date"),
            "mitigation_type": labels.mitigation(row, "Label"),
            "article6_authorization": labels.article6(row, "Article Six Authorization"),
            "source_fields": source_fields(row, mapped),
        }
    )
    return issuance, quantity


def read_issuance(row: Row) -> RowRecords:
    issuance, quantity = _issuance(row, ISSUANCES.mapped)
    return RowRecords(
        project=_project(row, "Project Developer"),
        issuance=issuance,
        holder=cells.text(row, "Project Developer"),
        units=quantity,
    )


def read_retirement(row: Row) -> RowRecords:
    issuance, quantity = _issuance(row, RETIREMENTS.mapped)
    developer = cells.text(row, "Project Developer")
    beneficiary = cells.text(row, "Using Entity") or cells.text(row, "Aeroplane Operator Name") or developer
    action = retirement(
        issuance["serial"],
        beneficiary=beneficiary,
        reason=cells.text(row, "Use Case"),
        details=cells.text(row, "Note"),
        when=cells.moment(row, "Retirement Date", required=True),
    )
    project = _project(row, "Project Developer")
    return RowRecords(project=project, issuance=issuance, holder=developer, action=action, units=quantity)


PROJECTS: Final = declared("gs-projects", PROGRAM, read_project)
ISSUANCES: Final = declared("gs-issuances", PROGRAM, read_issuance)
RETIREMENTS: Final = declared("gs-retirements", PROGRAM, read_retirement)
