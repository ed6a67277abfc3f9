"""The HTTP edge both APIs share: what is refused before a request reaches a route.

FastAPI reads and parses a request's body before it resolves the route's dependencies (the API-key check
among them), so without an edge an anonymous caller could make the server read and parse any body, and
try keys as fast as it liked. ``HttpEdge`` is an ASGI middleware that, before the app sees the request:

1. for an operation that needs an API key (the app's OpenAPI document says so: a security requirement
   naming an API-key scheme the edge has a check for), checks the key from the headers alone, without
   reading a byte of the body: a missing or unknown key is the API's own 401 ``unauthorized`` and counts
   against the client address; an address that failed too often is refused with 429 ``rate_limited``
   (and ``Retry-After``) whatever key it sends;
2. limits requests per API key (429 ``rate_limited``, ``Retry-After``);
3. caps the body: a ``Content-Length`` above ``max_body_bytes`` is 413 ``body_too_large`` at once, and a
   body sent without one (chunked) is counted as it streams and refused the moment it passes the cap. The
   app gets the body only once it is whole and within the cap.

Rate limits use the ``limits`` library (moving windows; in memory by default, or any storage it supports
by URI, e.g. ``redis://...`` for several API processes). The routes' own dependencies still check the key
(and its role): the edge is a gate in front of them, not a replacement.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.errors import CodedError, ErrorCode

KeyCheck = Callable[[str | None], object]
"""Checks a presented API key (None: none was sent); raises the API's coded 401 when it is not valid."""

_NO_ADDRESS: Final = "unknown"


class EdgeErrorCode(ErrorCode):
    BODY_TOO_LARGE = ("body_too_large", 413, "The request body is larger than the API accepts (nothing was read).")
    RATE_LIMITED = (
        "rate_limited",
        429,
        "Too many requests for this API key, or too many failed API keys from this address; retry after the "
        "Retry-After header's seconds.",
    )


class EdgeError(CodedError):
    """A request refused at the HTTP edge, before any route ran."""

    default_code = EdgeErrorCode.RATE_LIMITED


class EdgeLimits(BaseModel):
    """The HTTP edge's limits (``BRIDGE_HTTP__*`` in the bridge's settings). Rates in ``limits``' notation:
    ``"600/minute"``, ``"10/second"``, ``"20 per 1 minute"``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(default=1_048_576, ge=1_024, le=64 * 1_048_576, description="largest request body")
    requests_per_key: str = Field(default="600/minute", description="requests per API key")
    failed_auth_per_address: str = Field(
        default="20/minute", description="missing or unknown API keys per client address before it is refused"
    )
    rate_limit_storage: str = Field(
        default="memory://", description="where the counters live (limits' storage URI: memory://, redis://...)"
    )

    @field_validator("requests_per_key", "failed_auth_per_address")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate such as '600/minute' ({exc})") from None
        return value


@dataclass(frozen=True)
class _KeyedOperation:
    """An operation the OpenAPI document says needs an API key of ``scheme``, sent in header ``header``."""

    method: str
    path: re.Pattern[str]
    scheme: str
    header: str


def _keyed_operations(app: FastAPI, schemes: Collection[str]) -> list[_KeyedOperation]:
    """Every operation of ``app`` that requires a key of one of ``schemes``, from its OpenAPI document (the
    one place that says which routes need which key, derived by FastAPI from the routes' dependencies)."""
    document = app.openapi()
    components = document.get("components", {}).get("securitySchemes", {})
    found = []
    for template, item in document.get("paths", {}).items():
        pattern, _format, _converters = compile_path(template)
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            named = [name for requirement in operation.get("security", []) for name in requirement]
            scheme = next((name for name in named if name in schemes), None)
            if scheme is not None:
                found.append(_KeyedOperation(method.upper(), pattern, scheme, components[scheme]["name"]))
    return found


class HttpEdge:
    """The ASGI middleware (see the module doc) in front of ``fastapi_app``; ``checks`` maps the name of each
    API-key scheme its operations require (``APIKeyHeader(scheme_name=...)``) to the check of its keys."""

    def __init__(
        self, app: ASGIApp, *, limits: EdgeLimits, checks: Mapping[str, KeyCheck], fastapi_app: FastAPI
    ) -> None:
        self.app = app
        self.limits = limits
        self.checks = dict(checks)
        self._fastapi_app = fastapi_app
        self._limiter = MovingWindowRateLimiter(storage_from_string(limits.rate_limit_storage))
        self._per_key: RateLimitItem = parse(limits.requests_per_key)
        self._per_address: RateLimitItem = parse(limits.failed_auth_per_address)
        self._keyed: list[_KeyedOperation] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._gate(scope, headers)
        if refusal is None:
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.limits.max_body_bytes:
                refusal = self._too_large(f"{declared} bytes")
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        body = await self._read_body(receive)
        if body is None:
            await self._too_large("the streamed body")(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    # --- the key gate and the rates --------------------------------------------------------------

    def _keyed_operation(self, scope: Scope) -> _KeyedOperation | None:
        if self._keyed is None:  # every route is there by the first request
            self._keyed = _keyed_operations(self._fastapi_app, self.checks)
        method, path = scope["method"], scope["path"]
        return next((op for op in self._keyed if op.method == method and op.path.match(path)), None)

    def _gate(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        operation = self._keyed_operation(scope)
        if operation is None:
            return None
        address = scope["client"][0] if scope.get("client") else _NO_ADDRESS
        if not self._limiter.test(self._per_address, "failed-auth", address):
            return self._rate_limited(self._per_address, ("failed-auth", address), "too many failed API keys")
        key = headers.get(operation.header)
        try:
            self.checks[operation.scheme](key)
        except CodedError as exc:
            self._limiter.hit(self._per_address, "failed-auth", address)
            return _error(exc)
        assert key is not None  # a check passes only a key it knows
        identity = ("key", hashlib.sha256(key.encode()).hexdigest()[:32])
        if not self._limiter.hit(self._per_key, *identity):
            return self._rate_limited(self._per_key, identity, "too many requests for this API key")
        return None

    def _rate_limited(self, item: RateLimitItem, identity: tuple[str, str], why: str) -> JSONResponse:
        reset_at, _remaining = self._limiter.get_window_stats(item, *identity)
        wait = max(1, math.ceil(reset_at - time.time()))
        error = EdgeError(f"{why}: at most {item}; retry in {wait} s", code=EdgeErrorCode.RATE_LIMITED)
        return _error(error, headers={"Retry-After": str(wait)})

    # --- the body cap ----------------------------------------------------------------------------

    def _too_large(self, what: str) -> JSONResponse:
        limit = self.limits.max_body_bytes
        error = EdgeError(
            f"{what} exceed(s) the {limit:,}-byte limit of a request body",
            code=EdgeErrorCode.BODY_TOO_LARGE,
            details={"max_body_bytes": limit},
        )
        return _error(error, headers={"Connection": "close"})

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the cap (the rest is never read)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees an empty body and then the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _error(error: CodedError, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=error.http_status, content=error.to_dict(), headers=headers)


def install_http_edge(app: FastAPI, limits: EdgeLimits, checks: Mapping[str, KeyCheck]) -> None:
    """Put the edge in front of ``app``'s routes (outermost of its own middleware), and document what it
    answers in ``app``'s OpenAPI document; ``checks``: see ``HttpEdge``."""
    _document(app, limits, checks)
    app.add_middleware(HttpEdge, limits=limits, checks=checks, fastapi_app=app)


def _document(app: FastAPI, limits: EdgeLimits, schemes: Collection[str]) -> None:
    """Add the edge's 413 (operations with a body) and 429 (operations with a key) to the OpenAPI document."""
    generate = app.openapi

    def example(code: EdgeErrorCode, message: str) -> dict[str, Any]:
        return {
            "description": code.meaning,
            "content": {"application/json": {"example": {"code": str(code), "message": message}}},
        }

    too_large = example(
        EdgeErrorCode.BODY_TOO_LARGE,
        f"3000000 bytes exceed(s) the {limits.max_body_bytes:,}-byte limit of a request body",
    )
    limited = example(
        EdgeErrorCode.RATE_LIMITED, f"too many requests for this API key: at most {limits.requests_per_key}"
    )
    limited["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        for item in document.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict):
                    continue
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault("413", too_large)
                if any(name in schemes for requirement in operation.get("security", []) for name in requirement):
                    responses.setdefault("429", limited)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
