"""What the bridge API receives and returns (beyond the engine's own edge models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
MAX_PAGE = 100
MAX_OFFSET = 10**9


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int


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


class BatchPublic(BaseModel):
    batch_key: str
    class_id: str
    token_address: str
    registry: str
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
    certificate_id: int
    class_id: str
    retiree: str
    amount: str = Field(description="wei, a decimal string")
    settled: str = Field(description="wei settled in the registry so far")
    beneficiary: str
    reason: str
    tx_hash: str
    block_number: int
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


class EngineRun(BaseModel):
    moved: int = Field(description="flow steps that moved")


class Health(BaseModel):
    status: str
    chain_id: int
    bridge: str
    head: int


class NetworkInfo(BaseModel):
    """Where the bridge lives: what a wallet or ``verify-reserves`` needs to reach it without this API."""

    chain_id: int
    rpc_url: str | None = Field(description="JSON-RPC of the chain; null for an in-process chain")
    bridge: str = Field(description="the CarbonBridge contract")
    trust_account: int = Field(description="the registry account holding the credits in trust")
    registry_api: str = Field(description="path of the registry API on this server")
    confirmations: int
    threshold: int = Field(description="verifier signatures needed per mint")
