"""Throughput benchmark: end-to-end tokenizations per second, in-process EVM and anvil, side by side.

The same work twice on each backend, in one run: N custodian blocks tokenized (registry lock, 2-of-3
verifier attestations, mint, confirmation), first one at a time (``max_batch=1``: a registry request, a
signed batch and a mint transaction per tokenization), then with every step batched (``BATCH_SIZE`` per
registry request, signed batch and mint transaction). Writes bench/bridge.json (``batches`` is N, the
tokenized blocks; rates are tokenizations per second).
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bridge.engine.schemas import TokenizationRequest
from bridge.local import local_service
from bridge.settings import ANVIL

OUT = Path("bench/bridge.json")
BATCHES = 100
BATCH_SIZE = 50


def run(max_batch: int, **chain: Any) -> float:
    """Tokenize BATCHES fresh blocks on a local bridge (the demo registry; ``chain``: settings overrides)."""
    with tempfile.TemporaryDirectory() as tmp:
        service = local_service(tmp, max_batch=max_batch, **chain)
        try:
            demo, registry = service.demo, service.registry
            custodian = demo.accounts["custodian"]
            project = next(p for p in demo.projects if p.ex_post)
            serials = [
                registry.issue(
                    program=project.program,
                    project_id=project.project_id,
                    to_account=custodian,
                    quantity=100 + i,
                    vintage_start=date(2024, 1, 1),
                    vintage_end=date(2024, 12, 31),
                ).block.serial
                for i in range(BATCHES)
            ]
            holder = service.onchain.users[0].address
            started = time.perf_counter()
            for i, serial in enumerate(serials):
                service.engine.request_tokenization(
                    TokenizationRequest(
                        idempotency_key=f"bench-{max_batch}-{i:04d}",
                        custodian_account=custodian,
                        serial=serial,
                        recipient=holder,
                    )
                )
            service.drive(rounds=3)
            elapsed = time.perf_counter() - started
            pending = service.engine.tokenize.pending_ids()
            assert not pending, f"{len(pending)} tokenizations did not finish"
            assert service.engine.proof_of_reserve().ok
            return BATCHES / elapsed
        finally:
            service.close()


def on_anvil(max_batch: int) -> float:
    return run(max_batch, chain=ANVIL)


def main() -> None:
    single = run(max_batch=1)
    batched = run(max_batch=BATCH_SIZE)
    anvil_single = on_anvil(max_batch=1)
    anvil_batched = on_anvil(max_batch=BATCH_SIZE)
    result = {
        "batches": BATCHES,
        "batch_size": BATCH_SIZE,
        "backend": "in-process EVM (eth-tester + py-evm, Cancun)",
        "batches_per_s_single": round(single, 2),
        "batches_per_s_batched": round(batched, 2),
        "speedup": round(batched / single, 2),
        "anvil_batches_per_s_single": round(anvil_single, 2),
        "anvil_batches_per_s_batched": round(anvil_batched, 2),
        "anvil_speedup": round(anvil_batched / anvil_single, 2),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:<24}{value:>10}")
    for key in ("speedup", "anvil_speedup"):
        print(f"target {key} >= 10: {'ok' if result[key] >= 10 else 'MISSED'}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
