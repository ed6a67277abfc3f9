"""Errors of a verifier, with their codes (its HTTP API answers them as every API of the project does)."""

from __future__ import annotations

from typing import Final

from bridge.errors import CodedError, ErrorCode
from bridge.http_errors import HttpErrorCatalogue


class VerifierErrorCode(ErrorCode):
    LOCK_REFUSED = (
        "lock_refused",
        422,
        "The verifier refused a lock of the batch: the registry does not show it locked as the leaf says "
        "(the leaf, the lock id and the reason are named). Nothing was signed.",
    )
    LOCK_ATTESTED_OTHERWISE = (
        "lock_attested_otherwise",
        409,
        "The verifier signed a different leaf for this lock id before; it never signs two. Nothing was signed.",
    )
    DEADLINE_REFUSED = ("deadline_refused", 422, "The batch's deadline has passed or is too far ahead.")
    INVALID_REQUEST = ("invalid_request", 422, "The attestation request is malformed; the field is named.")
    UNAUTHORIZED = ("unauthorized", 401, "No API key, or not the verifier's, was given (X-API-Key).")
    FORBIDDEN = ("forbidden", 403, "The key may not do this.")
    ROUTE_NOT_FOUND = ("route_not_found", 404, "No verifier endpoint has that path.")
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405, "The endpoint does not accept that HTTP method.")
    SOURCE_UNAVAILABLE = (
        "verifier_source_unavailable",
        503,
        "The verifier cannot read the registry or the chain right now: nothing was signed; retry.",
    )
    VERIFIER_UNAVAILABLE = (
        "verifier_unavailable",
        503,
        "A verifier cannot be reached, or answered with something that is not its API's JSON.",
    )
    MISCONFIGURED = (
        "verifier_misconfigured",
        400,
        "A verifier's settings are refused: the setting is named (keys, URLs, the registry read key's rights).",
    )
    INTERNAL_ERROR = ("verifier_internal_error", 500, "The verifier failed unexpectedly (a bug: it is logged).")


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
