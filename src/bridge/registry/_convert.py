"""Rows -> public models, and input validation errors -> coded registry errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bridge.registry import serials
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.models import Account, Issuance, LockRecord, Program, Project, UnitBlock
from bridge.registry.schemas import (
    AccountPublic,
    CancellationPublic,
    IssuancePublic,
    LockPublic,
    MarketplaceIdentifier,
    MarketplacePublic,
    ProgramPublic,
    ProjectPublic,
    RetirementPublic,
    UnitBlockPublic,
)
from bridge.registry.units import unit_name

M = TypeVar("M", bound=BaseModel)

_QUANTITY_FIELDS = frozenset({"quantity"})


def validate(model: type[M], fields: dict[str, Any]) -> M:
    """``model`` built from ``fields``; a ``RegistryError`` naming the first bad field otherwise.

    A rule over several fields (a model validator) names its field by starting its message with it
    (``"poa_id: ..."``); the field may be one only older requests have (``corsia_phase``).
    """
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        location = [str(part) for part in error["loc"]]
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "is not a field of this request"
        message = message.removeprefix("Value error, ")
        if not location and error["type"] == "value_error":
            named, separator, rest = message.partition(": ")
            if separator and named.isidentifier() and named.islower():
                location, message = [named], rest
        field = ".".join(location) or None
        code = (
            RegistryErrorCode.QUANTITY_INVALID
            if location and location[0] in _QUANTITY_FIELDS
            else RegistryErrorCode.INVALID_REQUEST
        )
        text = f"{field}: {message}" if field else message
        raise RegistryError(text, code=code, field=field) from None


def _columns(row: Any) -> dict[str, Any]:
    """A row's column values by attribute name."""
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def program_public(program: Program) -> ProgramPublic:
    info = serials.PROGRAMS.get(program.code)
    return ProgramPublic.model_validate(
        {
            **_columns(program),
            "unit": unit_name(program.unit_decimals),
            "registry_name": info.registry if info is not None else program.name,
        }
    )


def project_public(project: Project) -> ProjectPublic:
    columns = _columns(project)
    columns["program"] = columns.pop("program_code")
    return ProjectPublic.model_validate(columns)


def account_public(account: Account) -> AccountPublic:
    return AccountPublic.model_validate(account, from_attributes=True)


def credit_of(issuance: Issuance, project: Project) -> dict[str, Any]:
    """What names a credit's issuance wherever the registry shows it: program, project and vintage."""
    return {
        "program": project.program_code,
        "project_id": project.project_id,
        "vintage_start": issuance.vintage_start,
        "vintage_end": issuance.vintage_end,
    }


def issuance_public(issuance: Issuance, project: Project) -> IssuancePublic:
    return IssuancePublic.model_validate({**_columns(issuance), **credit_of(issuance, project)})


def block_public(block: UnitBlock) -> UnitBlockPublic:
    retirement = None
    if block.retired_at is not None:
        retirement = RetirementPublic(
            beneficiary=block.retirement_beneficiary or "",
            reason=block.retirement_reason or "",
            details=block.retirement_details,
            retired_at=block.retired_at,
            settles=block.retirement_settles or [],
        )
    cancellation = None
    if block.cancelled_at is not None:
        cancellation = CancellationPublic(reason=block.cancellation_reason or "", cancelled_at=block.cancelled_at)
    marketplace = None
    if block.marketplace is not None:
        marketplace = MarketplacePublic(
            marketplace=block.marketplace,
            identifier=MarketplaceIdentifier(
                chain_id=block.marketplace_chain_id or 0,
                token_address=block.marketplace_token_address or "",
                batch_id=block.marketplace_batch_id or "",
                recipient=block.marketplace_recipient,
            ),
            link=block.marketplace_link,
        )
    return UnitBlockPublic(
        id=block.id,
        issuance_id=block.issuance_id,
        serial=block.serial,
        unit_space=block.unit_space,
        start=block.unit_start,
        end=block.unit_end,
        quantity=block.quantity,
        status=block.status,
        account_id=block.account_id,
        previous_account_id=block.previous_account_id,
        frozen=block.frozen,
        freeze_reason=block.freeze_reason,
        retirement=retirement,
        cancellation=cancellation,
        marketplace=marketplace,
        lock_id=block.lock_id,
        created_at=block.created_at,
        updated_at=block.updated_at,
    )


def lock_public(lock: LockRecord, blocks: list[UnitBlock]) -> LockPublic:
    return LockPublic(
        lock_id=lock.lock_id,
        seq=lock.seq,
        issuance_id=lock.issuance_id,
        serial=lock.serial,
        unit_space=lock.unit_space,
        start=lock.unit_start,
        end=lock.unit_end,
        quantity=lock.quantity,
        trust_account_id=lock.trust_account_id,
        actor_account_id=lock.actor_account_id,
        marketplace=MarketplacePublic(
            marketplace=lock.marketplace,
            identifier=MarketplaceIdentifier(
                chain_id=lock.marketplace_chain_id,
                token_address=lock.marketplace_token_address,
                batch_id=lock.marketplace_batch_id,
                recipient=lock.marketplace_recipient,
            ),
            link=lock.marketplace_link,
        ),
        locked_at=lock.locked_at,
        blocks=[block_public(block) for block in blocks],
    )
