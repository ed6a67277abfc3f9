"""Benchmark the registry ledger: operations per second, and cost against block size.

Writes bench/registry.json (and prints it):

* ``ops_per_second``: partial transfer, retire and immobilize (one unit split off a large block each
  time, so every operation also splits a block), on a SQLite file database with the ledger's default
  settings (WAL, synchronous=FULL, one fsync per operation);
* ``scaling_ratio``: median time of the same partial operation (transfer 3 units by serial) on a
  1,000,000-unit block divided by that on a 10-unit block (target <= 1.2). Small and large blocks are
  measured alternately, one fresh block each time, after a warm-up, so drift hits both alike;
  ``scaling`` gives the same ratio for retire and immobilize too.

Usage: python scripts/bench_registry.py [--ops 400] [--repetitions 300] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy

from bridge.registry.ledger import Registry
from bridge.registry.schemas import MarketplaceIdentifier
from registry_world import RegistryWorld

ROOT = Path(__file__).resolve().parent.parent
TOKEN = MarketplaceIdentifier(chain_id=31337, token_address="0x5FbDB2315678afecb367f032d93F642f64180aa3", batch_id="1")


class Bench(RegistryWorld):
    """The registry world, with the operations to time on it."""

    def operation(self, name: str) -> Callable[[str, int], str]:
        """``op(serial, quantity)``: do ``name`` on the lowest ``quantity`` units; returns the remainder's serial."""
        r = self.registry

        def transfer(serial: str, quantity: int) -> Any:
            return r.transfer(actor_account=self.custodian, to_account=self.trader, serial=serial, quantity=quantity)

        def retire(serial: str, quantity: int) -> Any:
            return r.retire(
                actor_account=self.custodian, serial=serial, quantity=quantity, beneficiary="Acme", reason="bench"
            )

        def immobilize(serial: str, quantity: int) -> Any:
            return r.immobilize(
                actor_account=self.custodian,
                trust_account=self.trust,
                marketplace="carbon-bridge",
                marketplace_identifier=TOKEN,
                serial=serial,
                quantity=quantity,
            )

        call = {"transfer": transfer, "retire": retire, "immobilize": immobilize}[name]

        def run(serial: str, quantity: int) -> str:
            result = call(serial, quantity)
            return str(result.remainders[0].serial) if result.remainders else ""

        return run

    def throughput(self, name: str, ops: int) -> float:
        op = self.operation(name)
        serial = self.issue(10_000_000)
        serial = op(serial, 1)  # warm-up
        started = time.perf_counter()
        for _ in range(ops):
            serial = op(serial, 1)
        return ops / (time.perf_counter() - started)

    def scaling(self, name: str, repetitions: int) -> dict[str, float]:
        op = self.operation(name)
        warmup = 20
        small = [self.issue(10) for _ in range(repetitions + warmup)]
        large = [self.issue(1_000_000) for _ in range(repetitions + warmup)]
        times: dict[int, list[float]] = {10: [], 1_000_000: []}
        for index, (small_serial, large_serial) in enumerate(zip(small, large, strict=True)):
            # alternate which size goes first, so neither always follows the other
            pairs = [(10, small_serial), (1_000_000, large_serial)]
            for size, serial in pairs if index % 2 else reversed(pairs):
                started = time.perf_counter()
                op(serial, 3)
                elapsed = time.perf_counter() - started
                if index >= warmup:
                    times[size].append(elapsed)
        small_median = statistics.median(times[10])
        large_median = statistics.median(times[1_000_000])
        return {
            "median_ms_10_units": round(small_median * 1000, 4),
            "median_ms_1000000_units": round(large_median * 1000, 4),
            "ratio": round(large_median / small_median, 4),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=400, help="operations per throughput measurement")
    parser.add_argument("--repetitions", type=int, default=300, help="measured operations per block size")
    parser.add_argument("--url", help="database URL (default: a SQLite file in a temporary directory)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "registry.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'registry.db'}"
        registry = Registry.open(url)
        try:
            world = RegistryWorld.build(registry, vintage=2021)
            bench = Bench(**vars(world))
            ops = {name: round(bench.throughput(name, args.ops), 1) for name in ("transfer", "retire", "immobilize")}
            scaling = {name: bench.scaling(name, args.repetitions) for name in ("transfer", "retire", "immobilize")}
            integrity = registry.check_integrity()
            journal = registry.verify_journal()
            backend = registry.engine.dialect.name
        finally:
            registry.close()

    report = {
        "backend": backend if args.url else "sqlite file (WAL, synchronous=FULL)",
        "ops_per_second": ops,
        "scaling_ratio": scaling["transfer"]["ratio"],
        "scaling_operation": "transfer 3 units (partial: splits the block) by serial",
        "scaling": scaling,
        "repetitions": args.repetitions,
        "ops_per_measurement": args.ops,
        "integrity_ok": integrity.ok,
        "journal_ok": journal.ok,
        "journal_entries": journal.entries,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "machine": platform.machine(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"written to {args.output}")
    ok = integrity.ok and journal.ok and report["scaling_ratio"] <= 1.2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
