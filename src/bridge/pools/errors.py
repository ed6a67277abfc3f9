"""Errors of the pool layer: Python-side validation before anything is sent to a pool contract.

A refusal by the contract itself surfaces as ``bridge.chain.errors.ContractRevert`` with the pool's custom
error named (``PoolClassNotEligible``, ``PoolInsufficientClassBalance``, ...); what Python can tell is wrong
without asking the chain (a zero amount, a swap of a class for itself, malformed rules) raises a
``PoolError`` with one of these codes instead.
"""

from __future__ import annotations

from bridge.errors import CodedError, ErrorCode


class PoolErrorCode(ErrorCode):
    INVALID_POOL_REQUEST = ("invalid_pool_request", 400, "A pool request is malformed; the field is named.")
    INVALID_POOL_RULES = (
        "invalid_pool_rules",
        400,
        "Pool rules are malformed (country not ISO-2, vintage not YYYYMMDD, unknown label, duplicate entry).",
    )
    INVALID_POOL_AMOUNT = ("invalid_pool_amount", 400, "A pool amount must be a positive whole number of wei.")
    SAME_CLASS_SWAP = ("same_class_swap", 400, "A swap must give one class and take another.")
    INVALID_POOL_FEE = ("invalid_pool_fee", 400, "A pool fee must be between 0 and 1,000 basis points.")
    INVALID_RETIREMENT_DETAILS = (
        "invalid_retirement_details",
        400,
        "A retirement needs a beneficiary (1-200 bytes) and a reason of at most 500 bytes.",
    )
    UNKNOWN_POOL_PRESET = ("unknown_pool_preset", 404, "No pool preset has that key.")
    POOL_NOT_ADMIN = (
        "pool_not_admin",
        403,
        "Setting caps at deployment needs the deploying account to be the pool's admin.",
    )
    # Refusals of the pools API, found before a trader signs anything (so no gas is spent on them).
    POOL_NOT_FOUND = ("pool_not_found", 404, "The bridge knows no pool at that address.")
    CLASS_NOT_ELIGIBLE = (
        "class_not_eligible",
        422,
        "The class token fails the pool's rules (the rule is named) or is not a class token of this bridge.",
    )
    POOL_CAP_EXCEEDED = (
        "pool_cap_exceeded",
        409,
        "The trade would take the pool past its supply cap or the class past its cap.",
    )
    INSUFFICIENT_BALANCE = ("insufficient_balance", 409, "The trader holds less than the amount they would give.")
    INSUFFICIENT_POOL_BALANCE = (
        "insufficient_pool_balance",
        409,
        "The pool holds less of the class than the trade would take out.",
    )
    POOL_PAUSED = ("pool_paused", 409, "The pool is paused: deposits and swaps wait; redemptions go on.")


class PoolError(CodedError):
    """Root of every error raised by the pool layer's own validation."""

    default_code = PoolErrorCode.INVALID_POOL_REQUEST
