"""What a node's refusal means, from its message (nodes agree on the words, not on the codes): geth, anvil,
Erigon, Nethermind and the large RPC providers word these the same way or close to it."""

from __future__ import annotations

import json
from typing import Final

_NONCE_TOO_LOW: Final = ("nonce too low", "nonce is too low", "nonce has already been used", "oldnonce")
_ALREADY_KNOWN: Final = ("already known", "known transaction", "already imported", "alreadyknown")
_UNDERPRICED: Final = ("underpriced", "fee too low", "replacement fee too low")
_LOG_LIMIT: Final = (
    "query returned more than",
    "too many results",
    "response size exceeded",
    "response size should not",
    "log response size",
    "block range",
    "range too large",
    "range is too large",
    "exceed maximum block range",
    "limit exceeded",
    "query timeout exceeded",
    "-32005",
)


def node_message(exc: BaseException) -> str:
    """Everything the node said about ``exc``, lower case (web3 keeps the JSON-RPC error beside the text)."""
    said = [str(exc)]
    response = getattr(exc, "rpc_response", None)
    if response:
        said.append(json.dumps(response, default=str))
    return " ".join(said).lower()


def _says(exc: BaseException, phrases: tuple[str, ...]) -> bool:
    message = node_message(exc)
    return any(phrase in message for phrase in phrases)


def nonce_too_low(exc: BaseException) -> bool:
    """The nonce is spent: a transaction with it was mined (ours, a replacement of ours, or another sender's)."""
    return _says(exc, _NONCE_TOO_LOW)


def already_known(exc: BaseException) -> bool:
    """The node has this very transaction already."""
    return _says(exc, _ALREADY_KNOWN)


def underpriced(exc: BaseException) -> bool:
    """Refused for its fees (a replacement that does not raise them enough, say)."""
    return _says(exc, _UNDERPRICED)


def log_limit(exc: BaseException) -> bool:
    """An ``eth_getLogs`` refused for its block range or its number of results: ask for less."""
    return _says(exc, _LOG_LIMIT)
