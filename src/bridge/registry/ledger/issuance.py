"""Handler of issuance: new units of a project's vintage, as one block in a holding account.

Unit numbers never overlap earlier issuances in the same numbering space: by default an issuance takes
the next free number; ``first_unit`` pins it (and is refused if it would overlap).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select

from bridge.registry import _blocks, serials
from bridge.registry._blocks import Tx, refuse
from bridge.registry._convert import block_public, issuance_public
from bridge.registry.enums import AccountKind, BlockStatus
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.models import Issuance, Program, Project, UnitBlock
from bridge.registry.requests import IssueRequest
from bridge.registry.schemas import IssuanceResult

_MAX_UNIT: Final = 10**15


def issue(tx: Tx, request: IssueRequest) -> IssuanceResult:
    """Issue ``quantity`` new units of a project's vintage as one block in holding account ``to_account``."""
    session = tx.session
    if session.get(Program, request.program) is None:
        raise refuse(RegistryErrorCode.UNKNOWN_PROGRAM, f"program {request.program} is not registered", field="program")
    project = session.scalars(
        select(Project).where(Project.program_code == request.program, Project.project_id == request.project_id)
    ).one_or_none()
    if project is None:
        raise refuse(
            RegistryErrorCode.UNKNOWN_PROJECT,
            f"project {request.program} {request.project_id} is not registered",
            field="project_id",
        )
    account = _blocks.destination(
        session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="issuance"
    )
    issuance_id = (session.scalar(select(func.max(Issuance.id))) or 0) + 1
    program_fields = {**_serial_defaults(project), **request.program_fields}
    probe = serials.make_serial(
        project.program_code,
        start=1,
        end=1,
        project_id=project.project_id,
        country=project.host_country,
        vintage_start=request.vintage_start,
        vintage_end=request.vintage_end,
        ledger_issuance_id=str(issuance_id),
        program_fields=program_fields,
    )
    unit_space = probe.unit_space
    if request.first_unit is None:
        highest = session.scalar(select(func.max(Issuance.unit_end)).where(Issuance.unit_space == unit_space))
        start = (highest or 0) + 1
    else:
        start = request.first_unit
    end = start + request.quantity - 1
    if end > _MAX_UNIT:
        raise refuse(
            RegistryErrorCode.QUANTITY_INVALID,
            f"unit numbers would run past {_MAX_UNIT}",
            field="first_unit" if request.first_unit is not None else "quantity",
        )
    clash = session.scalars(
        select(Issuance)
        .where(Issuance.unit_space == unit_space, Issuance.unit_start <= end, Issuance.unit_end >= start)
        .limit(1)
    ).first()
    if clash is not None:
        raise refuse(
            RegistryErrorCode.OVERLAPPING_BLOCK,
            f"units {start}-{end} of {unit_space} overlap issuance {clash.id} ({clash.serial})",
            field="first_unit",
            issuance_id=clash.id,
        )
    block_serial = probe.with_range(start, end)
    text = serials.format(block_serial)
    if session.scalar(select(Issuance.id).where(Issuance.serial == text)) is not None:
        raise refuse(RegistryErrorCode.OVERLAPPING_BLOCK, f"serial {text} exists already", field="program_fields")
    issuance = Issuance(
        id=issuance_id,
        project_id=project.id,
        vintage_start=request.vintage_start,
        vintage_end=request.vintage_end,
        issued_on=request.issued_on or tx.now.date(),
        quantity=request.quantity,
        unit_space=unit_space,
        unit_start=start,
        unit_end=end,
        serial=text,
        issuance_ref=block_serial.issuance_ref,
        issued_to_account_id=account.id,
        created_at=tx.now,
    )
    session.add(issuance)
    session.flush()
    block = UnitBlock(
        id=tx.next_block_id(),
        issuance_id=issuance_id,
        unit_space=unit_space,
        unit_start=start,
        unit_end=end,
        quantity=request.quantity,
        serial=text,
        status=BlockStatus.HELD,
        account_id=account.id,
        previous_account_id=None,
        frozen=False,
        freeze_reason=None,
        retirement_beneficiary=None,
        retirement_reason=None,
        retirement_details=None,
        retirement_settles=None,
        retired_at=None,
        cancellation_reason=None,
        cancelled_at=None,
        marketplace=None,
        marketplace_chain_id=None,
        marketplace_token_address=None,
        marketplace_batch_id=None,
        marketplace_link=None,
        created_at=tx.now,
        updated_at=tx.now,
    )
    session.add(block)
    return IssuanceResult(
        seq=tx.seq,
        recorded_at=tx.now,
        issuance=issuance_public(issuance, project),
        block=block_public(block),
    )


def _serial_defaults(project: Project) -> dict[str, str]:
    """Serial fields a program prints that the project already knows (callers may override them)."""
    if project.program_code == "VCS":
        defaults = {"additional_certification": "1" if project.additional_certifications else "0"}
        if project.sectoral_scope.isdecimal() and 1 <= int(project.sectoral_scope) <= 16:
            defaults["sectoral_scope"] = str(int(project.sectoral_scope))
        return defaults
    return {}
