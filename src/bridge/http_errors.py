"""One error-handler stack for every HTTP API of the project: each error becomes the JSON body
``{"code", "message", "field"?, "details"?}`` with its code's HTTP status.

- a ``CodedError`` (any layer's) keeps its own code and status;
- a malformed request (FastAPI's validation) is 422 with the first problem's field named, every problem
  listed in ``details.errors``;
- an unknown path or method, a missing key or role, is the API's own routing or auth code;
- a database that cannot be reached (SQLAlchemy's ``OperationalError``) is 503, anything else a logged 500.

What differs between the bridge API and the registry API is their ``HttpErrorCatalogue``: the codes those
responses carry, a few words of their messages, and how a 422 names the field. The stack is the same.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bridge.errors import CodedError, ErrorCode

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)
_LOCATIONS = ("body", "query", "path", "header")


@dataclass(frozen=True)
class HttpErrorCatalogue:
    """The codes and words one API's error responses use (everything else is shared)."""

    error: type[CodedError]  # the API's own error class, for the errors the stack makes
    invalid_request: ErrorCode  # 422: the request's shape is wrong
    unauthorized: ErrorCode  # 401
    forbidden: ErrorCode  # 403
    route_not_found: ErrorCode  # 404 for a path no route has
    method_not_allowed: ErrorCode  # 405
    unavailable: ErrorCode  # 503: a database cannot be reached
    internal: ErrorCode  # 500: a bug
    subject: str  # who failed, in the 500 message: "the bridge failed unexpectedly"
    endpoint: str  # what a 404 says is missing: "no endpoint GET /x"
    unavailable_message: str
    # 422s name the field as the client wrote it (``quantity``, not ``body.quantity``) and say what is wrong
    # without pydantic's "Value error, " prefix; False keeps FastAPI's location (``body.quantity``)
    plain_fields: bool = True

    @classmethod
    def of(
        cls,
        error: type[CodedError],
        *,
        unavailable: ErrorCode,
        internal: ErrorCode,
        subject: str,
        endpoint: str,
        unavailable_message: str,
        plain_fields: bool = True,
    ) -> HttpErrorCatalogue:
        """The catalogue of an API whose ``error`` class has its own code enum (its ``default_code``'s), naming
        the edge's codes as every API of the project does (``INVALID_REQUEST``, ``UNAUTHORIZED``, ``FORBIDDEN``,
        ``ROUTE_NOT_FOUND``, ``METHOD_NOT_ALLOWED``)."""
        if error.default_code is None:
            raise TypeError(f"{error.__name__} has no default_code, so no code enum to take the edge's codes from")
        codes = type(error.default_code)
        return cls(
            error=error,
            invalid_request=codes["INVALID_REQUEST"],
            unauthorized=codes["UNAUTHORIZED"],
            forbidden=codes["FORBIDDEN"],
            route_not_found=codes["ROUTE_NOT_FOUND"],
            method_not_allowed=codes["METHOD_NOT_ALLOWED"],
            unavailable=unavailable,
            internal=internal,
            subject=subject,
            endpoint=endpoint,
            unavailable_message=unavailable_message,
            plain_fields=plain_fields,
        )

    def validated(self, model: type[M], **fields: Any) -> M:
        """``model`` built from ``fields`` outside a request (a CLI's options, a page's form), or the same
        refusal the API answers a bad query with (``invalid``)."""
        try:
            return model(**fields)
        except ValidationError as exc:
            raise self.invalid(exc) from None

    def invalid(
        self, exc: ValidationError | RequestValidationError, *, rename: dict[str, str] | None = None
    ) -> CodedError:
        """The 422 a validation failure stands for; ``rename`` names fields as the client sent them."""
        problems = [self._problem(error, rename or {}) for error in exc.errors()]
        first = problems[0] if problems else {"field": None, "message": "the request is not valid"}
        text = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
        return self.error(text, code=self.invalid_request, field=first["field"], details={"errors": problems})

    def _problem(self, error: Any, rename: dict[str, str]) -> dict[str, Any]:
        location = list(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            location = location[:1]
        field = self._field(location)
        field = rename.get(field, field) if field else field
        message = str(error.get("msg", "is not valid"))
        if self.plain_fields:
            message = message.removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "is not a field of this request"
        return {"field": field, "message": message, "type": str(error.get("type", ""))}

    def _field(self, location: Sequence[Any]) -> str | None:
        parts = [str(part) for part in location if not (self.plain_fields and part in _LOCATIONS)]
        return ".".join(parts) or None


def install_error_handlers(app: FastAPI, catalogue: HttpErrorCatalogue) -> None:
    """Answer every error of ``app`` with the JSON error body, using ``catalogue``'s codes and words."""

    def coded_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CodedError)
        return _json(exc)

    def validation_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _json(catalogue.invalid(exc), status=422)  # whatever status the code has when a layer refuses

    http_codes = {
        401: catalogue.unauthorized,
        403: catalogue.forbidden,
        404: catalogue.route_not_found,
        405: catalogue.method_not_allowed,
    }

    def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = http_codes.get(exc.status_code, catalogue.invalid_request)
        if exc.status_code == 404:
            message = f"no {catalogue.endpoint} {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.url.path} does not accept {request.method}"
        else:
            message = str(exc.detail)
        return JSONResponse(
            status_code=exc.status_code, content={"code": str(code), "message": message}, headers=exc.headers
        )

    def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable in %s %s: %s", request.method, request.url.path, exc)
        return _json(catalogue.error(catalogue.unavailable_message, code=catalogue.unavailable))

    def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path, exc_info=exc)
        message = f"{catalogue.subject} failed unexpectedly ({type(exc).__name__})"
        return _json(catalogue.error(message, code=catalogue.internal))

    app.add_exception_handler(CodedError, coded_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(OperationalError, database_unavailable)  # a locked or unreachable database
    app.add_exception_handler(Exception, internal_error)


def _json(error: CodedError, *, status: int | None = None) -> JSONResponse:
    return JSONResponse(status_code=status or error.http_status, content=error.to_dict())
