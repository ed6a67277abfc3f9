"""How the bridge engine asks a verifier: one interface, two transports.

* ``HttpVerifier(url, api_key)``: the production one, a verifier service reached over HTTP (one request per
  batch); ``http`` may be any ``httpx.Client`` (FastAPI's ``TestClient`` too);
* ``InProcessVerifier(service)``: a ``VerifierService`` in this process (tests, the pytest plugin): the same
  checking code, no network.

Both answer ``identity()`` and ``attest(request)`` and refuse with the verifier's coded errors; a verifier
that cannot be reached, or answers something that is not its API's JSON, is ``verifier_unavailable``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from bridge.errors import ErrorBody
from bridge.http_client import HttpClientBase
from bridge.verifier.errors import VerifierError, VerifierErrorCode
from bridge.verifier.schemas import AttestationPublic, AttestationRequest, VerifierIdentity
from bridge.verifier.service import VerifierService

M = TypeVar("M", bound=BaseModel)


class VerifierClient(Protocol):
    """A verifier as the engine sees it."""

    @property
    def url(self) -> str:
        """Where it is reached (``in-process:<name>`` for one in this process)."""
        ...

    def identity(self) -> VerifierIdentity: ...

    def attest(self, request: AttestationRequest) -> AttestationPublic: ...


class InProcessVerifier:
    def __init__(self, service: VerifierService) -> None:
        self.service = service

    @property
    def url(self) -> str:
        return f"in-process:{self.service.name}"

    def identity(self) -> VerifierIdentity:
        return self.service.identity()

    def attest(self, request: AttestationRequest) -> AttestationPublic:
        # the HTTP API takes the request as JSON: so does this, so both see exactly the same bytes' meaning
        return self.service.attest(AttestationRequest.model_validate_json(request.model_dump_json()))


class HttpVerifier(HttpClientBase):
    def __init__(
        self, url: str, api_key: str | None, *, http: httpx.Client | None = None, timeout: float = 60.0
    ) -> None:
        super().__init__(http, timeout=timeout)
        self._url = url.rstrip("/")
        self.api_key = api_key

    @property
    def url(self) -> str:
        return self._url

    def identity(self) -> VerifierIdentity:
        return self._send("GET", "/v1/identity", VerifierIdentity)

    def attest(self, request: AttestationRequest) -> AttestationPublic:
        return self._send("POST", "/v1/attestations", AttestationPublic, body=request.model_dump(mode="json"))

    def _send(self, method: str, path: str, answer: type[M], *, body: Any = None) -> M:
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        try:
            response = self.http.request(method, self._url + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _unavailable(f"the verifier at {self._url} cannot be reached: {exc}") from exc
        try:
            data = response.json()
        except ValueError:
            data = None
        if not response.is_success:
            raise _error_from(response.status_code, data, self._url)
        try:
            return answer.model_validate(data)
        except ValidationError as exc:
            raise _unavailable(f"the verifier at {self._url} answered {path} with something else") from exc


def _unavailable(message: str) -> VerifierError:
    return VerifierError(message, code=VerifierErrorCode.VERIFIER_UNAVAILABLE)


def _error_from(status: int, body: Any, url: str) -> VerifierError:
    error = ErrorBody.of(body)
    if error is not None and error.message is not None:
        code = error.code_in(VerifierErrorCode)
        if code is not None:
            return error.error(VerifierError, code)
        return _unavailable(f"the verifier at {url} answered {status} {error.code}: {error.message}")
    return _unavailable(f"the verifier at {url} answered HTTP {status} without a verifier error body")
