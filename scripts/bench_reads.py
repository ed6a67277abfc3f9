"""Read endpoints as batches grow: GET /v1/reserves and /v1/classes with 200 bridged batches, on anvil.

Before: the proof of reserve computed for every request (what the route did before reads were cached per
block). After: ``BridgeService.reserves()`` and ``classes()``, computed once per block and answered from
the cache while the head stays there. Counts the JSON-RPC requests each read makes and times it.
Writes bench/reads.json.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from web3._utils.http_session_manager import HTTPSessionManager

from bench_bridge import demo_serials, tokenize_all
from bridge.local import local_service
from bridge.settings import ANVIL

OUT = Path("bench/reads.json")
BATCHES = 200
REPEATS = 10


def counted() -> list[int]:
    """A counter of the JSON-RPC requests every HTTP connection to a node makes from now on."""
    count = [0]
    post = HTTPSessionManager.make_post_request

    def counting(self: HTTPSessionManager, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return post(self, *args, **kwargs)

    HTTPSessionManager.make_post_request = counting  # type: ignore[method-assign]
    return count


def measure(read: Callable[[], object], count: list[int]) -> tuple[float, int]:
    before, started = count[0], time.perf_counter()
    read()
    return time.perf_counter() - started, count[0] - before


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = local_service(tmp, max_batch=50, chain=ANVIL)
        try:
            tokenize_all(service, demo_serials(service, BATCHES, first_quantity=10), tag="reads")
            assert not service.engine.tokenize.pending_ids(), "tokenizations left unfinished"
            count = counted()
            before = [measure(service.engine.proof_of_reserve, count) for _ in range(3)]
            first = measure(service.reserves, count)
            after = [measure(service.reserves, count) for _ in range(REPEATS)]
            classes_first = measure(lambda: service.classes(limit=100), count)
            classes_after = [measure(lambda: service.classes(limit=100), count) for _ in range(REPEATS)]
            assert service.reserves().ok
        finally:
            service.close()
    result = {
        "batches": BATCHES,
        "chain": "anvil",
        "reserves_before_s": round(statistics.median(t for t, _ in before), 4),
        "reserves_before_rpcs": before[-1][1],
        "reserves_first_in_block_s": round(first[0], 4),
        "reserves_first_in_block_rpcs": first[1],
        "reserves_after_s": round(statistics.median(t for t, _ in after), 4),
        "reserves_after_rpcs": max(n for _, n in after),
        "classes_first_in_block_s": round(classes_first[0], 4),
        "classes_first_in_block_rpcs": classes_first[1],
        "classes_after_s": round(statistics.median(t for t, _ in classes_after), 4),
        "classes_after_rpcs": max(n for _, n in classes_after),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:<30}{value:>10}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
