"""The bridge engine: tokenize, redeem and retire as durable, crash-safe flows.

Each flow is a row in the engine database whose ``step`` says what has been done; every step is
idempotent (registry operations carry a request id, chain operations are guarded by on-chain state),
so a restart simply drives every unfinished flow forward again.
"""
