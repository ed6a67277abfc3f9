"""The simulated registry's HTTP API (FastAPI), shaped like a real registry's.

* Public search, no key: programs, projects, issuances, unit blocks, retirements (with beneficiaries),
  credits by serial, accounts, the journal and its verification, the integrity check. Lists are pages
  ``{items, total, limit, offset}`` (``limit`` at most ``views.MAX_PAGE``).
* Account operations with an API key (header ``X-API-Key``; see ``bridge.registry.auth`` for who may do
  what): transfer, retire, cancel, move to buffer, immobilize, release, retire from trust; operator
  only: create programs, projects and accounts, close accounts, issue, freeze and unfreeze, API keys.
  An ``Idempotency-Key`` header makes a retry return the first result (the ledger's ``request_id``).
  These endpoints are made from the operation table (``bridge.registry.ledger.operations``): each
  operation's path, summary and status, and its request model as the body; the searches' from the
  search table (``bridge.registry.views``), their query models as the query parameters.
* Errors: every refusal is JSON ``{"code", "message", "field"?, "details"?}`` with the code's status;
  a malformed request is 422 ``invalid_request`` with ``field`` naming the input (``body.quantity``,
  ``query.limit``); a refused request changes nothing.

``create_registry_app(registry)`` is the standalone app; ``registry_router()`` mounts the same endpoints
in another app (``install_registry_api`` does it all: router, state and error handlers).
Endpoints are plain ``def``: FastAPI runs them in its thread pool, and the ledger is thread-safe.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Path, Query, Request, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.http_edge import EdgeLimits, KeyCheck, install_http_edge
from bridge.http_errors import HttpErrorCatalogue
from bridge.http_errors import install_error_handlers as install_http_error_handlers
from bridge.registry import auth, schemas, views
from bridge.registry._access import RegistryAccess
from bridge.registry._convert import validate
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.examples import ACR_SERIAL, EXAMPLES
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import REQUESTED, Access, Operation
from bridge.registry.views import lookup
from bridge.registry.views.lookup import MAX_LOCKS_PER_READ, MAX_SERIALS_PER_READ

API_KEY_HEADER: Final = auth.API_KEY_HEADER
IDEMPOTENCY_HEADER: Final = auth.IDEMPOTENCY_HEADER
_STATE: Final = "registry_ledger"


class ErrorResponse(BaseModel):
    """Every refusal: a stable machine-readable ``code``, a message, and the input at fault."""

    code: str = Field(examples=["insufficient_units"])
    message: str = Field(examples=["quantity 500 is more than the 200 units of block ACR-US-412-2019-1203-1 to 200"])
    field: str | None = Field(None, examples=["quantity"])
    details: dict[str, Any] | None = None


READ_ONLY: Final = "x-read-only"
"""Marks a POST that only reads (its body would not fit a URL): public, no Idempotency-Key, changes nothing."""


class CreditsRead(BaseModel):
    """Serials to read at once (a POST: as many serials of up to 300 characters do not fit a URL)."""

    model_config = ConfigDict(extra="forbid")

    serials: list[Annotated[str, StringConstraints(min_length=1, max_length=300)]] = Field(
        max_length=MAX_SERIALS_PER_READ
    )


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorResponse} for code in statuses}


_READ_ERRORS: Final = _errors(404, 422)
_SEARCH_ERRORS: Final = _errors(422)
_OPERATION_ERRORS: Final = _errors(400, 401, 403, 404, 409, 422)
_PUBLIC: Final[list[str | Any]] = ["public search"]
_OPERATION_TAGS: Final[dict[Access, list[str | Any]]] = {
    Access.HOLDER: ["account operations"],
    Access.OPERATOR: ["operator operations"],
}


# --- dependencies ----------------------------------------------------------------------------------


def get_registry(request: Request) -> Registry:
    """The registry this API serves (bound by ``registry_router(registry)`` or ``app.state``)."""
    registry = getattr(request.state, _STATE, None) or getattr(request.app.state, _STATE, None)
    if not isinstance(registry, Registry):
        raise RegistryError("no registry is configured for this API", code=RegistryErrorCode.REGISTRY_UNAVAILABLE)
    return registry


RegistryDep = Annotated[Registry, Depends(get_registry)]

api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="RegistryApiKey",
    auto_error=False,
    description="An API key issued by the registry operator; it acts for its own registry accounts.",
)


def get_principal(registry: RegistryDep, key: Annotated[str | None, Security(api_key_scheme)] = None) -> auth.Principal:
    """The caller's API key (401 ``unauthorized`` when missing, unknown or revoked)."""
    return auth.resolve_api_key(registry, key)


PrincipalDep = Annotated[auth.Principal, Depends(get_principal)]


def get_keyed_access(registry: RegistryDep, principal: PrincipalDep) -> RegistryAccess:
    return RegistryAccess(registry, principal)


KeyedDep = Annotated[RegistryAccess, Depends(get_keyed_access)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        description="Retrying with the same key returns the first result; the same key with another request "
        "is refused (idempotency_conflict).",
    ),
]
IdPath = Annotated[int, Path(description="a row id (the ledger refuses unknown ones)")]


def _bind(registry: Registry) -> Any:
    def bind_registry(request: Request) -> None:
        setattr(request.state, _STATE, registry)

    return Depends(bind_registry)


# --- the router ------------------------------------------------------------------------------------


def registry_router(registry: Registry | None = None) -> APIRouter:
    """The registry's endpoints, to mount under a prefix (``app.include_router(router, prefix="/registry")``).

    With ``registry`` the router serves that registry; without, the app provides it (``app.state``, see
    ``install_registry_api``, or ``app.dependency_overrides[get_registry]``). The app must also install
    the error handlers (``install_error_handlers``) for the documented error bodies.
    """
    router = APIRouter(dependencies=[_bind(registry)] if registry is not None else [])
    _public_routes(router)
    for operation in REQUESTED:
        _operation_route(router, operation)
    _api_key_routes(router)
    return router


def _operation_route(router: APIRouter, op: Operation[Any, Any]) -> None:
    """``POST op.path``: the operation's request model is the body (``{field}`` path segments excepted)."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("access", keyword, annotation=KeyedDep)]
    parameters += [inspect.Parameter(name, keyword, annotation=IdPath) for name in op.path_fields]
    if op.path_fields and op.body_fields:
        raise TypeError(f"{op.name}: a request comes either from the path or from the body")
    if op.body_fields:
        body = Annotated[op.request, Body(openapi_examples=EXAMPLES[op.name])]  # type: ignore[name-defined]
        parameters.append(inspect.Parameter("body", keyword, annotation=body))
    parameters.append(inspect.Parameter("idempotency_key", keyword, default=None, annotation=IdempotencyKey))

    def endpoint(
        access: RegistryAccess, idempotency_key: str | None = None, body: BaseModel | None = None, **path: Any
    ) -> Any:
        request = body if body is not None else validate(op.request, path)
        return access.execute(request, request_id=idempotency_key)

    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    router.add_api_route(
        op.path,
        endpoint,
        methods=["POST"],
        name=op.name,
        response_model=op.result,
        status_code=status.HTTP_201_CREATED if op.created else status.HTTP_200_OK,
        tags=_OPERATION_TAGS[op.access],
        summary=op.summary,
        responses=_OPERATION_ERRORS,
    )


def _search_route(router: APIRouter, search: views.Search[Any, Any]) -> None:
    """``GET search.path``: the search's query model is the query parameters; a page of its items."""
    keyword = inspect.Parameter.KEYWORD_ONLY

    def endpoint(registry: Registry, query: views.PageQuery) -> views.Page[Any]:
        return registry.search(query)

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("registry", keyword, annotation=RegistryDep),
            inspect.Parameter("query", keyword, annotation=Annotated[search.query, Query()]),  # type: ignore[name-defined]
        ]
    )
    router.add_api_route(
        search.path,
        endpoint,
        methods=["GET"],
        name=f"list_{search.name}",
        response_model=views.Page[search.item],  # type: ignore[name-defined]
        tags=_PUBLIC,
        summary=search.summary,
        responses=_SEARCH_ERRORS,
    )


def _lookup_route(router: APIRouter, read: lookup.RowRead[BaseModel]) -> None:
    """``GET read.path``: the ledger's ``read`` of the one row id the path names, named and typed as it is."""
    keyword = inspect.Parameter.KEYWORD_ONLY

    def endpoint(registry: Registry, **row_id: int) -> BaseModel:
        return registry.read_row(read, row_id[read.id_name])

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("registry", keyword, annotation=RegistryDep),
            inspect.Parameter(read.id_name, keyword, annotation=IdPath),
        ]
    )
    router.add_api_route(
        read.path,
        endpoint,
        methods=["GET"],
        name=read.name,
        response_model=read.result,
        tags=_PUBLIC,
        summary=read.summary,
        responses=_READ_ERRORS,
    )


def _public_routes(router: APIRouter) -> None:
    tags = _PUBLIC
    read = partial(router.get, tags=tags, responses=_READ_ERRORS)

    _search_route(router, views.PROGRAMS)

    @read("/programs/{code}", summary="One crediting program")
    def get_program(registry: RegistryDep, code: str) -> schemas.ProgramPublic:
        return registry.get_program(code)

    _search_route(router, views.PROJECTS)

    @read("/projects/{program}/{project_id:path}", summary="One project")
    def get_project(registry: RegistryDep, program: str, project_id: str) -> schemas.ProjectPublic:
        return registry.get_project(program=program, project_id=project_id)

    _search_route(router, views.ISSUANCES)

    _lookup_route(router, lookup.ISSUANCE)
    _lookup_route(router, lookup.ISSUANCE_TOTALS)

    _search_route(router, views.BLOCKS)

    _lookup_route(router, lookup.BLOCK)

    @read("/locks/{lock_id}", summary="One registry lock (an immobilization) and the blocks holding its units now")
    def get_lock(
        registry: RegistryDep, lock_id: Annotated[int, Path(description="a registry lock id")]
    ) -> schemas.LockPublic:
        return registry.get_lock(lock_id)

    @read("/locked-credits", summary="Many registry locks at once, each with the credit its units belong to")
    def get_locked_credits(
        registry: RegistryDep,
        lock_id: Annotated[
            list[int],
            Query(
                max_length=MAX_LOCKS_PER_READ,
                description="registry lock ids (repeat the parameter); ids no lock has are left out of the answer",
            ),
        ] = [],  # noqa: B006 (FastAPI copies a default; none asked: none answered)
    ) -> list[schemas.LockedCredit]:
        return registry.get_locked_credits(lock_id)

    _search_route(router, views.RETIREMENTS)

    @read("/credits", summary="One credit block by serial, with its issuance, project and program")
    def get_credit(
        registry: RegistryDep,
        serial: Annotated[str, Query(min_length=1, max_length=300, examples=[ACR_SERIAL])],
    ) -> schemas.CreditPublic:
        return registry.get_credit(serial)

    @router.post(
        "/credits/read-many",
        tags=tags,
        openapi_extra={READ_ONLY: True},
        responses=_SEARCH_ERRORS,
        summary="Many credit blocks by serial at once, in the order asked (null where no block has the serial)",
    )
    def get_credits(
        registry: RegistryDep, body: Annotated[CreditsRead, Body(openapi_examples=EXAMPLES["get_credits"])]
    ) -> list[schemas.CreditPublic | None]:
        return registry.get_credits(body.serials)

    @read("/credits/{serial:path}", summary="One credit block by serial (in the path, URL-encoded)")
    def get_credit_by_path(registry: RegistryDep, serial: str) -> schemas.CreditPublic:
        return registry.get_credit(serial)

    _search_route(router, views.ACCOUNTS)

    _lookup_route(router, lookup.ACCOUNT)
    _lookup_route(router, lookup.ACCOUNT_BALANCE)

    _search_route(router, views.JOURNAL)

    @router.get("/journal/head", tags=tags, summary="The journal's newest entry: a checkpoint to publish")
    def journal_head(registry: RegistryDep) -> schemas.JournalCheckpoint:
        return registry.journal_head()

    @read("/journal/verify", summary="Re-check the journal's hash chain")
    def verify_journal(
        registry: RegistryDep,
        seq: Annotated[int | None, Query(ge=0, le=2**62, description="a checkpoint kept elsewhere: its seq")] = None,
        checkpoint_hash: Annotated[
            str | None,
            Query(alias="hash", pattern="^[0-9a-f]{64}$", description="a checkpoint kept elsewhere: its hash"),
        ] = None,
    ) -> schemas.JournalReport:
        if (seq is None) != (checkpoint_hash is None):
            raise RegistryError(
                "give both seq and hash of the checkpoint, or neither",
                code=RegistryErrorCode.INVALID_REQUEST,
                field="query.hash" if checkpoint_hash is None else "query.seq",
            )
        checkpoint = None
        if seq is not None and checkpoint_hash is not None:
            checkpoint = schemas.JournalCheckpoint(seq=seq, hash=checkpoint_hash)
        return registry.verify_journal(checkpoint=checkpoint)

    @router.get("/integrity", tags=tags, summary="Check uniqueness and conservation of every unit")
    def check_integrity(registry: RegistryDep) -> schemas.IntegrityReport:
        return registry.check_integrity()


def _api_key_routes(router: APIRouter) -> None:
    tags: list[str | Any] = ["API keys"]
    common: dict[str, Any] = {"tags": tags, "responses": _errors(401, 403, 404, 422)}

    @router.get("/api-keys/me", summary="The API key making this request", **common)
    def whoami(access: KeyedDep) -> auth.ApiKeyPublic:
        return access.whoami()

    @router.post(
        "/api-keys",
        summary="Create an API key (operator); the key is shown in this response only",
        status_code=status.HTTP_201_CREATED,
        **common,
    )
    def create_api_key(
        access: KeyedDep, body: Annotated[auth.ApiKeyCreate, Body(openapi_examples=EXAMPLES["create_api_key"])]
    ) -> auth.IssuedApiKey:
        return access.create_api_key(body)

    @router.get("/api-keys", summary="Every API key (operator; never the keys themselves)", **common)
    def list_api_keys(access: KeyedDep) -> list[auth.ApiKeyPublic]:
        return access.list_api_keys()

    @router.delete("/api-keys/{key_id}", summary="Revoke an API key (operator)", **common)
    def revoke_api_key(access: KeyedDep, key_id: IdPath) -> auth.ApiKeyPublic:
        return access.revoke_api_key(key_id)


# --- errors ----------------------------------------------------------------------------------------

HTTP_ERRORS: Final = HttpErrorCatalogue.of(
    RegistryError,
    unavailable=RegistryErrorCode.REGISTRY_UNAVAILABLE,
    internal=RegistryErrorCode.REGISTRY_INTERNAL_ERROR,
    subject="the registry",
    endpoint="registry endpoint",
    unavailable_message="the registry database is unavailable",
    plain_fields=False,  # a 422 names the input where it was: body.quantity, query.limit
)
"""The registry API's error codes and words; the handlers are the project's one stack (``bridge.http_errors``)."""


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to the registry's JSON error body (any ``CodedError`` keeps its own code)."""
    install_http_error_handlers(app, HTTP_ERRORS)


def install_registry_api(app: FastAPI, registry: Registry, *, prefix: str = "/registry") -> None:
    """Serve ``registry`` under ``prefix`` in ``app``, with the registry's error handlers."""
    app.include_router(registry_router(registry), prefix=prefix)
    install_error_handlers(app)


def key_checks(registry: Registry) -> dict[str, KeyCheck]:
    """The registry's key scheme and the check of its keys, for the HTTP edge (``bridge.http_edge``)."""
    return {api_key_scheme.scheme_name: partial(auth.resolve_api_key, registry)}


def create_registry_app(registry: Registry, *, prefix: str = "", limits: EdgeLimits | None = None) -> FastAPI:
    """A standalone app serving ``registry`` (``uvicorn`` it, or test it with ``TestClient``), behind the
    HTTP edge (``limits``: its body cap and rate limits; default ``EdgeLimits()``)."""
    app = FastAPI(
        title="Simulated carbon registry",
        version="1.0",
        summary="A registry of carbon credits like Verra's: public search, holders' operations, operator tools.",
        description=__doc__,
    )
    setattr(app.state, _STATE, registry)
    app.include_router(registry_router(), prefix=prefix)
    install_error_handlers(app)
    install_http_edge(app, limits or EdgeLimits(), key_checks(registry))
    return app
