"""The bridge's HTTP API: tokenize, follow flows, read classes, certificates and the reserve.

Reads are public; a key (header ``X-API-Key``) is needed to write. Roles: ``custodian`` (bound to one
registry account: may tokenize only from it), ``verifier``, ``operator`` (drives the engine once,
enforces the reserve). Every error is ``{"code", "message", "field"}`` with the code's HTTP status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bridge.api.errors import ApiError, ApiErrorCode
from bridge.api.schemas import (
    MAX_OFFSET,
    MAX_PAGE,
    BatchPublic,
    ClassPublic,
    EngineRun,
    Health,
    NetworkInfo,
    Page,
    RetirementPublic,
    TokenizationCreate,
    VerifierPublic,
    VerifierSetPublic,
)
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.models import (
    RedemptionPublic,
    ReserveReport,
    SettlementPublic,
    TokenizationPublic,
    TokenizationRequest,
)
from bridge.engine.store import Batch, Retirement, Tokenization, TokenizeStep
from bridge.engine.tokenize import tokenization_public
from bridge.errors import CodedError
from bridge.service import ApiPrincipal, BridgeService

log = logging.getLogger(__name__)
T = TypeVar("T")

api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="bridge API key")
_STATE: Final = "bridge_service"

# --- dependencies ----------------------------------------------------------------------------------


def get_service(request: Request) -> BridgeService:
    service: BridgeService = getattr(request.app.state, _STATE)
    if not service.ready:
        raise ApiError("the bridge service is shutting down", code=ApiErrorCode.NOT_READY)
    return service


ServiceDep = Annotated[BridgeService, Depends(get_service)]


def get_principal(service: ServiceDep, key: Annotated[str | None, Security(api_key_scheme)] = None) -> ApiPrincipal:
    if not key:
        raise ApiError("this operation needs an API key (header X-API-Key)", code=ApiErrorCode.UNAUTHORIZED)
    principal = service.principal(key)
    if principal is None:
        raise ApiError("the API key is not valid", code=ApiErrorCode.UNAUTHORIZED)
    return principal


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
        pattern=r"^[A-Za-z0-9._:@+=-]{8,128}$",
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

# --- documentation --------------------------------------------------------------------------------

_ERROR_EXAMPLES: Final = {
    401: {"code": "unauthorized", "message": "this operation needs an API key (header X-API-Key)"},
    403: {"code": "forbidden", "message": "a custodian key may not do this (needs: operator)"},
    404: {"code": "not_found", "message": "no tokenization 42", "field": "tokenization_id"},
    409: {"code": "already_bridged", "message": "the serial block is already bridged", "field": "serial"},
    422: {"code": "invalid_request", "message": "limit: Input should be less than or equal to 100", "field": "limit"},
}
_TIME = "2025-09-30T09:00:00Z"
_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_CLASS = "0x9c2e72b0eecdc1dbe2b4cfe74e712a510faa10d40f70aa9f1fa7f75417ff34c3"
_TOKEN = "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448"
_TOKENIZATION: Final = {
    "id": 1,
    "step": "completed",
    "custodian_account": 4,
    "recipient": _ADDRESS,
    "serial": "ACCU-14-6445-17700",
    "quantity": 11256,
    "registry": "ACCU",
    "class_id": _CLASS,
    "token_address": _TOKEN,
    "batch_key": "0x46c4b4429d79725597aec0e4e58c0e3ccb25c1dedfd5897ea7dbf17ab4c2ce29",
    "nonce": 1,
    "tx_hash": "0x2e4fae369f844a1aa3a0a734a059fb10392c78aeb6d266703b1083965795a75a",
    "attested_by": ["0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"],
    "error_code": None,
    "error_message": None,
    "created_at": _TIME,
    "updated_at": _TIME,
}


def _page(example: dict[str, Any]) -> dict[str, Any]:
    return {"items": [example], "limit": 50, "offset": 0, "total": 1}


def _docs(example: Any, *errors: int, status: int = 200) -> dict[str, Any]:
    responses: dict[int | str, dict[str, Any]] = {
        status: {"content": {"application/json": {"example": example}}},
    }
    for code in (422, *errors):
        responses[code] = {
            "description": "error",
            "content": {"application/json": {"example": _ERROR_EXAMPLES[code]}},
        }
    return {"responses": responses}


# --- routes ---------------------------------------------------------------------------------------


def _paged(items: list[T], total: int, limit: int, offset: int) -> Page[T]:
    return Page[T](items=items, limit=limit, offset=offset, total=total)


def bridge_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    _tokenization_routes(router)
    _read_routes(router)
    _operator_routes(router)
    return router


def _tokenization_routes(router: APIRouter) -> None:
    tags: list[str | Any] = ["tokenizations"]

    @router.post(
        "/tokenizations",
        tags=tags,
        status_code=202,
        summary="Bridge a serial block: lock it in trust and mint its tokens (asynchronous)",
        **_docs(_TOKENIZATION | {"step": "received"}, 401, 403, 409, status=202),
    )
    def create_tokenization(
        service: ServiceDep,
        principal: TokenizerDep,
        body: TokenizationCreate,
        idempotency_key: IdempotencyKeyHeader,
    ) -> TokenizationPublic:
        account = body.custodian_account
        if principal.role == "custodian":
            if account is not None and account != principal.account:
                raise ApiError(
                    f"this key acts for registry account {principal.account}, not {account}",
                    code=ApiErrorCode.FORBIDDEN,
                    field="custodian_account",
                )
            account = principal.account
        if account is None:
            raise ApiError("custodian_account: the operator must name the account", field="custodian_account")
        try:
            request = TokenizationRequest(
                idempotency_key=idempotency_key,
                custodian_account=account,
                **body.model_dump(exclude={"custodian_account"}),
            )
        except ValidationError as exc:
            raise _invalid(exc, rename={"idempotency_key": "Idempotency-Key"}) from exc
        with service.lock:
            try:
                return service.engine.request_tokenization(request)
            except BridgeError as exc:
                if exc.field == "idempotency_key":  # named as the client sent it: the header
                    exc.field = "Idempotency-Key"
                raise

    @router.get("/tokenizations/{tokenization_id}", tags=tags, summary="One tokenization", **_docs(_TOKENIZATION, 404))
    def get_tokenization(service: ServiceDep, tokenization_id: IdPath) -> TokenizationPublic:
        with service.lock:
            return service.engine.get_tokenization(tokenization_id)

    @router.get("/tokenizations", tags=tags, summary="Tokenizations, newest first", **_docs(_page(_TOKENIZATION)))
    def list_tokenizations(
        service: ServiceDep,
        limit: Limit = 50,
        offset: Offset = 0,
        step: Annotated[TokenizeStep | None, Query(description="only this step")] = None,
        custodian_account: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    ) -> Page[TokenizationPublic]:
        query = select(Tokenization)
        if step is not None:
            query = query.where(Tokenization.step == step)
        if custodian_account is not None:
            query = query.where(Tokenization.custodian_account == custodian_account)
        with service.lock, service.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(Tokenization.id.desc()).limit(limit).offset(offset))
            return _paged([tokenization_public(r) for r in rows], total, limit, offset)


def _read_routes(router: APIRouter) -> None:
    batch_example = {
        "batch_key": _TOKENIZATION["batch_key"],
        "class_id": _CLASS,
        "token_address": _TOKEN,
        "registry": "ACCU",
        "original_serial": "ACCU-14-6445-17700",
        "current_serial": "ACCU-14-6445-17700",
        "remaining": 11256,
        "tokenization_id": 1,
        "created_at": _TIME,
    }

    @router.get(
        "/batches", tags=["classes"], summary="Bridged batches and what still backs them", **_docs(_page(batch_example))
    )
    def list_batches(
        service: ServiceDep,
        limit: Limit = 50,
        offset: Offset = 0,
        class_id: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{64}$")] = None,
    ) -> Page[BatchPublic]:
        query = select(Batch)
        if class_id is not None:
            query = query.where(Batch.class_id == class_id.lower())
        with service.lock, service.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(Batch.created_at, Batch.batch_key).limit(limit).offset(offset))
            items = [
                BatchPublic(
                    batch_key=b.batch_key,
                    class_id=b.class_id,
                    token_address=b.token_address,
                    registry=b.registry_code,
                    original_serial=b.original_serial,
                    current_serial=b.current_serial,
                    remaining=b.remaining,
                    tokenization_id=b.tokenization_id,
                    created_at=b.created_at,
                )
                for b in rows
            ]
            return _paged(items, total, limit, offset)

    class_example = {
        "class_id": _CLASS,
        "token_address": _TOKEN,
        "registry": "ACCU",
        "attributes": {"program": "ACCU", "project_id": "6445", "vintage_start": 20140101, "vintage_end": 20141231},
        "batches": 1,
        "total_supply": "11256000000000000000000",
    }

    @router.get(
        "/classes",
        tags=["classes"],
        summary="Credit classes with a token, and their attributes",
        **_docs(_page(class_example)),
    )
    def list_classes(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> Page[ClassPublic]:
        with service.lock:
            classes = _classes(service)
            return _paged(classes[offset : offset + limit], len(classes), limit, offset)

    redemption_example = {
        "id": 1,
        "step": "completed",
        "class_id": _CLASS,
        "holder": _ADDRESS,
        "tonnes": 10,
        "registry_account": "5",
        "released_serials": ["ACCU-14-6445-6454"],
        "cancel_reason": None,
        "error_code": None,
        "error_message": None,
        "tx_hash": _TOKENIZATION["tx_hash"],
    }

    @router.get(
        "/redemptions/{redemption_id}", tags=["redemptions"], summary="One redemption", **_docs(redemption_example, 404)
    )
    def get_redemption(service: ServiceDep, redemption_id: BigIdPath) -> RedemptionPublic:
        with service.lock:
            return service.engine.get_redemption(redemption_id)

    retirement_example = {
        "certificate_id": 1,
        "class_id": _CLASS,
        "retiree": _ADDRESS,
        "amount": "1500000000000000000",
        "settled": "1000000000000000000",
        "beneficiary": "Acme Airlines",
        "reason": "2025 scope 1 offsetting",
        "tx_hash": _TOKENIZATION["tx_hash"],
        "block_number": 12,
        "dropped": False,
        "created_at": _TIME,
    }

    @router.get(
        "/retirements", tags=["retirements"], summary="Retirement certificates", **_docs(_page(retirement_example))
    )
    def list_retirements(
        service: ServiceDep,
        limit: Limit = 50,
        offset: Offset = 0,
        beneficiary: Annotated[str | None, Query(min_length=1, max_length=256)] = None,
    ) -> Page[RetirementPublic]:
        query = select(Retirement)
        if beneficiary is not None:
            query = query.where(Retirement.beneficiary == beneficiary)
        with service.lock, service.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(query.order_by(Retirement.certificate_id).limit(limit).offset(offset))
            return _paged([_retirement(r) for r in rows], total, limit, offset)

    @router.get(
        "/retirements/{certificate_id}",
        tags=["retirements"],
        summary="One retirement certificate",
        **_docs(retirement_example, 404),
    )
    def get_retirement(service: ServiceDep, certificate_id: BigIdPath) -> RetirementPublic:
        with service.lock, service.store.session() as session:
            row = session.get(Retirement, certificate_id)
            if row is None:
                raise BridgeError(
                    f"no retirement certificate {certificate_id} (yet)",
                    code=BridgeErrorCode.NOT_FOUND,
                    field="certificate_id",
                )
            return _retirement(row)

    settlement_example = {
        "id": 1,
        "class_id": _CLASS,
        "tonnes": 1,
        "step": "completed",
        "certificates": [{"certificate_id": 1, "amount": "1000000000000000000"}],
        "registry_retirements": ["ACCU-14-6445-6445"],
        "error_code": None,
        "error_message": None,
        "tx_hash": _TOKENIZATION["tx_hash"],
    }

    @router.get(
        "/settlements",
        tags=["retirements"],
        summary="Registry settlements of on-chain retirements",
        **_docs(_page(settlement_example)),
    )
    def list_settlements(service: ServiceDep, limit: Limit = 50, offset: Offset = 0) -> Page[SettlementPublic]:
        with service.lock:
            settlements = service.engine.list_settlements()
        return _paged(settlements[offset : offset + limit], len(settlements), limit, offset)

    reserve_example = {
        "ok": True,
        "classes": [
            {
                "class_id": _CLASS,
                "token": _TOKEN,
                "units_in_trust": 11256,
                "total_supply": 11256 * 10**18,
                "escrowed": 0,
                "retired_unsettled": 0,
                "pending_mint_units": 0,
                "pending_release_units": 0,
                "pending_settlement_units": 0,
                "attested_reserve": 11256,
                "ok": True,
                "difference_wei": 0,
            }
        ],
        "checked_at": _TIME,
    }

    @router.get("/reserves", tags=["reserves"], summary="Proof of reserve, per class", **_docs(reserve_example))
    def get_reserves(service: ServiceDep) -> ReserveReport:
        with service.lock:
            return service.engine.proof_of_reserve()

    network_example = {
        "chain_id": 31337,
        "rpc_url": "http://127.0.0.1:8545",
        "bridge": _TOKEN,
        "trust_account": 9,
        "registry_api": "/registry",
        "confirmations": 2,
        "threshold": 2,
    }

    @router.get("/network", tags=["network"], summary="Chain, contract and trust account", **_docs(network_example))
    def get_network(service: ServiceDep) -> NetworkInfo:
        return NetworkInfo(
            chain_id=service.engine.chain.chain_id,
            rpc_url=service.rpc_url,
            bridge=service.onchain.deployment.address,
            trust_account=service.trust_account,
            registry_api="/registry",
            confirmations=service.settings.confirmations,
            threshold=service.settings.threshold,
        )

    verifiers_example = {
        "threshold": 2,
        "verifiers": [
            {"name": "verifier-0", "address": _ADDRESS, "active_on_chain": True, "attested_batches": 1},
        ],
    }

    @router.get(
        "/verifiers",
        tags=["verifiers"],
        summary="The verifier set and each verifier's status",
        **_docs(verifiers_example),
    )
    def list_verifiers(service: ServiceDep) -> VerifierSetPublic:
        bridge = service.onchain.deployment.bridge
        with service.lock, service.store.session() as session:
            attested = [a for row in session.scalars(select(Tokenization.attested_by)) for a in (row or [])]
            items = [
                VerifierPublic(
                    name=v.name,
                    address=v.address,
                    active_on_chain=bool(bridge.functions.isVerifier(v.address).call()),
                    attested_batches=attested.count(v.address),
                )
                for v in service.verifiers
            ]
        return VerifierSetPublic(threshold=service.settings.threshold, verifiers=items)

    @router.post(
        "/reserves/enforce",
        tags=["reserves"],
        summary="Check the reserve; on a mismatch pause minting (operator)",
        **_docs(reserve_example, 401, 403, 409),
    )
    def enforce_reserves(
        service: ServiceDep, principal: OperatorDep, idempotency_key: RepeatableKeyHeader = None
    ) -> ReserveReport:
        with service.lock:
            return service.engine.enforce_reserve()


def _operator_routes(router: APIRouter) -> None:
    @router.post(
        "/engine/run",
        tags=["operator"],
        summary="Drive every flow once, until idle (operator)",
        **_docs({"moved": 3}, 401, 403),
    )
    def run_engine(
        service: ServiceDep, principal: OperatorDep, idempotency_key: RepeatableKeyHeader = None
    ) -> EngineRun:
        with service.lock:
            return EngineRun(moved=service.engine.run_until_idle())


def _classes(service: BridgeService) -> list[ClassPublic]:
    found: dict[str, ClassPublic] = {}
    with service.store.session() as session:
        batches = dict(session.execute(select(Batch.class_id, func.count()).group_by(Batch.class_id)).all())
        rows = session.scalars(
            select(Tokenization)
            .where(Tokenization.class_id.is_not(None), Tokenization.step == TokenizeStep.COMPLETED)
            .order_by(Tokenization.id)
        )
        for row in rows:
            if row.class_id is None or row.class_id in found:
                continue
            token = service.engine.chain.class_token(row.class_id)
            found[row.class_id] = ClassPublic(
                class_id=row.class_id,
                token_address=token,
                registry=row.registry_code,
                attributes=dict(row.credit_class or {}),
                batches=int(batches.get(row.class_id, 0)),
                total_supply=str(service.engine.chain.total_supply(token) if token else 0),
            )
    return list(found.values())


def _retirement(row: Retirement) -> RetirementPublic:
    return RetirementPublic(
        certificate_id=row.certificate_id,
        class_id=row.class_id,
        retiree=row.retiree,
        amount=str(row.amount),
        settled=str(row.settled),
        beneficiary=row.beneficiary,
        reason=row.reason,
        tx_hash=row.event_tx,
        block_number=row.event_block,
        dropped=row.dropped,
        created_at=row.created_at,
    )


# --- errors ---------------------------------------------------------------------------------------


def _field(location: Any) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _invalid(exc: ValidationError | RequestValidationError, rename: dict[str, str] | None = None) -> ApiError:
    problems = []
    for error in exc.errors():
        location = list(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            location = location[:1]
        field = _field(location)
        if rename and field in rename:
            field = rename[field]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "is not a field of this request"
        problems.append({"field": field, "message": message, "type": str(error.get("type", ""))})
    first = problems[0] if problems else {"field": None, "message": "the request is not valid"}
    text = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    return ApiError(text, code=ApiErrorCode.INVALID_REQUEST, field=first["field"], details={"errors": problems})


def _coded_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CodedError)
    return JSONResponse(status_code=exc.http_status, content=exc.to_dict())


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _coded_error(request, _invalid(exc))


_HTTP_CODES: Final = {
    401: ApiErrorCode.UNAUTHORIZED,
    403: ApiErrorCode.FORBIDDEN,
    404: ApiErrorCode.ROUTE_NOT_FOUND,
    405: ApiErrorCode.METHOD_NOT_ALLOWED,
}


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, ApiErrorCode.INVALID_REQUEST)
    if exc.status_code == 404:
        message = f"no endpoint {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.url.path} does not accept {request.method}"
    else:
        message = str(exc.detail)
    return JSONResponse(
        status_code=exc.status_code, content={"code": str(code), "message": message}, headers=exc.headers
    )


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable in %s %s: %s", request.method, request.url.path, exc)
    error = ApiError("a database the bridge needs cannot be reached; retry", code=ApiErrorCode.DATABASE_UNAVAILABLE)
    return JSONResponse(status_code=error.http_status, content=error.to_dict())


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
    error = ApiError(f"the bridge failed unexpectedly ({type(exc).__name__})", code=ApiErrorCode.INTERNAL_ERROR)
    return JSONResponse(status_code=500, content=error.to_dict())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CodedError, _coded_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)  # a locked or unreachable database
    app.add_exception_handler(Exception, _internal_error)


# --- the app --------------------------------------------------------------------------------------


def create_app(service: BridgeService) -> FastAPI:
    """The bridge API for ``service`` under /v1, the registry's API beside it under /registry."""
    app = FastAPI(
        title="Carbon credit bridge",
        version="1.0",
        summary="Tokenize registry carbon credits, follow redemptions and retirements, check the reserve.",
        description=__doc__,
    )
    setattr(app.state, _STATE, service)

    @app.get(
        "/health",
        tags=["health"],
        summary="Ready when the service is",
        **_docs({"status": "ok", "chain_id": 31337, "bridge": _TOKEN, "head": 12}),
    )
    def health(request: Request) -> Health:
        current: BridgeService = getattr(request.app.state, _STATE)
        if not current.ready:
            raise ApiError("the bridge service is not ready", code=ApiErrorCode.NOT_READY)
        with current.lock:
            head = current.engine.chain.head()
        return Health(
            status="ok", chain_id=current.engine.chain.chain_id, bridge=current.onchain.deployment.address, head=head
        )

    app.include_router(bridge_router())
    from bridge.api.pools import pools_router  # imported here: it builds on this module's dependencies

    app.include_router(pools_router())
    try:
        from bridge.registry.api import registry_router
    except ImportError:  # the registry API is optional: the bridge API works without it
        log.warning("registry API not available: /registry is not served")
    else:
        app.include_router(registry_router(service.registry), prefix="/registry")
    install_error_handlers(app)
    return app
