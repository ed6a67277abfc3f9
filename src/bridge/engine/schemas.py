"""Pydantic models at the engine's edge: what callers send and what they get back.

The public models read the engine's rows directly (``TokenizationPublic.model_validate(row)``): a field
named differently in the database says so with a validation alias, so one declaration serves the row,
the API's JSON and the SDK reading it back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from bridge.primitives import Address, ChecksumAddress, IdempotencyKey, Wei, WeiText

_FROM_ROWS = ConfigDict(from_attributes=True)
MAX_TOKENIZATIONS_PER_CALL = 100
"""Tokenization requests recorded by one call of many (``POST /v1/tokenizations/bulk``): two mint batches."""


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
    recipient: Address = Field(description="EVM address that receives the tokens")

    @model_validator(mode="after")
    def _selection(self) -> TokenizationRequest:
        if self.serial is None and self.issuance_id is None:
            raise ValueError("give a serial, or an issuance_id with a quantity")
        if self.serial is not None and self.issuance_id is not None:
            raise ValueError("give a serial or an issuance_id, not both")
        if self.issuance_id is not None and self.quantity is None:
            raise ValueError("an issuance_id needs a quantity")
        return self


class StepAt(BaseModel):
    """A step a flow reached, and when (UTC)."""

    step: str
    at: datetime


History = Annotated[list[StepAt], BeforeValidator(lambda value: value or [])]
"""A flow's steps and when each was reached (an older row without one: empty)."""


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
    lock_id: int | None = Field(default=None, description="the registry's lock of the block (once locked)")
    tx_hash: str | None
    attested_by: list[str] | None
    error_code: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    history: History = Field(default_factory=list, description="every step reached, when")


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
    tx_hash: str | None = Field(description="the finalize or cancel transaction, once sent")
    request_tx: str | None = Field(default=None, validation_alias=_alias("request_tx", "event_tx"))
    request_block: int | None = Field(default=None, validation_alias=_alias("request_block", "event_block"))
    created_at: datetime | None = None
    updated_at: datetime | None = None
    history: History = Field(default_factory=list, description="every step reached, when")


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
    created_at: datetime | None = None
    history: History = Field(default_factory=list, description="every step reached, when")


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
    name: str = Field(description="program, project id and name, vintage: how people tell classes apart")
    project_name: str | None = Field(default=None, description="the project's name in the registry")
    vintage: str = Field(default="", description="the vintage's year, or its first and last year")
    labels: list[str] = Field(default_factory=list, description="ccp_approved, corsia_eligible, removal, ...")
    token_address: str | None
    registry: str | None
    attributes: dict[str, Any] = Field(description="program, project, vintage, methodology, country, labels")
    batches: int
    total_supply: str = Field(description="token supply in wei (a decimal string)")
    retirements: int = Field(default=0, description="on-chain retirements (certificates) of the class")
    retired: Wei = Field(default=0, description="wei retired on-chain, settled or not")


class RetirementSettlementPublic(BaseModel):
    """A registry settlement that settled (part of) a certificate: the registry retirement behind it."""

    settlement_id: int
    amount: Wei = Field(description="wei of this certificate it settled")
    step: str
    registry_serials: list[str] = Field(description="the serials retired in the registry")
    tx_hash: str | None = Field(description="the settlement's record on-chain, once made")


class RetirementPublic(BaseModel):
    """A retirement certificate: who retired how much of which class, for whom and why, and the registry
    retirements that settled it."""

    certificate_id: int
    class_id: str
    class_name: str | None = None
    retiree: str
    amount: WeiText = Field(description="wei, a decimal string")
    tonnes: str = Field(default="", description="the amount in tonnes, exactly")
    settled: WeiText = Field(description="wei settled in the registry so far")
    status: str = Field(
        default="unsettled",
        description="unsettled, partly_settled, settled, awaiting_disclosure (names only as a hash) or dropped",
    )
    beneficiary: str = Field(description="the beneficiary's name: on-chain, or disclosed to the bridge")
    beneficiary_address: str | None = None
    retiring_entity: str = ""
    purpose: str = Field(default="unspecified", description="one of the listed purposes (docs/api.md)")
    purpose_text: str = ""
    consumption_country: str | None = None
    consumption_start: date | None = None
    consumption_end: date | None = None
    claim_jurisdiction: str | None = Field(default=None, description="ISO 3166-2 or ISO 3166-1 alpha-2")
    consumption_country_name: str | None = Field(default=None, description="the country's name (ISO 3166)")
    claim_jurisdiction_name: str | None = Field(default=None, description="the subdivision's or country's name")
    reason: str
    personal_data_hash: str | None = Field(default=None, description="on-chain hash of the names, if hidden")
    disclosed: bool = Field(default=True, description="whether the names are known (on-chain or disclosed)")
    unknown_codes: list[str] = Field(default_factory=list, description="fields whose ISO code is unknown")
    tx_hash: str
    block_number: int
    dropped: bool
    created_at: datetime
    settlements: list[RetirementSettlementPublic] = Field(default_factory=list)


class EventPublic(BaseModel):
    """A confirmed chain event of the bridge or a class token (``Transfer``, ``Retired``, ...)."""

    model_config = _FROM_ROWS

    id: int = Field(description="position in the feed")
    name: str
    contract: str
    class_id: str | None
    block_number: int
    tx_hash: str
    log_index: int
    args: dict[str, Any] = Field(description="integers as decimal strings, addresses checksummed")


class BalancePublic(BaseModel):
    """What an address holds of one token the bridge knows."""

    kind: str = Field(description="class (a class token) or pool (a pool token)")
    token: str
    class_id: str | None
    name: str
    balance: Wei
    tonnes: str


class HolderBalances(BaseModel):
    address: str
    block_number: int = Field(description="the balances are true at this block")
    balances: list[BalancePublic] = Field(description="non-zero balances only")


class VerifierPublic(BaseModel):
    name: str = Field(description="the verifier's name (empty for an on-chain verifier this bridge does not know)")
    address: str | None = Field(description="its signing address (None while it cannot be reached)")
    url: str | None = Field(default=None, description="where the engine asks it (None: not known to this bridge)")
    reachable: bool = Field(default=True, description="it answered the engine (its identity)")
    active_on_chain: bool = Field(description="the bridge contract counts its signatures now")
    attested_batches: int = Field(description="tokenizations whose mint carries this verifier's signature")


class VerifierSetPublic(BaseModel):
    threshold: int = Field(description="signatures the contract needs now (on-chain)")
    verifiers: list[VerifierPublic]


class ClassReserve(BaseModel):
    """Proof of reserve for one class (amounts of tokens in wei, as decimal strings; units in tonnes)."""

    class_id: str
    name: str | None = Field(default=None, description="the class by name (see /v1/classes)")
    token: ChecksumAddress
    units_in_trust: int
    total_supply: Wei
    escrowed: Wei
    retired_unsettled: Wei
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
    difference_wei: Wei = Field(description="backing minus claims; 0 when ok")


class ReserveReport(BaseModel):
    ok: bool
    under_backed: bool = Field(default=False, description="some class's claims exceed its backing")
    classes: list[ClassReserve]
    foreign_units: int = Field(default=0, description="units in the trust account naming no class of this bridge")
    foreign_serials: list[str] = Field(default_factory=list, description="their serials (the first 50)")
    checked_at: datetime
    block_number: int | None = Field(default=None, description="the chain head the check read")
