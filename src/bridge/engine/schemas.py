"""Pydantic models at the engine's edge: what callers send and what they get back.

The public models read the engine's rows directly (``TokenizationPublic.model_validate(row)``): a field
named differently in the database says so with a validation alias, so one declaration serves the row,
the API's JSON and the SDK reading it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from bridge.primitives import IdempotencyKey, WeiText, checked_address

_FROM_ROWS = ConfigDict(from_attributes=True)


def _alias(name: str, column: str) -> AliasChoices:
    """Read ``column`` from an engine row, ``name`` from JSON. (The column first: a row has attributes of
    its own with a field's name, such as ``registry``, SQLAlchemy's.)"""
    return AliasChoices(column, name)


class TokenizationRequest(BaseModel):
    """Lock a serial block (or a quantity of an issuance) and mint its tokens to ``recipient``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    idempotency_key: IdempotencyKey
    custodian_account: int = Field(ge=1, description="the custodian's registry account holding the block")
    serial: str | None = Field(default=None, min_length=1, max_length=256, description="serial block to bridge")
    issuance_id: int | None = Field(default=None, ge=1)
    quantity: int | None = Field(default=None, ge=1, le=10**12, description="tonnes; default: the whole block")
    recipient: str = Field(description="EVM address that receives the tokens")

    @field_validator("recipient")
    @classmethod
    def _recipient(cls, value: str) -> str:
        return checked_address(value)

    @model_validator(mode="after")
    def _selection(self) -> TokenizationRequest:
        if self.serial is None and self.issuance_id is None:
            raise ValueError("give a serial, or an issuance_id with a quantity")
        if self.serial is not None and self.issuance_id is not None:
            raise ValueError("give a serial or an issuance_id, not both")
        if self.issuance_id is not None and self.quantity is None:
            raise ValueError("an issuance_id needs a quantity")
        return self


class TokenizationPublic(BaseModel):
    model_config = _FROM_ROWS

    id: int
    step: str
    custodian_account: int
    recipient: str
    serial: str | None
    quantity: int | None
    registry: str | None = Field(validation_alias=_alias("registry", "registry_code"))
    class_id: str | None
    token_address: str | None
    batch_key: str | None
    nonce: int | None
    tx_hash: str | None
    attested_by: list[str] | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class RedemptionPublic(BaseModel):
    model_config = _FROM_ROWS

    id: int
    step: str
    class_id: str
    holder: str
    tonnes: int
    registry_account: str
    released_serials: list[str] | None
    cancel_reason: str | None
    error_code: str | None = Field(default=None, description="the registry's last refusal (a frozen block, say)")
    error_message: str | None = None
    tx_hash: str | None


class SettlementPublic(BaseModel):
    model_config = _FROM_ROWS

    id: int
    class_id: str
    tonnes: int
    step: str
    certificates: list[dict[str, Any]] = Field(validation_alias=_alias("certificates", "allocations"))
    registry_retirements: list[str] | None
    error_code: str | None = Field(default=None, description="why the registry retirement waits, if it does")
    error_message: str | None = None
    tx_hash: str | None


class BatchPublic(BaseModel):
    model_config = _FROM_ROWS

    batch_key: str
    class_id: str
    token_address: str
    registry: str = Field(validation_alias=_alias("registry", "registry_code"))
    original_serial: str
    current_serial: str | None
    remaining: int = Field(description="tonnes still backing tokens")
    tokenization_id: int
    created_at: datetime


class ClassPublic(BaseModel):
    class_id: str
    token_address: str | None
    registry: str | None
    attributes: dict[str, Any] = Field(description="program, project, vintage, methodology, country, labels")
    batches: int
    total_supply: str = Field(description="token supply in wei (a decimal string)")


class RetirementPublic(BaseModel):
    model_config = _FROM_ROWS

    certificate_id: int
    class_id: str
    retiree: str
    amount: WeiText = Field(description="wei, a decimal string")
    settled: WeiText = Field(description="wei settled in the registry so far")
    beneficiary: str
    reason: str
    tx_hash: str = Field(validation_alias=_alias("tx_hash", "event_tx"))
    block_number: int = Field(validation_alias=_alias("block_number", "event_block"))
    dropped: bool
    created_at: datetime


class VerifierPublic(BaseModel):
    name: str
    address: str
    active_on_chain: bool
    attested_batches: int = Field(description="tokenizations whose mint carries this verifier's signature")


class VerifierSetPublic(BaseModel):
    threshold: int
    verifiers: list[VerifierPublic]


class ClassReserve(BaseModel):
    """Proof of reserve for one class (amounts of tokens in wei; units in tonnes)."""

    class_id: str
    token: str
    units_in_trust: int
    total_supply: int
    escrowed: int
    retired_unsettled: int
    pending_mint_units: int
    pending_release_units: int
    pending_settlement_units: int
    attested_reserve: int
    foreign_units: int = Field(
        default=0, description="units in trust naming this class's token that back none of its batches: never counted"
    )
    foreign_serials: list[str] = Field(default_factory=list, description="their serials (the first 50)")
    ok: bool = Field(description="backing equals claims, and the contract's attested reserve agrees")
    under_backed: bool = Field(default=False, description="claims exceed backing: what enforcement pauses on")
    difference_wei: int = Field(description="backing minus claims; 0 when ok")


class ReserveReport(BaseModel):
    ok: bool
    under_backed: bool = Field(default=False, description="some class's claims exceed its backing")
    classes: list[ClassReserve]
    foreign_units: int = Field(default=0, description="units in the trust account naming no class of this bridge")
    foreign_serials: list[str] = Field(default_factory=list, description="their serials (the first 50)")
    checked_at: datetime
