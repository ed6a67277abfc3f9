"""Errors of the chain layer: compiling, deploying and talking to an EVM."""

from __future__ import annotations

from bridge.errors import CodedError, ErrorCode


class ChainErrorCode(ErrorCode):
    SOLC_NOT_FOUND = ("solc_not_found", 500, "No Solidity compiler: set BRIDGE_SOLC, put solc on PATH, or npm ci.")
    COMPILE_FAILED = ("compile_failed", 500, "The Solidity sources did not compile.")
    ARTIFACT_MISSING = ("artifact_missing", 500, "A compiled contract artifact is missing or out of date.")
    CONTRACT_REVERTED = ("contract_reverted", 422, "The contract refused the call (its custom error is named).")
    CHAIN_UNAVAILABLE = ("chain_unavailable", 503, "The chain backend cannot be reached.")
    INVALID_CHAIN_CONFIG = ("invalid_chain_config", 400, "The chain backend setting is not understood.")
    INVALID_LOCK_BATCH = (
        "invalid_lock_batch",
        400,
        "A batch of locks or its Merkle proof is malformed: no locks, one lock twice, or a lock not in the batch.",
    )
    INVALID_ADMIN_CHANGE = (
        "invalid_admin_change",
        400,
        "An admin change is unknown or a value of it is malformed (the value is named); nothing was proposed.",
    )
    FEE_ABOVE_CAP = (
        "fee_above_cap",
        503,
        "The chain's base fee is above the bridge's fee cap (chain_policy.max_fee_gwei): nothing was sent; "
        "it is tried again when fees fall.",
    )
    TX_NOT_MINED = (
        "tx_not_mined",
        504,
        "A sent transaction was not mined in time (replacements included); it may still be: wait again.",
    )
    TX_DROPPED = (
        "tx_dropped",
        503,
        "The node no longer knows a sent transaction, or another one took its nonce: it will not be mined.",
    )
    LOGS_TOO_MANY = (
        "logs_too_many",
        503,
        "The node refuses the logs of even one block in one call (its result limit is too small).",
    )
    ATTACH_INCOMPLETE = (
        "attach_incomplete",
        400,
        "Attaching to a chain needs the bridge's address and the block to watch from (bridge_address and "
        "start_block); deploying a new bridge on a JSON-RPC chain needs deploy_bridge.",
    )
    NOT_A_DEV_CHAIN = (
        "not_a_dev_chain",
        400,
        "Mining and snapshots need a development chain (in-process EVM, anvil); "
        "a node reached by URL mines on its own.",
    )


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
