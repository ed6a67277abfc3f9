"""Climate Action Reserve: issuances and retirements of its registry."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from bridge.registry.countries import subdivision_code
from bridge.registry.imports import cells
from bridge.registry.imports.formats import labels
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_columns, project_of
from bridge.registry.imports.formats.records import RowRecords, defaults, retirement, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("CAR")
PROJECT: Final = project_columns("car")
PILOT: Final = "Eligible for CORSIA 2021-2023 Compliance Period"
FIRST: Final = "Eligible for CORSIA 2024-2026 Compliance Period"


def _project(row: Row, **more: Any) -> dict[str, Any]:
    return project_of(
        row,
        "CAR",
        PROJECT,
        additional_certifications=[
            name.strip() for name in (cells.text(row, "Additional Certification(s)") or "").split(";") if name.strip()
        ],
        **more,
    )


def _issuance(row: Row, quantity: int, mapped: frozenset[str]) -> dict[str, Any]:
    year = cells.whole(row, "Vintage", required=True) or 0
    reversible = cells.text(row, "Reversible/Non-Reversible")
    if reversible is not None and reversible.lower() not in ("reversible", "non-reversible"):
        raise cells.refuse(row, "Reversible/Non-Reversible", "is neither Reversible nor Non-Reversible")
    return defaults(
        {
            "quantity": quantity,
            "vintage_start": date(year, 1, 1),
            "vintage_end": date(year, 12, 31),
            "ccp_approved": cells.flag(row, "CCP Approved"),
            "mitigation_type": labels.mitigation(row, "Reduction/Removal"),
            "reversible": None if reversible is None else ("yes" if reversible.lower() == "reversible" else "no"),
            **labels.corsia_phases(row, PILOT, FIRST),
            **labels.corresponding_adjustment(row, "Corresponding Adjustment"),
            "source_fields": source_fields(row, mapped),
        }
    )


def read_issuance(row: Row) -> RowRecords:
    developer = cells.text(row, "Project Developer")
    project = _project(row, proponent=developer)
    total = cells.tonnes(row, "Total Offset Credits Issued", PROGRAM.unit_decimals, required=False) or 0
    if total == 0:
        return RowRecords(project=project)
    issuance = _issuance(row, total, ISSUANCES.mapped)
    state = subdivision_code(row.text("Project Site State"), project["host_country"])
    buffer = cells.tonnes(row, "Offset Credits Currently in Reserve Buffer Pool", PROGRAM.unit_decimals, required=False)
    issuance |= defaults(
        {
            "issued_on": cells.day(row, "Date Issued"),
            "buffer_quantity": buffer,
            "arb_eligible": cells.eligibility(row, "ARB Eligible"),
            "ecology_eligible": cells.eligibility(row, "WA ECO Eligible"),
            "verification_body": cells.text(row, "Verification Body"),
            "program_fields": defaults({"vintage": str(issuance["vintage_start"].year), "state": state}),
        }
    )
    return RowRecords(project=project, issuance=issuance, holder=developer, units=total)


def read_retirement(row: Row) -> RowRecords:
    quantity = cells.tonnes(row, "Quantity of Offset Credits", PROGRAM.unit_decimals) or 0
    serial = cells.text(row, "Offset Credit Serial Numbers", required=True) or ""
    retired_at = cells.moment(row, "Status Effective", required=True)
    assert retired_at is not None
    issuance = _issuance(row, quantity, RETIREMENTS.mapped) | {"serial": serial, "issued_on": retired_at.date()}
    holder = cells.text(row, "Account Holder")
    action = retirement(
        serial,
        beneficiary=holder,
        reason=cells.text(row, "Retirement Reason"),
        details=cells.text(row, "Retirement Reason Details"),
        when=retired_at,
    )
    return RowRecords(project=_project(row), issuance=issuance, holder=holder, action=action, units=quantity)


ISSUANCES: Final = declared("car-issuances", PROGRAM, read_issuance)
RETIREMENTS: Final = declared("car-retirements", PROGRAM, read_retirement)
