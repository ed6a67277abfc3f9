"""ART (Architecture for REDD+ Transactions) registry: TREES issuances and retirements of jurisdictional
programs, FCPF Carbon Fund programs included."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from bridge.registry.errors import RegistryErrorCode
from bridge.registry.imports import cells
from bridge.registry.imports.formats import labels
from bridge.registry.imports.formats.base import ProgramDefaults, declared, project_columns, project_of
from bridge.registry.imports.formats.records import RowRecords, defaults, retirement, source_fields
from bridge.registry.imports.table import Row

PROGRAM: Final = ProgramDefaults("ART")
STANDARD: Final = "Crediting Program and Standard"
PROJECT: Final = project_columns("art")


def _project(row: Row, **more: Any) -> dict[str, Any]:
    return project_of(row, "ART", PROJECT, **more)


def _issuance(row: Row, quantity: int, mapped: frozenset[str]) -> tuple[dict[str, Any], int]:
    year = cells.whole(row, "Vintage", required=True) or 0
    issuance = defaults(
        {
            "quantity": quantity,
            "vintage_start": date(year, 1, 1),
            "vintage_end": date(year, 12, 31),
            "issued_on": cells.day(row, "Date Approved"),
            "ccp_approved": cells.flag(row, "CCP Approved"),
            "source_fields": source_fields(row, mapped),
        }
    )
    return issuance, year


def read_issuance(row: Row) -> RowRecords:
    developer = cells.text(row, "Sovereign Program Developer")
    total = cells.tonnes(row, "Total Emission Reductions/Removals", PROGRAM.unit_decimals) or 0
    buffer = cells.tonnes(row, "Credits Deposited in Buffer", PROGRAM.unit_decimals, required=False) or 0
    verified = cells.tonnes(row, "Credits Verified", PROGRAM.unit_decimals, required=False)
    if verified is not None and verified != total - buffer:
        why = f"is not the {total - buffer} the total less the buffer makes"
        raise cells.refuse(row, "Credits Verified", why, RegistryErrorCode.QUANTITY_INVALID)
    project = _project(row, proponent=developer)
    if total == 0:
        return RowRecords(project=project)
    issuance, year = _issuance(row, total, ISSUANCES.mapped)
    tag = "FCPF" if row.text(STANDARD).upper().startswith("FCPF") else "ART"
    issuance |= defaults(
        {
            "buffer_quantity": buffer,
            "verification_body": cells.text(row, "Verification Body"),
            "program_fields": {"vintage": str(year), "art_tag": tag},
            **labels.corsia_by_vintage(row, "CORSIA Eligible", year),
        }
    )
    return RowRecords(project=project, issuance=issuance, holder=developer, units=total)


PILOT: Final = "Eligible for CORSIA 2021-2023 Compliance Period (Pilot Phase)"
FIRST: Final = "Eligible for CORSIA 2024-2026 Compliance Period (First Phase)"


def read_retirement(row: Row) -> RowRecords:
    quantity = cells.tonnes(row, "Quantity of Credits", PROGRAM.unit_decimals) or 0
    serial = cells.text(row, "Credit Serial Numbers", required=True) or ""
    issuance, _ = _issuance(row, quantity, RETIREMENTS.mapped)
    issuance |= {"serial": serial, **labels.corsia_phases(row, PILOT, FIRST)}
    holder = cells.text(row, "Account Holder")
    action = retirement(
        serial,
        beneficiary=cells.text(row, "Retired on Behalf of") or holder,
        reason=cells.text(row, "Retirement Reason"),
        details=cells.text(row, "Purpose of Retirement"),
        when=cells.moment(row, "Status Effective", required=True),
    )
    return RowRecords(project=_project(row), issuance=issuance, holder=holder, action=action, units=quantity)


ISSUANCES: Final = declared("art-issuances", PROGRAM, read_issuance)
RETIREMENTS: Final = declared("art-retirements", PROGRAM, read_retirement)
