"""What only the bridge API receives and returns; the engine's and the pools' own models are theirs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL
from bridge.primitives import IdempotencyKey


class TokenizationCreate(BaseModel):
    """Bridge a serial block (or a quantity of an issuance) held by the custodian's account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "custodian_account": 4,
                    "serial": "7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1",
                    "recipient": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                }
            ]
        },
    )

    custodian_account: int | None = Field(
        default=None, ge=1, le=2**62, description="registry account; default: the API key's own"
    )
    serial: str | None = Field(default=None, min_length=1, max_length=256)
    issuance_id: int | None = Field(default=None, ge=1, le=2**62)
    quantity: int | None = Field(default=None, ge=1, le=10**12, description="whole tonnes")
    recipient: str = Field(min_length=1, max_length=64, description="EVM address receiving the tokens")


class TokenizationItem(TokenizationCreate):
    """One tokenization of a call of many: its own idempotency key (the header's, for a request alone)."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: IdempotencyKey = Field(
        description="8-128 of [A-Za-z0-9._:@+=-]; the same key and body again returns the first tokenization"
    )


class TokenizationsCreate(BaseModel):
    """Many tokenizations recorded at once, all or none: the first bad one refuses the call, naming its index
    (``tokenizations.3.serial``), and nothing is recorded."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "tokenizations": [
                        {
                            "idempotency_key": "order-2024-0001",
                            "serial": "7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1",
                            "recipient": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                        }
                    ]
                }
            ]
        },
    )

    tokenizations: list[TokenizationItem] = Field(min_length=1, max_length=MAX_TOKENIZATIONS_PER_CALL)


class EngineRun(BaseModel):
    moved: int = Field(description="flow steps that moved")


class Health(BaseModel):
    status: str
    chain_id: int
    bridge: str
    head: int


class NetworkVerifier(BaseModel):
    """A verifier the contract counts, and where this bridge asks it (null: a verifier it does not know)."""

    address: str
    url: str | None


class NetworkInfo(BaseModel):
    """Where the bridge lives: what a wallet or ``verify-reserves`` needs to reach it without this API."""

    chain_id: int
    rpc_url: str | None = Field(description="JSON-RPC of the chain; null for an in-process chain")
    bridge: str = Field(description="the CarbonBridge contract")
    trust_account: int = Field(description="the registry account holding the credits in trust")
    registry_api: str = Field(description="path of the registry API on this server")
    confirmations: int
    threshold: int = Field(description="verifier signatures a mint needs (the contract's, now)")
    admin: list[str] = Field(
        description="who holds DEFAULT_ADMIN_ROLE and VERIFIER_MANAGER_ROLE: the timelock (or a multisig) alone"
    )
    admin_delay_seconds: int | None = Field(
        description="how long an admin change waits in the timelock before it can execute (null: not a timelock)"
    )
    engine: str = Field(description="the engine's sending address: it may pause and settle, nothing else")
    verifiers: list[NetworkVerifier] = Field(description="the verifiers the contract counts now")
