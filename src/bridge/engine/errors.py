"""Errors of the bridge engine, with their codes."""

from __future__ import annotations

from bridge.errors import CodedError, declared_codes

BridgeErrorCode = declared_codes("BridgeErrorCode", "bridge.engine")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


class BridgeError(CodedError):
    """Root of every error raised by the bridge engine."""

    default_code = BridgeErrorCode.INVALID_REQUEST
