"""What the pools API receives and returns (``/v1/pools``), shared by the server, the SDK and the CLI.

Token amounts are wei (1e18 = one tonne) as decimal strings, like the rest of the bridge API: JSON numbers
lose precision above 2**53 in most languages. Requests accept wei as a string or an integer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from bridge.pools.rules import PoolRules
from bridge.primitives import TONNE, Address

UINT256_MAX = 2**256 - 1
MAX_CAP_TONNES = (2**128 - 1) // TONNE  # the contract's caps are uint128 wei
MAX_RULE_ENTRIES = 64  # per set of a pool's rules, for pools created through the API

Wei = Annotated[int, Field(gt=0, le=UINT256_MAX, description="wei (1e18 = one tonne), a decimal string or integer")]
PoolAction = Literal["deposit", "redeem", "swap", "redeem_and_retire"]
# Which fields each action takes (beyond action, trader and amount), required and optional; any other is refused.
TRADE_FIELDS: dict[str, tuple[str, ...]] = {
    "deposit": ("token",),
    "redeem": ("token",),
    "swap": ("token_in", "token_out"),
    "redeem_and_retire": ("token", "beneficiary"),
}
OPTIONAL_TRADE_FIELDS: dict[str, tuple[str, ...]] = {"redeem_and_retire": ("reason",)}

_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_TOKEN_A = "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448"
_TOKEN_B = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


# --- reads ------------------------------------------------------------------------------------------


class ClassAttributes(BaseModel):
    """The attributes a class token carries on-chain, which pool rules are evaluated against."""

    program: str
    project_id: str
    vintage_start: int = Field(description="YYYYMMDD")
    vintage_end: int = Field(description="YYYYMMDD")
    methodology: str
    host_country: str
    labels: list[str] = Field(description="CCP_APPROVED, CORSIA_ELIGIBLE, REMOVAL, ARTICLE6_AUTHORIZED")
    adjustment: str = Field(description="corresponding adjustment: UNKNOWN, NOT_APPLICABLE, ..., COMPLETED")


class PoolClassPublic(BaseModel):
    """One class a pool holds."""

    token: str = Field(description="the class token")
    class_id: str
    amount: str = Field(description="wei the pool accounts for")
    share_bps: int = Field(description="share of the pool token's supply, basis points")
    cap: str | None = Field(description="the cap that applies to this class (wei); null = none")
    attributes: ClassAttributes


class PoolRulesPublic(BaseModel):
    """The rules as the chain holds them (not re-validated: a manager may have set them with another tool)."""

    programs: list[str]
    methodologies: list[str]
    denied_methodologies: list[str]
    host_countries: list[str]
    min_vintage_start: int = Field(description="YYYYMMDD; 0 = any vintage")
    required_labels: list[str]
    require_corresponding_adjustment: bool


class PoolPublic(BaseModel):
    address: str
    name: str
    symbol: str
    preset: str | None = Field(description="the preset it was deployed from, if any")
    rules: PoolRulesPublic
    rules_version: int
    fee_bps: int = Field(description="redemption and swap fee, basis points (paid in pool tokens)")
    fee_recipient: str
    total_supply: str = Field(description="pool tokens in wei; always the sum of the composition")
    supply_cap: str | None = Field(description="wei; null = no cap")
    default_class_cap: str | None = Field(description="cap of each class without its own (wei); null = no cap")
    paused: bool = Field(description="deposits and swaps stopped (redemptions go on)")
    composition: list[PoolClassPublic]
    created_at: datetime


class PoolEligibilityPublic(BaseModel):
    """Whether a class token may be deposited into a pool now, and if not, the first rule it fails."""

    pool: str
    token: str
    eligible: bool
    reason: str = Field(description="eligible, not_bridge_token, program_not_allowed, ... (the contract's order)")
    rule: str | None = Field(description="the rule (field of the pool's rules) that refuses it")
    message: str
    attributes: ClassAttributes | None = Field(description="null when not a class token of this bridge")
    class_balance: str = Field(description="wei of this class the pool holds")
    class_cap: str | None = Field(description="wei; null = no cap")


# --- creating a pool ----------------------------------------------------------------------------------


class PoolCreate(BaseModel):
    """Deploy a pool: from a ``preset`` (name, symbol, fee and caps may be overridden), or from ``rules``
    with a ``name`` and a ``symbol``. Caps are whole tonnes; absent means the preset's, or none."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"preset": "nature"},
                {
                    "name": "Brazil Forest Tonne",
                    "symbol": "BRFT",
                    "fee_bps": 50,
                    "rules": {"methodologies": ["VM0007", "VM0015"], "host_countries": ["BR"]},
                    "supply_cap_tonnes": 1_000_000,
                    "class_cap_tonnes": 100_000,
                },
            ]
        },
    )

    preset: str | None = Field(default=None, min_length=1, max_length=32, description="nature, corsia, ccp, removals")
    name: str | None = Field(default=None, min_length=1, max_length=64)
    symbol: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,11}$")
    fee_bps: int | None = Field(default=None, ge=0, le=1_000)
    rules: PoolRules | None = None
    supply_cap_tonnes: int | None = Field(default=None, ge=0, le=MAX_CAP_TONNES)
    class_cap_tonnes: int | None = Field(default=None, ge=0, le=MAX_CAP_TONNES)
    fee_recipient: Address | None = Field(default=None, description="where fees go; default: the bridge operator")

    @field_validator("rules")
    @classmethod
    def _bounded(cls, rules: PoolRules | None) -> PoolRules | None:
        # every entry costs storage gas at deployment and a hash on each eligibility check: keep sets small
        for name in ("programs", "methodologies", "denied_methodologies", "host_countries"):
            if rules is not None and len(getattr(rules, name)) > MAX_RULE_ENTRIES:
                raise ValueError(f"{name}: at most {MAX_RULE_ENTRIES} entries")
        return rules

    @model_validator(mode="after")
    def _preset_or_rules(self) -> PoolCreate:
        if (self.preset is None) == (self.rules is None):
            raise ValueError("give a preset, or rules with a name and a symbol (not both)")
        if self.rules is not None and (self.name is None or self.symbol is None):
            raise ValueError("a pool from rules needs a name and a symbol")
        return self


# --- trading ----------------------------------------------------------------------------------------


class PoolTransactionRequest(BaseModel):
    """A trade to prepare for ``trader`` to sign. ``token`` names the class for ``deposit`` (given),
    ``redeem`` and ``redeem_and_retire`` (taken); a ``swap`` names ``token_in`` and ``token_out``.
    ``amount`` is what the trader gives: class tokens (deposit, swap) or pool tokens (redeem, retire)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"action": "deposit", "trader": _ADDRESS, "token": _TOKEN_A, "amount": "2500000000000000000"},
                {
                    "action": "swap",
                    "trader": _ADDRESS,
                    "token_in": _TOKEN_A,
                    "token_out": _TOKEN_B,
                    "amount": "1000000000000000000",
                },
                {
                    "action": "redeem_and_retire",
                    "trader": _ADDRESS,
                    "token": _TOKEN_B,
                    "amount": "1000000000000000000",
                    "beneficiary": "Acme Airlines",
                    "reason": "2025 scope 1 emissions",
                },
            ]
        },
    )

    action: PoolAction
    trader: Address = Field(description="the address that will sign and send the transactions")
    amount: Wei
    token: Address | None = None
    token_in: Address | None = None
    token_out: Address | None = None
    beneficiary: str | None = Field(default=None, min_length=1, max_length=200)
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _fields_of_the_action(self) -> PoolTransactionRequest:
        required = TRADE_FIELDS[self.action]
        taken = set(required) | set(OPTIONAL_TRADE_FIELDS.get(self.action, ()))
        for field in required:
            if getattr(self, field) is None:
                raise _field_error(field, f"a {self.action} needs it")
        for field in ("token", "token_in", "token_out", "beneficiary", "reason"):
            if field not in taken and getattr(self, field) is not None:
                raise _field_error(field, f"not a field of a {self.action}")
        return self


def _field_error(field: str, message: str) -> ValidationError:
    """A validation error located at ``field`` (a model validator's own errors have no location)."""
    error = PydanticCustomError("field_of_action", message)
    return ValidationError.from_exception_data(
        "PoolTransactionRequest", [InitErrorDetails(type=error, loc=(field,), input=None)]
    )


class UnsignedTransaction(BaseModel):
    """A transaction for the trader's wallet to complete (nonce, fees, chain id), sign and send, in order."""

    step: Literal["approve", "deposit", "redeem", "swap", "redeem_and_retire"]
    description: str
    to: str
    data: str = Field(description="hex calldata")
    value: str = Field(default="0", description="wei of ether sent: always 0")
    gas: int | None = Field(
        description="estimated gas limit (with headroom); null when it depends on an earlier transaction"
    )


class TradePreview(BaseModel):
    """What the trade gives and takes at the pool's current state and fee."""

    token_in: str = Field(description="what the trader gives: a class token, or the pool token")
    amount_in: str
    fee: str = Field(description="pool-token wei to the fee recipient")
    token_out: str = Field(description="what the trader receives: the pool token or a class token")
    amount_out: str
    retired: bool = Field(description="the class tokens out are retired through the bridge, not sent")


class PoolTransactions(BaseModel):
    pool: str
    action: PoolAction
    trader: str
    chain_id: int
    transactions: list[UnsignedTransaction]
    preview: TradePreview
