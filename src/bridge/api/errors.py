"""Errors of the bridge's HTTP edge (authentication, routing, request shape), with their codes."""

from __future__ import annotations

from typing import Final

from bridge.errors import CodedError, ErrorCode
from bridge.http_errors import HttpErrorCatalogue


class ApiErrorCode(ErrorCode):
    INVALID_REQUEST = ("invalid_request", 422, "The request is malformed; the field is named.")
    UNAUTHORIZED = ("unauthorized", 401, "No API key, or an unknown one, was given (X-API-Key).")
    FORBIDDEN = ("forbidden", 403, "The API key's role or account does not allow this operation.")
    ROUTE_NOT_FOUND = ("route_not_found", 404, "No bridge API endpoint has that path.")
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405, "The endpoint does not accept that HTTP method.")
    NOT_READY = ("not_ready", 503, "The bridge service is not ready.")
    DATABASE_UNAVAILABLE = ("database_unavailable", 503, "The bridge's or the registry's database cannot be reached.")
    BRIDGE_UNAVAILABLE = ("bridge_unavailable", 503, "The bridge API cannot be reached (the SDK's connection failed).")
    BAD_RESPONSE = ("bad_response", 502, "The bridge API answered with something that is not the expected JSON.")
    INTERNAL_ERROR = ("internal_error", 500, "The bridge failed unexpectedly (a bug: it is logged).")


class ApiError(CodedError):
    """Root of the errors raised at the bridge API's edge."""

    default_code = ApiErrorCode.INVALID_REQUEST


HTTP_ERRORS: Final = HttpErrorCatalogue.of(
    ApiError,
    unavailable=ApiErrorCode.DATABASE_UNAVAILABLE,
    internal=ApiErrorCode.INTERNAL_ERROR,
    subject="the bridge",
    endpoint="endpoint",
    unavailable_message="a database the bridge needs cannot be reached; retry",
)
"""How the bridge API's error responses read (``bridge.http_errors``)."""
