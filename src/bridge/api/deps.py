"""The API's dependencies as typed aliases: the service, the caller's key and role, pages, ids and headers.

A route declares what it needs (``service: ServiceDep, principal: OperatorDep, page: PageParams``) and
FastAPI resolves it, refusing a shutting-down service (503), a missing or unknown key (401), a key of the
wrong role (403) or a malformed parameter (422) before the route runs. The roles an operation admits are
the scopes of its X-API-Key requirement in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

from fastapi import Depends, Header, Path, Query, Request, Security
from pydantic import BaseModel

from bridge.api.auth import ApiPrincipal, api_key_scheme, authenticate
from bridge.api.errors import ApiError, ApiErrorCode
from bridge.engine.filters import FeedQuery, PageQuery
from bridge.primitives import IDEMPOTENCY_KEY_PATTERN, checked_address
from bridge.service import BridgeService

SERVICE_STATE: Final = "bridge_service"


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

PageParams = Annotated[PageQuery, Query()]
"""The paging parameters as query parameters, in this order, where the route declares ``page``."""
FeedParams = Annotated[FeedQuery, Query()]
"""A feed's paging parameters (no offset) as query parameters."""
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


def _query_names(route: Any) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included (a query model counts by its fields)."""
    names: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        for param in dependant.query_params:
            model = getattr(param.field_info, "annotation", None)
            if isinstance(model, type) and issubclass(model, BaseModel):
                names |= {field.alias or name for name, field in model.model_fields.items()}
            else:
                names.add(param.alias)
        stack.extend(dependant.dependencies)
    return frozenset(names)


def reject_unknown_query(request: Request) -> None:
    """Every endpoint's rule: a query parameter it does not take is a coded 422 naming it, never ignored
    (``/v1/classes?programme=VCS`` must not quietly answer every class)."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant") or not request.query_params:
        return
    known: frozenset[str] | None = getattr(route, "_declared_query", None)
    if known is None:
        known = _query_names(route)
        route._declared_query = known  # the route's declaration does not change: worked out once
    for name in request.query_params:
        if name not in known:
            takes = ", ".join(sorted(known)) or "none"
            raise ApiError(
                f"{name}: this endpoint takes no query parameter {name!r} (it takes: {takes})",
                code=ApiErrorCode.INVALID_REQUEST,
                field=name,
            )


def _address(value: str, field: str) -> str:
    try:
        return checked_address(value)
    except ValueError as exc:
        raise ApiError(f"{field}: {exc}", code=ApiErrorCode.INVALID_REQUEST, field=field) from None


def pool_address(address: Annotated[str, Path(min_length=1, max_length=64, description="the pool")]) -> str:
    return _address(address, "address")


def token_address(token: Annotated[str, Path(min_length=1, max_length=64, description="a class token")]) -> str:
    return _address(token, "token")


def holder_address(address: Annotated[str, Path(min_length=1, max_length=64, description="an EVM address")]) -> str:
    return _address(address, "address")


def query_address(value: str | None, field: str) -> str | None:
    """An address given as a filter (``holder``, ``retiree``), checksummed; refused as a coded 422 naming it."""
    return None if value is None else _address(value, field)


PoolAddress = Annotated[str, Depends(pool_address)]
TokenAddress = Annotated[str, Depends(token_address)]
HolderAddress = Annotated[str, Depends(holder_address)]
