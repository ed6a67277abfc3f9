"""The API's dependencies as typed aliases: the service, the caller's key and role, pages, ids and headers.

A route declares what it needs (``service: ServiceDep, principal: OperatorDep, limit: Limit = 50``) and
FastAPI resolves it, refusing a shutting-down service (503), a missing or unknown key (401), a key of the
wrong role (403) or a malformed parameter (422) before the route runs. The roles an operation admits are
the scopes of its X-API-Key requirement in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Final

from fastapi import Depends, Header, Path, Query, Request, Security

from bridge.api.auth import ApiPrincipal, api_key_scheme, authenticate
from bridge.api.errors import ApiError, ApiErrorCode
from bridge.primitives import IDEMPOTENCY_KEY_PATTERN, checked_address
from bridge.service import BridgeService

SERVICE_STATE: Final = "bridge_service"
MAX_PAGE: Final = 100
MAX_OFFSET: Final = 10**9


def get_service(request: Request) -> BridgeService:
    service: BridgeService = getattr(request.app.state, SERVICE_STATE)
    if not service.ready:
        raise ApiError("the bridge service is shutting down", code=ApiErrorCode.NOT_READY)
    return service


ServiceDep = Annotated[BridgeService, Depends(get_service)]


def get_principal(service: ServiceDep, key: Annotated[str | None, Security(api_key_scheme)] = None) -> ApiPrincipal:
    return authenticate(service.settings, key)


PrincipalDep = Annotated[ApiPrincipal, Depends(get_principal)]


def require(*roles: str) -> Callable[[ApiPrincipal], ApiPrincipal]:
    """A dependency admitting only keys of ``roles``. The OpenAPI document lists the roles as the scopes
    of the operation's X-API-Key requirement (OpenAPI 3.1: role names for a non-OAuth scheme)."""

    def check(principal: ApiPrincipal = Security(get_principal, scopes=list(roles))) -> ApiPrincipal:
        if principal.role not in roles:
            raise ApiError(
                f"a {principal.role} key may not do this (needs: {', '.join(roles)})", code=ApiErrorCode.FORBIDDEN
            )
        return principal

    return check


OperatorDep = Annotated[ApiPrincipal, Depends(require("operator"))]
TokenizerDep = Annotated[ApiPrincipal, Depends(require("custodian", "operator"))]

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
BigIdPath = Annotated[int, Path(ge=0, lt=2**256)]

IdempotencyKeyHeader = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="8-128 of [A-Za-z0-9._:@+=-]; a retry with the same key and body returns the first result",
    ),
]
RepeatableKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=256,
        description="optional: this operation is safe to repeat (a retry has the same effect), so no key is needed",
    ),
]


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
