"""Errors of the bridge engine, with their codes."""

from __future__ import annotations

from bridge.errors import CodedError, ErrorCode


class BridgeErrorCode(ErrorCode):
    INVALID_REQUEST = ("invalid_request", 400, "The request is malformed; the field is named.")
    IDEMPOTENCY_CONFLICT = (
        "idempotency_conflict",
        409,
        "The idempotency key was used before with a different request body.",
    )
    NOT_FOUND = ("not_found", 404, "No such tokenization, redemption, settlement or class.")
    NOT_ELIGIBLE = ("not_eligible", 422, "The credit fails the bridge's eligibility policy (the rule is named).")
    BLOCK_NOT_AVAILABLE = (
        "block_not_available",
        409,
        "The serial block is not held by the custodian's account (moved, immobilized, retired or frozen).",
    )
    ALREADY_BRIDGED = ("already_bridged", 409, "The serial block is already bridged or being bridged.")
    ATTESTATION_REFUSED = ("attestation_refused", 422, "A verifier refused to attest (its reason is given).")
    NOT_ENOUGH_ATTESTATIONS = (
        "not_enough_attestations",
        503,
        "Fewer on-chain verifiers than the threshold attested (unreachable, or refusing: their reasons are "
        "given); the flow waits and asks again, backing off.",
    )
    MINT_BLOCKED = (
        "mint_blocked",
        503,
        "An alarm on a tokenization: the contract refuses its mint on a dry run (the refusal is named). Nothing "
        "is sent; the engine backs off exponentially per batch and tries a dry run again.",
    )
    RESERVE_MISMATCH = ("reserve_mismatch", 409, "Registry and chain disagree on a class's reserve; minting paused.")
    CHAIN_FAILURE = ("chain_failure", 503, "A chain transaction failed; the flow will be retried.")
    AMBIGUOUS_CLASS = ("ambiguous_class", 409, "A class name matches several classes; the candidates are listed.")
    PERSONAL_DATA_MISMATCH = (
        "personal_data_mismatch",
        422,
        "The personal data given does not hash to the retirement's on-chain personal data hash.",
    )
    PERSONAL_DATA_NOT_HASHED = (
        "personal_data_not_hashed",
        409,
        "The retirement names its beneficiary on-chain: there is no personal data hash to disclose against.",
    )
    REGISTRY_REQUEST_CONFLICT = (
        "registry_request_conflict",
        409,
        "An alarm on a flow: the registry recorded a different request under the engine's own request id. "
        "The flow waits (never cancelled) until an operator looks into it.",
    )


class BridgeError(CodedError):
    """Root of every error raised by the bridge engine."""

    default_code = BridgeErrorCode.INVALID_REQUEST
