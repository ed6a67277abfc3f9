"""Errors of the pool layer: Python-side validation before anything is sent to a pool contract.

A refusal by the contract itself surfaces as ``bridge.chain.errors.ContractRevert`` with the pool's custom
error named (``PoolClassNotEligible``, ``PoolInsufficientClassBalance``, ...); what Python can tell is wrong
without asking the chain (a zero amount, a swap of a class for itself, malformed rules) raises a
``PoolError`` with one of these codes instead.
"""

from __future__ import annotations

from bridge.errors import CodedError, declared_codes

PoolErrorCode = declared_codes("PoolErrorCode", "bridge.pools")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


class PoolError(CodedError):
    """Root of every error raised by the pool layer's own validation."""

    default_code = PoolErrorCode.INVALID_POOL_REQUEST
