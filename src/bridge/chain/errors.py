"""Errors of the chain layer: compiling, deploying and talking to an EVM."""

from __future__ import annotations

from bridge.errors import CodedError, declared_codes

ChainErrorCode = declared_codes("ChainErrorCode", "bridge.chain")
"""The codes, each with its HTTP status and meaning: ``error_codes.toml`` beside this module."""


class ChainError(CodedError):
    """Root of every error raised by the chain layer."""

    default_code = ChainErrorCode.CHAIN_UNAVAILABLE


class CompileError(ChainError):
    """Solidity compilation failed; ``diagnostics`` holds one ``file:line: message`` per error."""

    default_code = ChainErrorCode.COMPILE_FAILED

    def __init__(self, diagnostics: list[str]) -> None:
        super().__init__("\n".join(diagnostics), details={"diagnostics": diagnostics})
        self.diagnostics = diagnostics


class ContractRevert(ChainError):
    """A transaction or call reverted with a decoded custom error (``error_name``, ``error_args``)."""

    default_code = ChainErrorCode.CONTRACT_REVERTED

    def __init__(self, error_name: str, error_args: tuple[object, ...], raw: bytes = b"") -> None:
        shown = ", ".join(repr(a) for a in error_args)
        super().__init__(
            f"{error_name}({shown})",
            details={"error": error_name, "args": [str(a) for a in error_args]},
        )
        self.error_name = error_name
        self.error_args = error_args
        self.raw = raw
