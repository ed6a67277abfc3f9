"""Handler of issuance: new units of a project's vintage, as a block in a holding account (and, when part of
the issuance goes to the buffer pool at issuance, a second block in the registry's buffer account).

Unit numbers never overlap earlier issuances in the same numbering space. The serial is the one a registry
printed (``serial``: an import) or one the ledger makes (by default the next free unit number; ``first_unit``
pins it). The issuance records the labels in force for its credits: the project's, except those the request
overrides (``bridge.registry.labels``).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.registry import _blocks, labels, serials
from bridge.registry._blocks import Tx, get_program, refuse
from bridge.registry._convert import block_public, issuance_public
from bridge.registry.enums import AccountKind, BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.models import Issuance, Project, UnitBlock
from bridge.registry.requests import IssueRequest
from bridge.registry.schemas import IssuanceResult

_MAX_UNIT: Final = 10**15


def issue(tx: Tx, request: IssueRequest) -> IssuanceResult:
    """Issue ``quantity`` new units of a project's vintage into holding account ``to_account`` (the top
    ``buffer_quantity`` of them into the registry's buffer pool)."""
    session = tx.session
    program = get_program(session, request.program, field="program")
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
    in_force = labels.resolve(project, request)
    labels.check(
        in_force,
        ex_post=project.ex_post,
        ccp_eligible=program.ccp_eligible,
        corsia_phases=program.corsia_phases,
        program=program.code,
    )
    issuance_id = (session.scalar(select(func.max(Issuance.id))) or 0) + 1
    if request.serial is None:
        issued = _made_serial(session, request, project, issuance_id)
    else:
        issued = _given_serial(request, project)
    _check_free(session, issued, request)
    # the issuance's serial: the block's, or a batch program's bare batch id (how its registry prints it)
    issuance_serial = serials.format(issued) if issued.names_units else issued.issuance_ref
    if session.scalar(select(Issuance.id).where(Issuance.serial == issuance_serial)) is not None:
        raise refuse(
            RegistryErrorCode.OVERLAPPING_BLOCK,
            f"serial {issuance_serial} exists already",
            field="serial" if request.serial is not None else "program_fields",
        )
    issuance = Issuance(
        id=issuance_id,
        project_id=project.id,
        vintage_start=request.vintage_start,
        vintage_end=request.vintage_end,
        issued_on=request.issued_on or tx.now.date(),
        quantity=request.quantity,
        unit_space=issued.unit_space,
        unit_start=issued.start,
        unit_end=issued.end,
        serial=issuance_serial,
        issuance_ref=issued.issuance_ref,
        issued_to_account_id=account.id,
        buffer_quantity=request.buffer_quantity,
        verification_body=request.verification_body,
        source_fields=dict(request.source_fields),
        created_at=tx.now,
        **in_force,
    )
    session.add(issuance)
    session.flush()
    held_end = issued.end - request.buffer_quantity
    block = _new_block(tx, issuance_id, issued.with_range(issued.start, held_end), BlockStatus.HELD, account.id)
    buffer_block = None
    if request.buffer_quantity:
        pool = _blocks.final_account(tx, None, AccountKind.BUFFER, "buffer_quantity")
        buffered = issued.with_range(held_end + 1, issued.end)
        buffer_block = _new_block(tx, issuance_id, buffered, BlockStatus.BUFFER, pool.id)
    return IssuanceResult(
        seq=tx.seq,
        recorded_at=tx.now,
        issuance=issuance_public(issuance, project),
        block=block_public(block),
        buffer_block=None if buffer_block is None else block_public(buffer_block),
    )


def _made_serial(session: Session, request: IssueRequest, project: Project, issuance_id: int) -> serials.SerialBlock:
    """The block the ledger numbers: from ``first_unit``, or the next free number of its numbering space."""
    probe = serials.make_serial(
        project.program_code,
        start=1,
        end=1,
        project_id=project.project_id,
        country=project.host_country,
        vintage_start=request.vintage_start,
        vintage_end=request.vintage_end,
        ledger_issuance_id=str(issuance_id),
        program_fields={**_serial_defaults(project), **request.program_fields},
    )
    if request.first_unit is None:
        highest = session.scalar(select(func.max(Issuance.unit_end)).where(Issuance.unit_space == probe.unit_space))
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
    return probe.with_range(start, end)


def _given_serial(request: IssueRequest, project: Project) -> serials.SerialBlock:
    """The block a registry printed: it must be the project's, name ``quantity`` units and fit the vintage."""
    assert request.serial is not None
    try:
        parsed = serials.parse(request.serial, project.program_code, quantity=request.quantity)
    except RegistryError as exc:
        field = "quantity" if exc.code is RegistryErrorCode.QUANTITY_INVALID else "serial"
        raise RegistryError(
            f"{field}: {exc.message}", code=exc.code, field=field, details={"serial_field": exc.field}
        ) from None

    def mismatch(what: str, printed: object, expected: object) -> RegistryError:
        return refuse(
            RegistryErrorCode.INVALID_REQUEST,
            f"serial: it names {what} {printed}, the project's is {expected}",
            field="serial",
        )

    program = project.program_code
    if parsed.project_id is not None and parsed.project_id != serials.project_number(project.project_id, program):
        raise mismatch("project", parsed.project_id, project.project_id)
    if parsed.country is not None and parsed.country != project.host_country:
        raise mismatch("country", parsed.country, project.host_country)
    first, last = parsed.vintage_start, parsed.vintage_end
    if first is not None and last is not None and (first > request.vintage_end or last < request.vintage_start):
        raise refuse(
            RegistryErrorCode.INVALID_REQUEST,
            f"serial: its vintage {first.isoformat()}..{last.isoformat()} lies outside the vintage "
            f"{request.vintage_start.isoformat()}..{request.vintage_end.isoformat()}",
            field="serial",
        )
    return parsed.with_range(parsed.start, parsed.start + request.quantity - 1)


def _check_free(session: Session, issued: serials.SerialBlock, request: IssueRequest) -> None:
    """No earlier issuance may hold any of these unit numbers."""
    clash = session.scalars(
        select(Issuance)
        .where(
            Issuance.unit_space == issued.unit_space,
            Issuance.unit_start <= issued.end,
            Issuance.unit_end >= issued.start,
        )
        .limit(1)
    ).first()
    if clash is not None:
        raise refuse(
            RegistryErrorCode.OVERLAPPING_BLOCK,
            f"units {issued.start}-{issued.end} of {issued.unit_space} overlap issuance {clash.id} ({clash.serial})",
            field="serial" if request.serial is not None else "first_unit",
            issuance_id=clash.id,
        )


def _new_block(tx: Tx, issuance_id: int, block: serials.SerialBlock, status: BlockStatus, account_id: int) -> UnitBlock:
    row = UnitBlock(
        id=tx.next_block_id(),
        issuance_id=issuance_id,
        unit_space=block.unit_space,
        unit_start=block.start,
        unit_end=block.end,
        quantity=block.quantity,
        serial=serials.format(block),
        status=status,
        account_id=account_id,
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
    tx.session.add(row)
    return row


def _serial_defaults(project: Project) -> dict[str, str]:
    """Serial fields a program prints that the project already knows (callers may override them)."""
    if project.program_code == "VCS":
        defaults = {"additional_certification": "1" if project.additional_certifications else "0"}
        if project.sectoral_scope.isdecimal() and 1 <= int(project.sectoral_scope) <= 16:
            defaults["sectoral_scope"] = str(int(project.sectoral_scope))
        return defaults
    return {}
