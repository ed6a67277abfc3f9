"""Every operation of the registry, declared once.

An ``Operation`` names what it takes (its request model: the fields, see ``bridge.registry.requests``),
what it returns, the handler that applies it in the ledger, who may ask for it (``Access``) and where
the registry API serves it. Everything else is derived from this table: the ``Registry`` methods and
``Registry.execute``, both clients' methods, the API's write endpoints and their OpenAPI bodies, the
access rules' choice between holder and operator, and replay.

``OperationMethods`` (inherited by ``Registry`` and ``RegistryClient``) has each requested operation as a
method: ``owner.transfer(request=None, /, *, request_id=None, **fields)`` builds the request model from
``fields`` (a bad field is ``invalid_request`` naming it) or takes a ready one, and hands it to the
owner's ``_run_operation``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, Final, Generic, Protocol, TypeVar, overload

from pydantic import BaseModel

from bridge.registry._blocks import Tx
from bridge.registry._convert import validate
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import accounts, issuance, movements
from bridge.registry.requests import (
    AccountCreate,
    BufferRequest,
    CancelRequest,
    CloseAccountRequest,
    FreezeRequest,
    ImmobilizeManyRequest,
    ImmobilizeRequest,
    InitRequest,
    IssueRequest,
    ProgramCreate,
    ProjectCreate,
    ReleaseRequest,
    RetireFromTrustRequest,
    RetireRequest,
    TransferRequest,
    UnfreezeRequest,
)
from bridge.registry.schemas import (
    AccountPublic,
    BlockOperationResult,
    Genesis,
    IssuanceResult,
    ProgramPublic,
    ProjectPublic,
)

Req = TypeVar("Req", bound=BaseModel)
Res = TypeVar("Res", bound=BaseModel)
Req_contra = TypeVar("Req_contra", bound=BaseModel, contravariant=True)
Res_co = TypeVar("Res_co", bound=BaseModel, covariant=True)


class Access(StrEnum):
    """Who may ask for an operation (``bridge.registry.auth`` has the rules)."""

    HOLDER = "holder"
    """An API key, on units of the accounts it acts for; the ledger receives that account as the actor."""
    OPERATOR = "operator"
    """The registry operator's key only; the operator acts for no account."""
    GENESIS = "genesis"
    """Written once by ``Registry.initialize``; nobody asks for it."""


@dataclass(frozen=True)
class Operation(Generic[Req, Res]):
    """One registry operation: the single declaration everything else is derived from."""

    name: str
    request: type[Req]
    result: type[Res]
    handler: Callable[[Tx, Req], Res]
    access: Access
    path: str = ""
    """The registry API's ``POST`` endpoint; ``{field}`` segments are request fields taken from the path."""
    summary: str = ""
    created: bool = False
    """The API answers ``201 Created`` (the operation creates a resource)."""
    on_behalf: bool = False
    """The operator may also do it to any account's units (a holder operation, on a holder's behalf)."""

    @property
    def path_fields(self) -> tuple[str, ...]:
        """The request fields the API takes from the path (the others are the JSON body)."""
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def body_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.request.model_fields if name not in self.path_fields)

    def build(self, request: Req | None, fields: Mapping[str, Any]) -> Req:
        """The request model: ``request`` as given, or built from ``fields`` (a ``RegistryError`` naming
        the first bad field otherwise)."""
        if request is None:
            return validate(self.request, dict(fields))
        if fields or not isinstance(request, self.request):
            raise RegistryError(
                f"{self.name} takes one {self.request.__name__}, or its fields as keyword arguments",
                code=RegistryErrorCode.INVALID_REQUEST,
            )
        return request


# --- the table -------------------------------------------------------------------------------------

INIT_REGISTRY: Final = Operation("init_registry", InitRequest, Genesis, accounts.init_registry, Access.GENESIS)

TRANSFER: Final = Operation(
    "transfer",
    TransferRequest,
    BlockOperationResult,
    movements.transfer,
    Access.HOLDER,
    "/transfers",
    "Transfer held units to another holding account",
)
RETIRE: Final = Operation(
    "retire",
    RetireRequest,
    BlockOperationResult,
    movements.retire,
    Access.HOLDER,
    "/retirements",
    "Retire held units for a beneficiary (final; operator: on a holder's behalf, also a past retirement)",
    on_behalf=True,
)
CANCEL: Final = Operation(
    "cancel",
    CancelRequest,
    BlockOperationResult,
    movements.cancel,
    Access.HOLDER,
    "/cancellations",
    "Cancel held units (operator: also buffer units, any account, a past cancellation)",
    on_behalf=True,
)
MOVE_TO_BUFFER: Final = Operation(
    "move_to_buffer",
    BufferRequest,
    BlockOperationResult,
    movements.move_to_buffer,
    Access.HOLDER,
    "/buffer-deposits",
    "Move held units into the buffer pool",
    on_behalf=True,
)
IMMOBILIZE: Final = Operation(
    "immobilize",
    ImmobilizeRequest,
    BlockOperationResult,
    movements.immobilize,
    Access.HOLDER,
    "/immobilizations",
    "Lock held units in a trust account for a token (tokenization)",
)
IMMOBILIZE_MANY: Final = Operation(
    "immobilize_many",
    ImmobilizeManyRequest,
    BlockOperationResult,
    movements.immobilize_many,
    Access.HOLDER,
    "/immobilization-batches",
    "Lock many selections of held units in a trust account at once (one lock id each, consecutive)",
)
RELEASE: Final = Operation(
    "release",
    ReleaseRequest,
    BlockOperationResult,
    movements.release,
    Access.HOLDER,
    "/releases",
    "Release immobilized units from trust to a holding account",
)
RETIRE_FROM_TRUST: Final = Operation(
    "retire_from_trust",
    RetireFromTrustRequest,
    BlockOperationResult,
    movements.retire_from_trust,
    Access.HOLDER,
    "/trust-retirements",
    "Retire immobilized units, settling retirements made on-chain",
)
CREATE_PROGRAM: Final = Operation(
    "create_program",
    ProgramCreate,
    ProgramPublic,
    accounts.create_program,
    Access.OPERATOR,
    "/programs",
    "Register a crediting program",
    created=True,
)
CREATE_PROJECT: Final = Operation(
    "create_project",
    ProjectCreate,
    ProjectPublic,
    accounts.create_project,
    Access.OPERATOR,
    "/projects",
    "Register a project and its labels",
    created=True,
)
CREATE_ACCOUNT: Final = Operation(
    "create_account",
    AccountCreate,
    AccountPublic,
    accounts.create_account,
    Access.OPERATOR,
    "/accounts",
    "Open an account",
    created=True,
)
CLOSE_ACCOUNT: Final = Operation(
    "close_account",
    CloseAccountRequest,
    AccountPublic,
    accounts.close_account,
    Access.OPERATOR,
    "/accounts/{account_id}/close",
    "Close an account that holds no live units",
)
ISSUE: Final = Operation(
    "issue",
    IssueRequest,
    IssuanceResult,
    issuance.issue,
    Access.OPERATOR,
    "/issuances",
    "Issue a project's vintage into a holding account",
    created=True,
)
FREEZE: Final = Operation(
    "freeze",
    FreezeRequest,
    BlockOperationResult,
    movements.freeze,
    Access.OPERATOR,
    "/freezes",
    "Freeze units issued in error",
)
UNFREEZE: Final = Operation(
    "unfreeze",
    UnfreezeRequest,
    BlockOperationResult,
    movements.unfreeze,
    Access.OPERATOR,
    "/unfreezes",
    "Unfreeze frozen units",
)

OPERATIONS: Final[Mapping[str, Operation[Any, Any]]] = {
    op.name: op
    for op in (
        INIT_REGISTRY,
        TRANSFER,
        RETIRE,
        CANCEL,
        MOVE_TO_BUFFER,
        IMMOBILIZE,
        IMMOBILIZE_MANY,
        RELEASE,
        RETIRE_FROM_TRUST,
        CREATE_PROGRAM,
        CREATE_PROJECT,
        CREATE_ACCOUNT,
        CLOSE_ACCOUNT,
        ISSUE,
        FREEZE,
        UNFREEZE,
    )
}
"""Every journaled operation by name (the journal records the name)."""
REQUESTED: Final = tuple(op for op in OPERATIONS.values() if op.access is not Access.GENESIS)
"""The operations callers ask for, in the API's order: holder operations, then the operator's."""
_BY_REQUEST: Final = {op.request: op for op in OPERATIONS.values()}


def operation_for(request: BaseModel) -> Operation[Any, Any]:
    """The operation ``request`` is the request model of."""
    op = _BY_REQUEST.get(type(request))
    if op is None:
        raise RegistryError(
            f"{type(request).__name__} is not the request of a registry operation",
            code=RegistryErrorCode.INVALID_REQUEST,
        )
    return op


# --- operations as methods -------------------------------------------------------------------------


class OperationCall(Protocol[Req_contra, Res_co]):
    """``transfer(request=None, /, *, request_id=None, **fields)`` (the ledger's also take ``actor_account``)."""

    def __call__(self, request: Req_contra | None = None, /, **options: Any) -> Res_co: ...


class RunsOperations(Protocol):
    """An owner of ``OperationMethod`` attributes: it runs the operation the method stands for."""

    OPERATION_OPTIONS: tuple[str, ...]

    def _run_operation(self, operation: Operation[Any, Any], request: Any, /, **options: Any) -> Any: ...


class OperationMethod(Generic[Req, Res]):
    """``Owner.<name> = OperationMethod(OPERATION)``: the operation as a method of ``Owner``.

    Calls go to ``owner._run_operation(operation, request, **options)``. The method's signature (for
    ``help()`` and editors) is derived from the request model: its fields as keyword arguments, plus the
    owner's ``OPERATION_OPTIONS`` (``request_id``; the ledger's ``actor_account``).
    """

    def __init__(self, operation: Operation[Req, Res]) -> None:
        self.operation = operation

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self.operation.name:
            raise TypeError(f"{owner.__name__}.{name} stands for operation {self.operation.name}: name it so")

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> OperationMethod[Req, Res]: ...

    @overload
    def __get__(self, obj: RunsOperations, owner: type | None = None) -> OperationCall[Req, Res]: ...

    def __get__(self, obj: RunsOperations | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        operation, run = self.operation, obj._run_operation

        def call(request: Req | None = None, /, **options: Any) -> Res:
            return run(operation, request, **options)  # type: ignore[no-any-return]

        call.__name__ = call.__qualname__ = operation.name
        call.__doc__ = operation.handler.__doc__
        call.__signature__ = _signature(operation, tuple(obj.OPERATION_OPTIONS))  # type: ignore[attr-defined]
        return call


class OperationMethods:
    """Every operation callers ask for, as a method. The owner runs them (``_run_operation``); a test
    checks that this list and ``REQUESTED`` agree."""

    OPERATION_OPTIONS: ClassVar[tuple[str, ...]] = ("request_id",)

    def _run_operation(self, operation: Operation[Any, Any], request: Any, /, **options: Any) -> Any:
        raise NotImplementedError

    transfer = OperationMethod(TRANSFER)
    retire = OperationMethod(RETIRE)
    cancel = OperationMethod(CANCEL)
    move_to_buffer = OperationMethod(MOVE_TO_BUFFER)
    immobilize = OperationMethod(IMMOBILIZE)
    immobilize_many = OperationMethod(IMMOBILIZE_MANY)
    release = OperationMethod(RELEASE)
    retire_from_trust = OperationMethod(RETIRE_FROM_TRUST)
    create_program = OperationMethod(CREATE_PROGRAM)
    create_project = OperationMethod(CREATE_PROJECT)
    create_account = OperationMethod(CREATE_ACCOUNT)
    close_account = OperationMethod(CLOSE_ACCOUNT)
    issue = OperationMethod(ISSUE)
    freeze = OperationMethod(FREEZE)
    unfreeze = OperationMethod(UNFREEZE)


@cache
def _signature(operation: Operation[Any, Any], options: tuple[str, ...]) -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_ONLY, default=None, annotation=operation.request)
    ]
    parameters += [inspect.Parameter(option, keyword, default=None) for option in options]
    for name, field in operation.request.model_fields.items():
        default = inspect.Parameter.empty if field.is_required() else field.get_default(call_default_factory=True)
        parameters.append(inspect.Parameter(name, keyword, default=default, annotation=field.annotation))
    return inspect.Signature(parameters, return_annotation=operation.result)
