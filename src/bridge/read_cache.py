"""Reads that cost chain calls (the proof of reserve, class pages), answered once per block."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

from pydantic import BaseModel

READ_CACHE_S: Final = 2.0
"""The longest a cached read is served within one block: the registry and the engine database move between
blocks too (a lock, a flow step), so a slow chain does not freeze what the API shows."""
M = TypeVar("M", bound=BaseModel)


class BlockCache:
    """Answers of reads that cost chain calls, kept while the chain's head stays the same block (and at most
    ``READ_CACHE_S`` seconds: the registry and the engine database move between blocks too). Callers get
    copies: an answer is never changed in place."""

    def __init__(self, ttl: float = READ_CACHE_S) -> None:
        self.ttl = ttl
        self._head = -1
        self._answers: dict[object, tuple[float, BaseModel]] = {}
        self._lock = threading.Lock()

    def get(self, key: object, head: int, compute: Callable[[], M]) -> M:
        now = time.monotonic()
        with self._lock:
            if head != self._head:
                self._head, self._answers = head, {}
            found = self._answers.get(key)
        if found is None or now - found[0] > self.ttl:
            answer = compute()
            with self._lock:
                if head == self._head:
                    self._answers[key] = (now, answer)
            return answer.model_copy(deep=True)
        return found[1].model_copy(deep=True)  # type: ignore[return-value]
