"""Errors of a verifier, with their codes (its HTTP API answers them as every API of the project does)."""

from __future__ import annotations

from typing import Final

from bridge.errors import CodedError, declared_codes
from bridge.http_errors import HttpErrorCatalogue

VerifierErrorCode = declared_codes("VerifierErrorCode", "bridge.verifier")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


class VerifierError(CodedError):
    """Root of every error a verifier raises."""

    default_code = VerifierErrorCode.LOCK_REFUSED


HTTP_ERRORS: Final = HttpErrorCatalogue.of(
    VerifierError,
    unavailable=VerifierErrorCode.SOURCE_UNAVAILABLE,
    internal=VerifierErrorCode.INTERNAL_ERROR,
    subject="the verifier",
    endpoint="verifier endpoint",
    unavailable_message="the verifier's memory cannot be reached; retry",
)
