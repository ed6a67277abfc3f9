"""Throughput benchmark: end-to-end tokenized batches per second on the in-process EVM.

The same work twice, in one run: N custodian blocks tokenized (registry lock, 2-of-3 verifier
attestations, mint, confirmation), first with one mint transaction per batch, then with the engine
batching every ready attestation into one transaction. Writes bench/bridge.json.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parents[1] / "tests"),
    str(Path(__file__).resolve().parents[1] / "tests" / "registry"),
]

from bridge.chain.anvil import AnvilChain, find_anvil  # noqa: E402
from bridge.chain.compiler import find_project_root  # noqa: E402
from bridge.chain.local import DevChain  # noqa: E402
from bridge.engine.models import TokenizationRequest  # noqa: E402
from engine_harness import make_world  # noqa: E402

OUT = Path("bench/bridge.json")
BATCHES = 40


def run(max_batch: int, chain: DevChain | None = None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        bw = make_world(Path(tmp), chain=chain)
        bw.engine.tokenize.max_batch = max_batch
        serials = [bw.world.issue(100 + i).block.serial for i in range(BATCHES)]
        started = time.perf_counter()
        for i, serial in enumerate(serials):
            bw.engine.request_tokenization(
                TokenizationRequest(
                    idempotency_key=f"bench-{max_batch}-{i:04d}",
                    custodian_account=bw.world.custodian,
                    serial=serial,
                    recipient=bw.holder.address,
                )
            )
        bw.settle(rounds=3)
        elapsed = time.perf_counter() - started
        done = bw.engine.tokenize.pending_ids()
        assert not done, f"{len(done)} tokenizations did not finish"
        assert bw.engine.proof_of_reserve().ok
        return BATCHES / elapsed


def on_anvil(max_batch: int) -> float:
    anvil = AnvilChain(find_anvil(find_project_root())).start()
    try:
        return run(max_batch, chain=anvil)
    finally:
        anvil.stop()


def main() -> None:
    single = run(max_batch=1)
    batched = run(max_batch=BATCHES)
    anvil_single = on_anvil(max_batch=1)
    anvil_batched = on_anvil(max_batch=BATCHES)
    result = {
        "batches": BATCHES,
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
    verdict = "ok" if result["speedup"] >= 10 else "MISSED"
    print(f"target speedup >= 10 on the in-process EVM: {verdict}; wrote {OUT}")


if __name__ == "__main__":
    main()
