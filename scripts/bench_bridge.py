"""Throughput benchmark: end-to-end tokenizations per second, in-process EVM and anvil, side by side.

The same work twice on each backend, in one run: N custodian blocks tokenized (registry lock, 2-of-3
verifier attestations, mint, confirmation), first one at a time (``max_batch=1``: a request recorded, a
registry request, a signed batch and a mint transaction per tokenization), then with every step batched
(``BATCH_SIZE`` per call recording requests, registry request, signed batch and mint transaction). Writes
bench/bridge.json (``batches`` is N, the tokenized blocks; rates are tokenizations per second) with, for each
backend, where the batched run's time goes: milliseconds per tokenization in each step
(``profile_batched``, ``anvil_profile_batched``).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from web3.eth import Eth

from bridge.engine.engine import BridgeEngine
from bridge.engine.immobilize import LockStep
from bridge.engine.mint import MintStep
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.tokenize import TokenizeFlow
from bridge.heap import settle_heap
from bridge.local import local_service
from bridge.settings import ANVIL

OUT = Path("bench/bridge.json")
BATCHES = 100
BATCH_SIZE = 50


STEPS: dict[str, tuple[tuple[Any, str], ...]] = {
    "request (engine records it)": ((BridgeEngine, "request_tokenization"), (BridgeEngine, "request_tokenizations")),
    "lock (registry immobilizes)": ((LockStep, "drive"),),
    "attest (verifiers check and sign)": ((TokenizeFlow, "attest_ready"),),
    "mint (dry run and transaction)": ((MintStep, "drive"),),
    "confirm (receipts, completion)": ((TokenizeFlow, "confirm_submitted"),),
    "watch (events recorded)": ((BridgeEngine, "watch"),),
}
"""The steps of a tokenization, timed where the engine runs them; the rest of the wall time is ``other``."""
EVM = (Eth, "send_raw_transaction")
"""Inside ``mint``: the node executing the mint (all of it in py-evm on the in-process EVM)."""


@contextmanager
def timed_steps() -> Iterator[Counter[str]]:
    """Seconds spent in each of ``STEPS`` (and in ``EVM``) while inside, by wrapping the methods."""
    spent: Counter[str] = Counter()
    originals = []
    methods = [(label, method) for label, methods in STEPS.items() for method in methods]
    for label, (owner, name) in [*methods, ("  of which the node executes the mint", EVM)]:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args: Any, _original: Callable[..., Any] = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - started

        setattr(owner, name, wraps(original)(timed))
    try:
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def run(max_batch: int, profile: Counter[str] | None = None, **chain: Any) -> float:
    """Tokenize BATCHES fresh blocks on a local bridge (the demo registry; ``chain``: settings overrides)."""
    with tempfile.TemporaryDirectory() as tmp:
        service = local_service(tmp, max_batch=max_batch, **chain)
        try:
            serials = demo_serials(service, BATCHES, first_quantity=100)
            settle_heap()  # as every bridge process does once started (bridge.heap)
            timing = timed_steps() if profile is not None else nullcontext(Counter[str]())
            with timing as spent:
                elapsed = tokenize_all(service, serials, tag=f"bench-{max_batch}", bulk=max_batch > 1)
            if profile is not None:
                profile.update({label: seconds for label, seconds in spent.items()})
                profile["total (wall time)"] += elapsed
            pending = service.engine.tokenize.pending_ids()
            assert not pending, f"{len(pending)} tokenizations did not finish"
            assert service.engine.proof_of_reserve().ok
            return BATCHES / elapsed
        finally:
            service.close()


def demo_serials(service: Any, count: int, *, first_quantity: int) -> list[str]:
    """``count`` new blocks issued to the demo custodian (``first_quantity`` units, one more each)."""
    custodian = service.demo.accounts["custodian"]
    project = next(p for p in service.demo.projects if p.ex_post)
    return [
        service.registry.issue(
            program=project.program,
            project_id=project.project_id,
            to_account=custodian,
            quantity=first_quantity + i,
            vintage_start=date(2024, 1, 1),
            vintage_end=date(2024, 12, 31),
        ).block.serial
        for i in range(count)
    ]


def tokenize_all(service: Any, serials: list[str], *, tag: str, bulk: bool = False) -> float:
    """Request the tokenization of ``serials`` (custodian to the first user; ``bulk``: ``BATCH_SIZE`` requests
    recorded per call, else one call each) and drive the engine until they are done; the seconds it took."""
    custodian, holder = service.demo.accounts["custodian"], service.onchain.users[0].address
    started = time.perf_counter()
    requests = [
        TokenizationRequest(
            idempotency_key=f"{tag}-{i:04d}", custodian_account=custodian, serial=serial, recipient=holder
        )
        for i, serial in enumerate(serials)
    ]
    if bulk:
        for start in range(0, len(requests), BATCH_SIZE):
            service.engine.request_tokenizations(requests[start : start + BATCH_SIZE])
    else:
        for request in requests:
            service.engine.request_tokenization(request)
    service.drive(rounds=3)
    return time.perf_counter() - started


def on_anvil(max_batch: int, profile: Counter[str] | None = None) -> float:
    return run(max_batch, profile, chain=ANVIL)


def per_tokenization(spent: Counter[str]) -> dict[str, float]:
    """Milliseconds per tokenization in each step, the rest as ``other``."""
    total = spent["total (wall time)"]
    steps = {label: spent[label] for label in STEPS}
    result = {label: seconds for label, seconds in steps.items()}
    result["  of which the node executes the mint"] = spent["  of which the node executes the mint"]
    result["other (engine rounds, claims, scheduling)"] = total - sum(steps.values())
    result["total (wall time)"] = total
    return {label: round(1000 * seconds / BATCHES, 2) for label, seconds in result.items()}


def main() -> None:
    single = run(max_batch=1)
    spent: Counter[str] = Counter()
    batched = run(max_batch=BATCH_SIZE, profile=spent)
    anvil_single = on_anvil(max_batch=1)
    anvil_spent: Counter[str] = Counter()
    anvil_batched = on_anvil(max_batch=BATCH_SIZE, profile=anvil_spent)
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
        "profile_batched_ms_per_tokenization": per_tokenization(spent),
        "anvil_profile_batched_ms_per_tokenization": per_tokenization(anvil_spent),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for label, ms in value.items():
                print(f"  {label:<44}{ms:>8} ms")
        else:
            print(f"{key:<28}{value:>10}")
    for key in ("speedup", "anvil_speedup"):
        print(f"target {key} >= 10: {'ok' if result[key] >= 10 else 'MISSED'}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
