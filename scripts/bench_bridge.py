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

import gc
import json
import statistics
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
from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL, TokenizationRequest
from bridge.engine.tokenize import TokenizeFlow
from bridge.heap import settle_heap
from bridge.local import local_service
from bridge.settings import ANVIL

OUT = Path("bench/bridge.json")
BATCHES = 100
BATCH_SIZE = 50
"""The batch size the top-level keys report (the engine's default ``max_batch``); ``by_batch_size`` has each."""
BATCH_SIZES = (50, 100)
RUNS = 3
"""Runs of each mode; a rate is their median (one run on this machine varies by about 10%)."""


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
                elapsed = tokenize_all(service, serials, tag=f"bench-{max_batch}", batch=max_batch)
            if profile is not None:
                profile.update({label: seconds for label, seconds in spent.items()})
                profile["total (wall time)"] += elapsed
            pending = service.engine.tokenize.pending_ids()
            assert not pending, f"{len(pending)} tokenizations did not finish"
            assert service.engine.proof_of_reserve().ok
            return BATCHES / elapsed
        finally:
            service.close()
            gc.unfreeze()  # this run's service is gone: let the collector have it


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


def tokenize_all(service: Any, serials: list[str], *, tag: str, batch: int = 1) -> float:
    """Request the tokenization of ``serials`` (custodian to the first user; ``batch`` > 1: that many requests
    recorded per call, at most the bulk call's limit, else one call each) and drive the engine until they are
    done; the seconds it took."""
    custodian, holder = service.demo.accounts["custodian"], service.onchain.users[0].address
    started = time.perf_counter()
    requests = [
        TokenizationRequest(
            idempotency_key=f"{tag}-{i:04d}", custodian_account=custodian, serial=serial, recipient=holder
        )
        for i, serial in enumerate(serials)
    ]
    if batch > 1:
        per_call = min(batch, MAX_TOKENIZATIONS_PER_CALL)
        for start in range(0, len(requests), per_call):
            service.engine.request_tokenizations(requests[start : start + per_call])
    else:
        for request in requests:
            service.engine.request_tokenization(request)
    service.drive(rounds=3)
    return time.perf_counter() - started


def on_anvil(max_batch: int, profile: Counter[str] | None = None) -> float:
    return run(max_batch, profile, chain=ANVIL)


def per_tokenization(spent: Counter[str], runs: int = 1) -> dict[str, float]:
    """Milliseconds per tokenization in each step (``spent`` summed over ``runs``), the rest as ``other``."""
    total = spent["total (wall time)"]
    steps = {label: spent[label] for label in STEPS}
    result = {label: seconds for label, seconds in steps.items()}
    result["  of which the node executes the mint"] = spent["  of which the node executes the mint"]
    result["other (engine rounds, claims, scheduling)"] = total - sum(steps.values())
    result["total (wall time)"] = total
    return {label: round(1000 * seconds / (BATCHES * runs), 2) for label, seconds in result.items()}


def measured(backend: Callable[..., float], max_batch: int, profile: Counter[str] | None = None) -> dict[str, Any]:
    """``RUNS`` runs of one mode: their rates and the median (what the result reports)."""
    rates = [backend(max_batch, profile) for _ in range(RUNS)]
    return {"median": round(statistics.median(rates), 2), "runs": [round(r, 2) for r in rates]}


def main() -> None:
    rates: dict[str, dict[str, Any]] = {}
    profiles: dict[str, Counter[str]] = {}
    for backend_name, backend in (("in_process", run), ("anvil", on_anvil)):
        rates[f"{backend_name}/1"] = measured(backend, 1)
        for size in BATCH_SIZES:
            profiles[f"{backend_name}/{size}"] = Counter()
            rates[f"{backend_name}/{size}"] = measured(backend, size, profiles[f"{backend_name}/{size}"])

    def rate(backend_name: str, size: int) -> float:
        return float(rates[f"{backend_name}/{size}"]["median"])

    by_size = {
        str(size): {
            "batches_per_s_batched": rate("in_process", size),
            "speedup": round(rate("in_process", size) / rate("in_process", 1), 2),
            "anvil_batches_per_s_batched": rate("anvil", size),
            "anvil_speedup": round(rate("anvil", size) / rate("anvil", 1), 2),
        }
        for size in BATCH_SIZES
    }
    result = {
        "batches": BATCHES,
        "batch_size": BATCH_SIZE,
        "backend": "in-process EVM (eth-tester + py-evm, Cancun)",
        "runs_per_mode": RUNS,
        "batches_per_s_single": rate("in_process", 1),
        "batches_per_s_batched": rate("in_process", BATCH_SIZE),
        "speedup": by_size[str(BATCH_SIZE)]["speedup"],
        "anvil_batches_per_s_single": rate("anvil", 1),
        "anvil_batches_per_s_batched": rate("anvil", BATCH_SIZE),
        "anvil_speedup": by_size[str(BATCH_SIZE)]["anvil_speedup"],
        "by_batch_size": by_size,
        "runs": {mode: measured_rates["runs"] for mode, measured_rates in rates.items()},
        "profile_batched_ms_per_tokenization": per_tokenization(profiles[f"in_process/{BATCH_SIZE}"], RUNS),
        "anvil_profile_batched_ms_per_tokenization": per_tokenization(profiles[f"anvil/{BATCH_SIZE}"], RUNS),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for label, item in value.items():
                print(f"  {label:<44}{item!s:>8}")
        else:
            print(f"{key:<28}{value!s:>10}")
    for size, got in by_size.items():
        for key in ("speedup", "anvil_speedup"):
            print(f"batch {size}: target {key} >= 10: {'ok' if got[key] >= 10 else 'MISSED'} ({got[key]})")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
