"""Pydantic models at the engine's edge: what callers send and what they get back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:@+=-]{8,128}$")]


def checked_address(value: str) -> str:
    """An EVM address: any-case hex is accepted, but a mixed-case one must carry a valid checksum."""
    if not isinstance(value, str) or not is_address(value):
        raise ValueError("not a 20-byte hex address")
    has_mixed_case = value[2:] != value[2:].lower() and value[2:] != value[2:].upper()
    if has_mixed_case and not is_checksum_address(value):
        raise ValueError("address checksum is wrong")
    if int(value, 16) == 0:
        raise ValueError("the zero address cannot hold tokens")
    return to_checksum_address(value)


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
    id: int
    step: str
    custodian_account: int
    recipient: str
    serial: str | None
    quantity: int | None
    registry: str | None
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
    id: int
    class_id: str
    tonnes: int
    step: str
    certificates: list[dict[str, Any]]
    registry_retirements: list[str] | None
    error_code: str | None = Field(default=None, description="why the registry retirement waits, if it does")
    error_message: str | None = None
    tx_hash: str | None


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
    ok: bool
    difference_wei: int = Field(description="backing minus claims; 0 when ok")


class ReserveReport(BaseModel):
    ok: bool
    classes: list[ClassReserve]
    checked_at: datetime
