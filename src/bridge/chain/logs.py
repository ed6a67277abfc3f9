"""Event logs over any span of blocks, in pieces a node will serve.

Nodes and providers cap ``eth_getLogs`` by block range, by number of results, or by response size, each
with its own words (``bridge.chain.node_errors.log_limit``). ``LogScanner`` asks for at most
``log_max_span`` blocks at a time and halves a range the node refuses, down to one block; the span that
last worked is remembered so the next calls do not start too big again (it doubles back after
``GROW_AFTER`` calls in a row were served whole). ``spans`` gives the pieces of a long range, so a caller
can record its progress after each (a cursor per event stream, as the engine's watcher keeps) and a
restart resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from web3 import Web3
from web3.types import LogReceipt

from bridge.chain import node_errors
from bridge.chain.errors import ChainError, ChainErrorCode

log = logging.getLogger(__name__)
GROW_AFTER = 8


class LogScanner:
    def __init__(self, w3: Web3, max_span: int = 2_000) -> None:
        if max_span < 1:
            raise ValueError("max_span must be at least one block")
        self.w3 = w3
        self.max_span = max_span
        self.span = max_span  # what the node served last: the size of the next request
        self._served = 0  # requests of ``span`` blocks served in a row

    def spans(self, start: int, end: int, span: int | None = None) -> Iterator[tuple[int, int]]:
        """``start..end`` in consecutive inclusive pieces of at most ``span`` blocks (default ``max_span``)."""
        size = span or self.max_span
        while start <= end:
            yield start, min(start + size - 1, end)
            start += size

    def get_logs(self, filter_params: dict[str, Any], start: int, end: int) -> list[LogReceipt]:
        """Every log matching ``filter_params`` (address, topics) in blocks ``start..end``, in chain order."""
        found: list[LogReceipt] = []
        position = start
        while position <= end:
            piece_end = min(position + self.span - 1, end)
            found += self._fetch(filter_params, position, piece_end)
            position = piece_end + 1
        return found

    def _fetch(self, filter_params: dict[str, Any], start: int, end: int) -> list[LogReceipt]:
        try:
            logs = self.w3.eth.get_logs({**filter_params, "fromBlock": start, "toBlock": end})  # type: ignore[typeddict-item]
        except Exception as exc:
            if not node_errors.log_limit(exc):
                raise
            if start == end:
                raise ChainError(
                    f"the node refuses the logs of block {start} even alone: {exc}", code=ChainErrorCode.LOGS_TOO_MANY
                ) from exc
            middle = (start + end) // 2
            self.span, self._served = max(1, middle - start + 1), 0
            log.info("the node refused the logs of blocks %s..%s (%s): %s blocks a call", start, end, exc, self.span)
            return self._fetch(filter_params, start, middle) + self._fetch(filter_params, middle + 1, end)
        if end - start + 1 >= self.span and self.span < self.max_span:
            self._served += 1
            if self._served >= GROW_AFTER:
                self.span, self._served = min(self.span * 2, self.max_span), 0
        return list(logs)
