"""Climate Action Reserve: issuances and retirements of its registry."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from bridge.registry.countries import subdivision_code
from bridge.registry.imports import cells
from bridge.registry.imports.formats import labels
from bridge.registry.imports.formats.base import Column, ProgramDefaults, ProjectColumns, declared, project_of
from bridge.registry.imports.formats.records import RowRecords, defaults, retirement, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("CAR")
PROJECT: Final = ProjectColumns(
    project_id="Project ID",
    name="Project Name",
    country="Project Site Country",
    methodology="Protocol and Version",
    project_type="Project Type",
    location="Project Site Location",
    state="Project Site State",
)
PILOT: Final = "Eligible for CORSIA 2021-2023 Compliance Period"
FIRST: Final = "Eligible for CORSIA 2024-2026 Compliance Period"

_COMMON: Final = (
    *PROJECT.declared(),
    Column("Reduction/Removal", "removal or reduction", "mitigation_type"),
    Column("Reversible/Non-Reversible", "reversible (yes/no/blank)", "reversible"),
    Column(PILOT, "CORSIA pilot phase", "corsia_pilot"),
    Column(FIRST, "CORSIA first phase", "corsia_first_phase"),
    Column("Corresponding Adjustment", "corresponding adjustment (Yes: completed; No: not required)", None),
    Column("CCP Approved", "CCP-approved (blank: no)", "ccp_approved"),
    Column("Vintage", "the vintage year: vintage Jan 1 - Dec 31", "vintage_start"),
    Column("Additional Certification(s)", "the project's additional certifications", "additional_certifications"),
)


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


ISSUANCE_COLUMNS: Final = (
    *_COMMON,
    Column("Project Developer", "proponent; the account the units are issued to", "proponent"),
    Column("Date Issued", "issued on", "issued_on"),
    Column("Total Offset Credits Issued", "the issuance's quantity (0: the row names the project only)", "quantity"),
    Column("Offset Credits Currently in Reserve Buffer Pool", "buffer deposit at issuance", "buffer_quantity"),
    Column("ARB Eligible", "ARB eligibility", "arb_eligible"),
    Column("WA ECO Eligible", "Washington Ecology eligibility", "ecology_eligible"),
    Column("Verification Body", "verification body", "verification_body"),
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


RETIREMENT_COLUMNS: Final = (
    *_COMMON,
    Column("Offset Credit Serial Numbers", "the block's serial, issued as printed", "serial"),
    Column("Quantity of Offset Credits", "the block's quantity", "quantity"),
    Column("Status Effective", "retired at (also issued on: the export gives no issuance date)", "retired_at"),
    Column(
        "Account Holder", "the account the units were in, and the beneficiary (the export names none)", "beneficiary"
    ),
    Column("Retirement Reason", "retirement reason", "reason"),
    Column("Retirement Reason Details", "retirement details", "details"),
)


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


ISSUANCES: Final = declared("car-issuances", PROGRAM, ISSUANCE_COLUMNS, read_issuance)
RETIREMENTS: Final = declared("car-retirements", PROGRAM, RETIREMENT_COLUMNS, read_retirement)
