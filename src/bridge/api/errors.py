"""Errors of the bridge's HTTP edge (authentication, routing, request shape), with their codes."""

from __future__ import annotations

from typing import Final

from bridge.errors import CodedError, declared_codes
from bridge.http_errors import HttpErrorCatalogue

ApiErrorCode = declared_codes("ApiErrorCode", "bridge.api")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


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
