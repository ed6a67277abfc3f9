"""ACR (American Carbon Registry): issuances, retirements and cancellations."""

from __future__ import annotations

from typing import Any, Final

from bridge.registry.imports import cells
from bridge.registry.imports.formats import labels
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_columns, project_of
from bridge.registry.imports.formats.records import (
    NOT_PUBLISHED,
    Action,
    RowRecords,
    defaults,
    retirement,
    source_fields,
)
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("ACR")
PROJECT: Final = project_columns("acr")


def _project(row: Row, **more: Any) -> dict[str, Any]:
    return project_of(row, "ACR", PROJECT, sdg_goals=cells.sdgs(row, "Sustainable Development Goal(s)"), **more)


def _labels(row: Row) -> dict[str, Any]:
    return {
        "ccp_approved": cells.flag(row, "CCP Approved"),
        "arb_eligible": cells.eligibility(row, "ARB Eligible"),
        "ecology_eligible": cells.eligibility(row, "Ecology Eligible"),
        "mitigation_type": labels.mitigation(row, "Verified Removal"),
    }


def read_issuance(row: Row) -> RowRecords:
    total = cells.tonnes(row, "Total Credits Issued", PROGRAM.unit_decimals) or 0
    buffer = sum(
        cells.tonnes(row, column, PROGRAM.unit_decimals, required=False) or 0
        for column in ("Credits Issued to Buffer Pool", "Credits Transferred to Buffer Pool")
    )
    developer = cells.text(row, "Project Developer")
    project = _project(
        row, proponent=developer, crediting_period_start=cells.day(row, "Project Crediting Period Start Date")
    )
    if total == 0:
        return RowRecords(project=project)
    vintage = cells.whole(row, "Vintage", required=True)
    issuance = defaults(
        {
            "quantity": total,
            "buffer_quantity": buffer,
            "vintage_start": cells.day(row, "ReportingPeriodBegin", required=True),
            "vintage_end": cells.day(row, "ReportingPeriodEnd", required=True),
            "issued_on": cells.day(row, "Date Issued (GMT)"),
            "program_fields": {"vintage": str(vintage)},
            "verification_body": cells.text(row, "Project VVB"),
            "source_fields": source_fields(row, ISSUANCES.mapped),
            **_labels(row),
        }
    )
    return RowRecords(project=project, issuance=issuance, holder=developer, units=total)


def _block(row: Row, mapped: frozenset[str]) -> tuple[dict[str, Any], int]:
    quantity = cells.tonnes(row, "Quantity of Credits", PROGRAM.unit_decimals) or 0
    issuance = defaults(
        {
            "quantity": quantity,
            "serial": cells.text(row, "Credit Serial Numbers", required=True),
            "vintage_start": cells.day(row, "Vintage Assignment Period Start Date", required=True),
            "vintage_end": cells.day(row, "Vintage Assignment Period End Date", required=True),
            "issued_on": cells.day(row, "Date Issued (GMT)"),
            "source_fields": source_fields(row, mapped),
            **_labels(row),
            **labels.corsia_phases(
                row,
                "Eligible for CORSIA 2021-2023 Compliance Period (Pilot Phase)",
                "Eligible for CORSIA 2024-2026 Compliance Period (First Phase)",
            ),
        }
    )
    return issuance, quantity


def read_retirement(row: Row) -> RowRecords:
    issuance, quantity = _block(row, RETIREMENTS.mapped)
    holder = cells.text(row, "Account Holder")
    action = retirement(
        issuance["serial"],
        beneficiary=cells.text(row, "Retired on Behalf of") or holder,
        reason=cells.text(row, "Retirement Reason"),
        details=cells.text(row, "Purpose of Retirement"),
        when=cells.moment(row, "Status Effective (GMT)", required=True),
    )
    return RowRecords(project=_project(row), issuance=issuance, holder=holder, action=action, units=quantity)


def read_cancellation(row: Row) -> RowRecords:
    issuance, quantity = _block(row, CANCELLATIONS.mapped)
    reason = " - ".join(
        part for part in (cells.text(row, "Cancellation Type"), cells.text(row, "Cancellation Details")) if part
    )
    fields = {
        "reason": reason or NOT_PUBLISHED,
        "cancelled_at": cells.moment(row, "Status Effective (GMT)", required=True),
    }
    action = Action("cancel", issuance["serial"], fields)
    return RowRecords(
        project=_project(row),
        issuance=issuance,
        holder=cells.text(row, "Account Holder"),
        action=action,
        units=quantity,
    )


ISSUANCES: Final = declared("acr-issuances", PROGRAM, read_issuance)
RETIREMENTS: Final = declared("acr-retirements", PROGRAM, read_retirement)
CANCELLATIONS: Final = declared("acr-cancellations", PROGRAM, read_cancellation)
