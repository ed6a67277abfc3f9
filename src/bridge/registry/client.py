"""Clients of the registry: the one interface the bridge (and anyone else) uses to talk to it.

``RegistryClient`` is the interface, and the only place its methods are written: the operations come
from the operation table (``bridge.registry.ledger.operations``), the ``list_*`` searches from the
search table (``bridge.registry.views``). Beneath it, two transports answer identically:

* ``InProcessRegistryClient(registry, api_key)``: calls the ledger in this process, through the very
  access rules the HTTP API applies (``bridge.registry._access``);
* ``HttpRegistryClient(base_url, api_key, http=...)``: calls the HTTP API (``bridge.registry.api``);
  ``http`` may be any ``httpx.Client``, e.g. FastAPI's ``TestClient``, so tests need no server.

An operation takes its request model's fields as keyword arguments (or a ready request model) and
``request_id`` (the idempotency key); there is no ``actor_account``: the API key decides who acts. A
bad field is refused before anything is sent (``invalid_request`` naming it). Both transports return
the same pydantic models and raise ``RegistryError`` with the same codes (the HTTP client rebuilds the
error from the response body; a connection failure is ``registry_unavailable``, 503). ``list_*``
methods return plain lists (all matches by default; ``limit``/``offset`` take a slice); ``search``
returns one page.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from bridge.http_client import HttpClientBase, error_body
from bridge.registry import auth, schemas
from bridge.registry import views as v
from bridge.registry._access import RegistryAccess
from bridge.registry._convert import validate
from bridge.registry.errors import (
    IntegrityViolationError,
    JournalCorruptError,
    RegistryError,
    RegistryErrorCode,
    ReplayError,
    SerialFormatError,
)
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import Operation, OperationMethods
from bridge.registry.views import lookup
from bridge.registry.views.lookup import check_id, check_lock_id, check_lock_ids, check_serials

T = TypeVar("T")
Answer = type[T] | TypeAdapter[T]
Local = Callable[[RegistryAccess], T]


@dataclass(frozen=True)
class Endpoint:
    """One request to the registry API (``keyed``: it carries the API key)."""

    method: str
    path: str
    params: dict[str, Any] | None = None
    body: Any = None
    keyed: bool = False
    request_id: str | None = None


class RegistryClient(OperationMethods, v.SearchLists, ABC):
    """The registry as one API key sees it (anonymous without a key: reads only)."""

    @abstractmethod
    def _call(self, endpoint: Endpoint, local: Local[T], answer: Answer[T]) -> T:
        """Ask the registry: over HTTP, ``endpoint`` (its answer parsed as ``answer``); in this process,
        ``local`` on the access the API key gives (anonymous unless ``endpoint.keyed``)."""

    # --- operations (the operation table) --------------------------------------------------------

    def _run_operation(
        self, op: Operation[Any, Any], request: BaseModel | None, /, *, request_id: str | None = None, **fields: Any
    ) -> Any:
        built = op.build(request, fields)
        values = built.model_dump(mode="json")
        path = op.path.format(**{name: values.pop(name) for name in op.path_fields})
        endpoint = Endpoint("POST", path, body=values or None, keyed=True, request_id=request_id)
        return self._call(endpoint, lambda access: access.execute(built, request_id=request_id), op.result)

    # --- public searches (the search table) ------------------------------------------------------

    def search(self, query: v.PageQuery, /) -> v.Page[Any]:
        """One page of the search ``query`` belongs to (``BlockQuery``: blocks, ...)."""
        found = v.search_for(query)
        endpoint = Endpoint("GET", found.path, params=query.model_dump(mode="json", exclude_none=True))
        return self._call(endpoint, lambda access: access.registry.search(query), v.Page[found.item])

    # --- public reads ----------------------------------------------------------------------------

    def _read_row(self, read: lookup.RowRead[T], row_id: int) -> T:
        """One row by its id (``read``: where the API serves it, what the ledger runs)."""
        return self._call(_get(read.path_of(row_id)), lambda a: a.registry.read_row(read, row_id), read.result)

    def get_program(self, code: str) -> schemas.ProgramPublic:
        return self._call(
            _get(f"/programs/{_segment(code)}"), lambda a: a.registry.get_program(code), schemas.ProgramPublic
        )

    def get_project(self, *, program: str, project_id: str) -> schemas.ProjectPublic:
        endpoint = _get(f"/projects/{_segment(program)}/{_segment(project_id)}")
        return self._call(
            endpoint, lambda a: a.registry.get_project(program=program, project_id=project_id), schemas.ProjectPublic
        )

    def get_issuance(self, issuance_id: int) -> schemas.IssuancePublic:
        return self._read_row(lookup.ISSUANCE, issuance_id)

    def issuance_totals(self, issuance_id: int) -> schemas.IssuanceTotals:
        return self._read_row(lookup.ISSUANCE_TOTALS, issuance_id)

    def get_block(self, block_id: int) -> schemas.UnitBlockPublic:
        return self._read_row(lookup.BLOCK, block_id)

    def get_credit(self, serial: str) -> schemas.CreditPublic:
        endpoint = Endpoint("GET", "/credits", params={"serial": serial})
        return self._call(endpoint, lambda a: a.registry.get_credit(serial), schemas.CreditPublic)

    def get_credits(self, serials: Sequence[str]) -> list[schemas.CreditPublic | None]:
        """``get_credit`` of each of ``serials`` (at most ``MAX_SERIALS_PER_READ``), in the order asked, None
        where no block has the serial, in one request: the read a bulk tokenization checks its credits with."""
        asked = list(serials)
        check_serials(asked)  # before a request is sent
        endpoint = Endpoint("POST", "/credits/read-many", body={"serials": asked})
        return self._call(endpoint, lambda a: a.registry.get_credits(asked), _CREDITS)

    def find_block(self, serial: str) -> schemas.UnitBlockPublic:
        """The block with exactly this serial (``block_not_found`` otherwise)."""
        return self.get_credit(serial).block

    def get_lock(self, lock_id: int) -> schemas.LockPublic:
        """A registry lock (``lock_not_found`` otherwise) and the blocks holding its units now."""
        endpoint = _get(f"/locks/{_lock_id(lock_id)}")
        return self._call(endpoint, lambda a: a.registry.get_lock(lock_id), schemas.LockPublic)

    def get_locked_credits(self, lock_ids: Sequence[int]) -> list[schemas.LockedCredit]:
        """The locks among ``lock_ids`` (at most ``MAX_LOCKS_PER_READ``) that exist, each with its credit,
        in one request: the read a verifier checks a whole batch with."""
        ids = list(lock_ids)
        check_lock_ids(ids)  # before a request is sent
        endpoint = Endpoint("GET", "/locked-credits", params={"lock_id": ids})
        return self._call(endpoint, lambda a: a.registry.get_locked_credits(ids), _LOCKED_CREDITS)

    def get_account(self, account_id: int) -> schemas.AccountPublic:
        return self._read_row(lookup.ACCOUNT, account_id)

    def account_balance(self, account_id: int) -> schemas.AccountBalance:
        return self._read_row(lookup.ACCOUNT_BALANCE, account_id)

    def journal_head(self) -> schemas.JournalCheckpoint:
        return self._call(_get("/journal/head"), lambda a: a.registry.journal_head(), schemas.JournalCheckpoint)

    def verify_journal(self, *, checkpoint: schemas.JournalCheckpoint | None = None) -> schemas.JournalReport:
        params = None if checkpoint is None else {"seq": checkpoint.seq, "hash": checkpoint.hash}
        endpoint = Endpoint("GET", "/journal/verify", params=params)
        return self._call(endpoint, lambda a: a.registry.verify_journal(checkpoint=checkpoint), schemas.JournalReport)

    def check_integrity(self) -> schemas.IntegrityReport:
        return self._call(_get("/integrity"), lambda a: a.registry.check_integrity(), schemas.IntegrityReport)

    # --- API keys --------------------------------------------------------------------------------

    def whoami(self) -> auth.ApiKeyPublic:
        return self._call(_get("/api-keys/me", keyed=True), lambda a: a.whoami(), auth.ApiKeyPublic)

    def create_api_key(
        self, *, accounts: list[int] | None = None, operator: bool = False, label: str | None = None
    ) -> auth.IssuedApiKey:
        request = validate(auth.ApiKeyCreate, {"accounts": accounts or [], "operator": operator, "label": label})
        body = request.model_dump(mode="json", exclude_none=True)
        endpoint = Endpoint("POST", "/api-keys", body=body, keyed=True)
        return self._call(endpoint, lambda a: a.create_api_key(request), auth.IssuedApiKey)

    def list_api_keys(self) -> list[auth.ApiKeyPublic]:
        return self._call(_get("/api-keys", keyed=True), lambda a: a.list_api_keys(), _API_KEYS)

    def revoke_api_key(self, key_id: int) -> auth.ApiKeyPublic:
        endpoint = Endpoint("DELETE", f"/api-keys/{_path_id(key_id, 'key_id')}", keyed=True)
        return self._call(endpoint, lambda a: a.revoke_api_key(key_id), auth.ApiKeyPublic)


_API_KEYS: Final = TypeAdapter(list[auth.ApiKeyPublic])
_LOCKED_CREDITS: Final = TypeAdapter(list[schemas.LockedCredit])
_CREDITS: Final = TypeAdapter(list[schemas.CreditPublic | None])


def _get(path: str, *, keyed: bool = False) -> Endpoint:
    return Endpoint("GET", path, keyed=keyed)


def _segment(value: str) -> str:
    return quote(value, safe="")


def _lock_id(value: int) -> str:
    check_lock_id(value)
    return str(value)


def _path_id(value: int, field: str) -> str:
    """An id for a URL path, refused here as the ledger would refuse it."""
    check_id(value, field)
    return str(value)


# --- in-process ------------------------------------------------------------------------------------


class InProcessRegistryClient(RegistryClient):
    """The registry in this process, seen through API key ``api_key`` (None: anonymous, reads only).

    The key is resolved on every keyed call, so a revoked key stops working at once, as over HTTP.
    """

    def __init__(self, registry: Registry, api_key: str | None = None) -> None:
        self.registry = registry
        self.api_key = api_key
        self._public = RegistryAccess(registry, None)

    def _call(self, endpoint: Endpoint, local: Local[T], answer: Answer[T]) -> T:
        if endpoint.keyed:
            return local(RegistryAccess(self.registry, auth.resolve_api_key(self.registry, self.api_key)))
        return local(self._public)


# --- over HTTP -------------------------------------------------------------------------------------

_ERROR_CLASSES: Final[dict[RegistryErrorCode, type[RegistryError]]] = {
    RegistryErrorCode.SERIAL_MALFORMED: SerialFormatError,
    RegistryErrorCode.JOURNAL_CORRUPT: JournalCorruptError,
    RegistryErrorCode.INTEGRITY_VIOLATION: IntegrityViolationError,
    RegistryErrorCode.REPLAY_DIVERGED: ReplayError,
}
_GATEWAY_STATUSES: Final = frozenset({502, 503, 504})


def error_from_response(response: httpx.Response) -> RegistryError:
    """The ``RegistryError`` an error response of the registry API stands for."""
    error = error_body(response)
    if error is not None and error.message is not None:
        code = error.code_in(RegistryErrorCode)
        if code is not None:
            return error.error(_ERROR_CLASSES.get(code, RegistryError), code)
        return RegistryError(
            f"the registry answered {response.status_code} with unknown code {error.code}: {error.message}",
            code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
            details={"status": response.status_code, "code": error.code},
        )
    if response.status_code in _GATEWAY_STATUSES:
        return RegistryError(
            f"the registry is unavailable (HTTP {response.status_code})",
            code=RegistryErrorCode.REGISTRY_UNAVAILABLE,
            details={"status": response.status_code},
        )
    return RegistryError(
        f"the registry answered HTTP {response.status_code} without a registry error body",
        code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
        details={"status": response.status_code},
    )


class HttpRegistryClient(RegistryClient, HttpClientBase):
    """The registry's HTTP API at ``base_url`` (e.g. ``http://localhost:8000/registry``).

    ``http`` is the ``httpx.Client`` to send with (default: a new one with ``timeout`` seconds, closed by
    ``close()``); FastAPI's ``TestClient`` works too, with ``base_url`` relative to it (``"/registry"``).
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        HttpClientBase.__init__(self, http, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key

    def _call(self, endpoint: Endpoint, local: Local[T], answer: Answer[T]) -> T:
        data = self._send(endpoint)
        try:
            if isinstance(answer, TypeAdapter):
                return answer.validate_python(data)
            return answer.model_validate(data)  # type: ignore[attr-defined, no-any-return]
        except ValidationError as exc:
            raise RegistryError(
                f"the registry's answer is not what {endpoint.method} {endpoint.path} returns: "
                f"{exc.errors(include_url=False)[0]['msg']}",
                code=RegistryErrorCode.REGISTRY_BAD_RESPONSE,
            ) from exc

    def _send(self, endpoint: Endpoint) -> Any:
        headers: dict[str, str] = {"Accept": "application/json"}
        if endpoint.keyed and self.api_key is not None:
            headers[auth.API_KEY_HEADER] = self.api_key
        if endpoint.request_id is not None:
            headers[auth.IDEMPOTENCY_HEADER] = endpoint.request_id
        try:
            response = self.http.request(
                endpoint.method,
                self.base_url + endpoint.path,
                params=endpoint.params or None,
                json=endpoint.body,
                headers=headers,
            )
        except httpx.TransportError as exc:
            raise RegistryError(
                f"the registry at {self.base_url} cannot be reached: {exc}",
                code=RegistryErrorCode.REGISTRY_UNAVAILABLE,
            ) from exc
        except httpx.InvalidURL as exc:
            raise RegistryError(f"invalid registry request URL: {exc}", code=RegistryErrorCode.INVALID_REQUEST) from exc
        if response.is_success:
            try:
                return response.json()
            except ValueError as exc:
                raise RegistryError(
                    "the registry answered with a body that is not JSON", code=RegistryErrorCode.REGISTRY_BAD_RESPONSE
                ) from exc
        raise error_from_response(response)
