"""``/v1/pools``: the pools the bridge knows, their rules and composition, and trades prepared for a trader.

Reads are public. Creating a pool needs an operator key and an ``Idempotency-Key`` (the same key and body
give the same pool; the same key with another body is ``idempotency_conflict``). Preparing a trade
(``POST /v1/pools/{address}/transactions``) needs no key: it only reads the chain and returns unsigned
transactions for the trader's own wallet, so it changes nothing and may be repeated freely (an
``Idempotency-Key`` header is not needed and is ignored).
"""

from __future__ import annotations

from fastapi import APIRouter

from bridge.api import examples
from bridge.api.deps import (
    IdempotencyKeyHeader,
    OperatorDep,
    PageParams,
    PoolAddress,
    RepeatableKeyHeader,
    ServiceDep,
    TokenAddress,
)
from bridge.pools.schemas import (
    PoolCreate,
    PoolEligibilityPublic,
    PoolPublic,
    PoolTransactionRequest,
    PoolTransactions,
)
from bridge.primitives import Page

router = APIRouter(prefix="/v1", tags=["pools"])
_NOT_FOUND = {404: examples.POOL_ERRORS[404]}


@router.get(
    "/pools",
    summary="Pools, with their rules, composition, supply, fee and caps",
    **examples.with_errors(examples.page(examples.POOL), {}),
)
def list_pools(service: ServiceDep, page: PageParams) -> Page[PoolPublic]:
    return service.pools_page(**page.model_dump())


@router.get("/pools/{address}", summary="One pool", **examples.with_errors(examples.POOL, _NOT_FOUND))
def get_pool(service: ServiceDep, address: PoolAddress) -> PoolPublic:
    return service.pool(address)


@router.get(
    "/pools/{address}/eligibility/{token}",
    summary="Whether a class token may be deposited, and if not, the rule it fails",
    **examples.with_errors(examples.POOL_ELIGIBILITY, _NOT_FOUND),
)
def pool_eligibility(service: ServiceDep, address: PoolAddress, token: TokenAddress) -> PoolEligibilityPublic:
    return service.pool_eligibility(address, token)


@router.post(
    "/pools",
    status_code=201,
    summary="Deploy a pool from a preset or from rules (operator; Idempotency-Key required)",
    **examples.with_errors(examples.POOL, examples.POOL_CREATE_ERRORS, status=201),
)
def create_pool(
    service: ServiceDep, principal: OperatorDep, body: PoolCreate, idempotency_key: IdempotencyKeyHeader
) -> PoolPublic:
    return service.create_pool(f"api:{idempotency_key}", body)


@router.post(
    "/pools/{address}/transactions",
    summary="Prepare a trade: unsigned transactions (approve if needed, then the pool call) and a preview",
    description=(
        "For a trader's own wallet: `deposit`, `redeem`, `swap` or `redeem_and_retire`. The pool, the class "
        "and the trader's balance and allowance are checked first, so a refusal (`class_not_eligible`, "
        "`pool_cap_exceeded`, `insufficient_balance`, `insufficient_pool_balance`, `pool_paused`, ...) costs "
        "no gas. Nothing is signed, sent or stored: no API key is needed, and no Idempotency-Key (it would "
        "be ignored): the same request gives the same answer while the chain is unchanged. Sign and send "
        "the transactions in order; a `gas` of null depends on an earlier one being mined."
    ),
    **examples.with_errors(examples.POOL_TRANSACTIONS, {code: examples.POOL_ERRORS[code] for code in (404, 409, 422)}),
)
def pool_transactions(
    service: ServiceDep, address: PoolAddress, body: PoolTransactionRequest, idempotency_key: RepeatableKeyHeader = None
) -> PoolTransactions:
    return service.pool_transactions(address, body)
