"""Rows -> public models, and input validation errors -> coded registry errors."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table

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


_PUBLIC_NAMES = {"unit_start": "start", "unit_end": "end"}
"""Columns whose public field has another name: a block's or a lock's units are ``start``..``end``."""


@cache
def _public_columns(table: Table, model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(attribute, field) of each of the table's columns that ``model`` has a field for."""
    named = ((column.key, _PUBLIC_NAMES.get(column.key, column.key)) for column in table.columns)
    return tuple((key, name) for key, name in named if name in model.model_fields)


def _public_fields(row: Any, model: type[BaseModel]) -> dict[str, Any]:
    """The row's columns that ``model`` has a field for, by their public names."""
    return {name: getattr(row, key) for key, name in _public_columns(row.__table__, model)}


def _marketplace(row: UnitBlock | LockRecord) -> MarketplacePublic:
    """Where the row's units are represented (a block's or a lock's ``marketplace_*`` columns)."""
    return MarketplacePublic(
        marketplace=row.marketplace or "",
        identifier=MarketplaceIdentifier(
            chain_id=row.marketplace_chain_id or 0,
            token_address=row.marketplace_token_address or "",
            batch_id=row.marketplace_batch_id or "",
            recipient=row.marketplace_recipient,
        ),
        link=row.marketplace_link,
    )


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
    marketplace = _marketplace(block) if block.marketplace is not None else None
    return UnitBlockPublic.model_validate(
        {
            **_public_fields(block, UnitBlockPublic),
            "retirement": retirement,
            "cancellation": cancellation,
            "marketplace": marketplace,
        }
    )


def lock_public(lock: LockRecord, blocks: list[UnitBlock]) -> LockPublic:
    return LockPublic.model_validate(
        {
            **_public_fields(lock, LockPublic),
            "marketplace": _marketplace(lock),
            "blocks": [block_public(block) for block in blocks],
        }
    )
