"""``/v1/pools``: the pools the bridge knows, their rules and composition, and trades prepared for a trader.

Reads are public. Creating a pool needs an operator key and an ``Idempotency-Key`` (the same key and body
give the same pool; the same key with another body is ``idempotency_conflict``). Preparing a trade
(``POST /v1/pools/{address}/transactions``) needs no key: it only reads the chain and returns unsigned
transactions for the trader's own wallet, so it changes nothing and may be repeated freely (an
``Idempotency-Key`` header is not needed and is ignored).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path
from pydantic import TypeAdapter, ValidationError

from bridge.api.app import (
    IdempotencyKeyHeader,
    Limit,
    Offset,
    OperatorDep,
    RepeatableKeyHeader,
    ServiceDep,
    _docs,
    _paged,
)
from bridge.api.errors import ApiError, ApiErrorCode
from bridge.api.schemas import Page
from bridge.engine.models import IdempotencyKey, checked_address
from bridge.pools.registry import PoolRegistry, PoolSpec
from bridge.pools.schemas import (
    PoolCreate,
    PoolEligibilityPublic,
    PoolPublic,
    PoolTransactionRequest,
    PoolTransactions,
    example_pool,
    example_transactions,
)
from bridge.pools.transactions import build_transactions

TAGS: Final[list[str | Any]] = ["pools"]
_POOL = example_pool()
_ERRORS: Final = {
    401: {"code": "unauthorized", "message": "this operation needs an API key (header X-API-Key)"},
    403: {"code": "forbidden", "message": "a custodian key may not do this (needs: operator)"},
    404: {"code": "pool_not_found", "message": f"the bridge knows no pool at {_POOL['address']}", "field": "address"},
    409: {
        "code": "insufficient_pool_balance",
        "message": "the pool holds 0 t of this class, less than the 0.99 t to take out",
        "field": "token_out",
    },
    422: {
        "code": "class_not_eligible",
        "message": "the pool does not take this class: the vintage starts 20140101, before the pool's minimum 20160101",
        "field": "token",
        "details": {"reason": "vintage_too_old", "rule": "min_vintage_start"},
    },
}
_CREATE_ERRORS: Final = {
    401: _ERRORS[401],
    403: _ERRORS[403],
    404: {"code": "unknown_pool_preset", "message": "no pool preset 'forest'", "field": "preset"},
    409: {
        "code": "idempotency_conflict",
        "message": "this idempotency key was used for a different pool",
        "field": "Idempotency-Key",
    },
    422: {"code": "invalid_request", "message": "name: String should have at most 64 characters", "field": "name"},
}


def _pool_docs(example: Any, errors: dict[int, dict[str, Any]], *, status: int = 200) -> dict[str, Any]:
    """``_docs`` with the pools' own error examples."""
    docs = _docs(example, status=status)
    for code, body in errors.items():
        docs["responses"][code] = {"description": "error", "content": {"application/json": {"example": body}}}
    return docs


def _address(value: str, field: str) -> str:
    try:
        return checked_address(value)
    except ValueError as exc:
        raise ApiError(f"{field}: {exc}", code=ApiErrorCode.INVALID_REQUEST, field=field) from None


def pool_address(address: Annotated[str, Path(min_length=1, max_length=64, description="the pool")]) -> str:
    return _address(address, "address")


def token_address(token: Annotated[str, Path(min_length=1, max_length=64, description="a class token")]) -> str:
    return _address(token, "token")


PoolAddress = Annotated[str, Depends(pool_address)]
TokenAddress = Annotated[str, Depends(token_address)]
_IDEMPOTENCY_KEY: Final = TypeAdapter(IdempotencyKey)


def pools_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.get(
        "/pools",
        tags=TAGS,
        summary="Pools, with their rules, composition, supply, fee and caps",
        **_pool_docs({"items": [_POOL], "limit": 50, "offset": 0, "total": 1}, {}),
    )
    def list_pools(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> Page[PoolPublic]:
        with service.lock:
            registry = PoolRegistry(service)
            rows, total = registry.page(limit, offset)
            return _paged([registry.public(row) for row in rows], total, limit, offset)

    @router.get("/pools/{address}", tags=TAGS, summary="One pool", **_pool_docs(_POOL, {404: _ERRORS[404]}))
    def get_pool(service: ServiceDep, address: PoolAddress) -> PoolPublic:
        with service.lock:
            registry = PoolRegistry(service)
            return registry.public(registry.get(address))

    eligibility_example = {
        "pool": _POOL["address"],
        "token": "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448",
        "eligible": False,
        "reason": "vintage_too_old",
        "rule": "min_vintage_start",
        "message": "the vintage starts 20140101, before the pool's minimum 20160101",
        "attributes": _POOL["composition"][0]["attributes"] | {"vintage_start": 20140101, "vintage_end": 20141231},
        "class_balance": "0",
        "class_cap": "2000000000000000000000000",
    }

    @router.get(
        "/pools/{address}/eligibility/{token}",
        tags=TAGS,
        summary="Whether a class token may be deposited, and if not, the rule it fails",
        **_pool_docs(eligibility_example, {404: _ERRORS[404]}),
    )
    def pool_eligibility(service: ServiceDep, address: PoolAddress, token: TokenAddress) -> PoolEligibilityPublic:
        with service.lock:
            registry = PoolRegistry(service)
            return registry.eligibility(registry.get(address), token)

    @router.post(
        "/pools",
        tags=TAGS,
        status_code=201,
        summary="Deploy a pool from a preset or from rules (operator; Idempotency-Key required)",
        **_pool_docs(_POOL, _CREATE_ERRORS, status=201),
    )
    def create_pool(
        service: ServiceDep, principal: OperatorDep, body: PoolCreate, idempotency_key: IdempotencyKeyHeader
    ) -> PoolPublic:
        try:
            _IDEMPOTENCY_KEY.validate_python(idempotency_key)
        except ValidationError:
            raise ApiError(
                "Idempotency-Key: 8-128 of [A-Za-z0-9._:@+=-]",
                code=ApiErrorCode.INVALID_REQUEST,
                field="Idempotency-Key",
            ) from None
        with service.lock:
            registry = PoolRegistry(service)
            spec = PoolSpec.of_request(body, registry.operator)  # an unknown preset is refused here
            return registry.public(registry.deploy(f"api:{idempotency_key}", spec))

    @router.post(
        "/pools/{address}/transactions",
        tags=TAGS,
        summary="Prepare a trade: unsigned transactions (approve if needed, then the pool call) and a preview",
        description=(
            "For a trader's own wallet: `deposit`, `redeem`, `swap` or `redeem_and_retire`. The pool, the class "
            "and the trader's balance and allowance are checked first, so a refusal (`class_not_eligible`, "
            "`pool_cap_exceeded`, `insufficient_balance`, `insufficient_pool_balance`, `pool_paused`, ...) costs "
            "no gas. Nothing is signed, sent or stored: no API key is needed, and no Idempotency-Key (it would "
            "be ignored): the same request gives the same answer while the chain is unchanged. Sign and send "
            "the transactions in order; a `gas` of null depends on an earlier one being mined."
        ),
        **_pool_docs(example_transactions(), {404: _ERRORS[404], 409: _ERRORS[409], 422: _ERRORS[422]}),
    )
    def pool_transactions(
        service: ServiceDep,
        address: PoolAddress,
        body: PoolTransactionRequest,
        idempotency_key: RepeatableKeyHeader = None,
    ) -> PoolTransactions:
        with service.lock:
            registry = PoolRegistry(service)
            row = registry.get(address)
            return build_transactions(registry.handle(row.address), body, decoder=service.onchain.deployment.decoder)

    return router
