"""`make chaos`: a bounded load against the cluster (scripts/cluster.py) while its workers, API processes and
verifiers are killed with SIGKILL and started again; then quiescence, and every check. Writes
bench/cluster.json.

Load: TOKENIZATIONS tokenizations (custodian requests, alternating between the two API processes, retried
on the other one with the same Idempotency-Key when one is down) to several holders; then REDEMPTIONS
redemption requests and RETIREMENTS fractional retirements (0.5 t each) sent on-chain by the holders. A
killer kills a random worker, API process or verifier every few seconds (at least KILLS times) and starts
it again. Checks: the registry's integrity and journal; the reserve from the bridge (both API processes)
and independently (the chain + the registry's public reads, as verify-reserves does); each flow completed
once: one registry lock per tokenization, released and retired units equal to what was asked, one
BatchBridged per lock; every transaction of the run mined without reverting; no unit lost.

    python scripts/chaos.py            # the full run (make chaos)
    python scripts/chaos.py --short    # the CI variant: a smaller load, fewer kills
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from hexbytes import HexBytes
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bridge.chain.retirement import RetirementDetails
from bridge.primitives import TONNE
from bridge.registry.client import HttpRegistryClient
from bridge.registry.errors import RegistryError
from bridge.reserves_check import check_reserves
from cluster import Cluster, postgres_url

OUT = Path(__file__).resolve().parents[1] / "bench" / "cluster.json"
FULL = {"tokenizations": 200, "redemptions": 50, "retirements": 100, "kills": 12}
SHORT = {"tokenizations": 24, "redemptions": 6, "retirements": 10, "kills": 4}
UNITS = 10  # per tokenized block
REDEEMED_T = 2  # per redemption
QUIET_TIMEOUT = 900


class Killer(threading.Thread):
    """Kills a random worker, API process or verifier every few seconds and starts it again."""

    def __init__(self, cluster: Cluster, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.cluster, self.rng = cluster, rng
        self.kills: list[str] = []
        self.stopping = threading.Event()
        self.victims = [*cluster.workers, *cluster.apis, *(n for n in cluster.parts if n.startswith("verifier"))]

    def run(self) -> None:
        while not self.stopping.wait(self.rng.uniform(2.0, 5.0)):
            name = self.rng.choice(self.victims)
            part = self.cluster.parts[name]
            part.kill()
            self.kills.append(name)
            time.sleep(self.rng.uniform(0.2, 1.5))
            part.start()


def _post_tokenization(cluster: Cluster, index: int, serial: str, recipient: str) -> None:
    """Ask one API process, then the other, until one takes it (a repeat with one key is the same request)."""
    body = {"serial": serial, "recipient": recipient}
    headers = {"X-API-Key": cluster.custodian_api_key, "Idempotency-Key": f"chaos-tokenization-{index:05d}"}
    for attempt in range(200):
        url = cluster.api_urls[(index + attempt) % len(cluster.api_urls)]
        try:
            answer = httpx.post(f"{url}/v1/tokenizations", json=body, headers=headers, timeout=10)
        except httpx.HTTPError:
            time.sleep(0.2)
            continue
        if answer.status_code == 202 or answer.status_code == 200:
            return
        if answer.status_code >= 500 or answer.status_code == 429:
            time.sleep(0.2)
            continue
        raise RuntimeError(f"tokenization {index} refused: {answer.status_code} {answer.text}")
    raise RuntimeError(f"no API process took tokenization {index}")


def _counts(engine_db: Any) -> dict[str, Any]:
    with engine_db.connect() as connection:

        def rows(sql: str) -> list[Any]:
            return list(connection.execute(text(sql)))

        return {
            "tokenizations": dict(rows("SELECT step, count(*) FROM tokenizations GROUP BY step")),  # type: ignore[arg-type]
            "redemptions": dict(rows("SELECT step, count(*) FROM redemptions GROUP BY step")),  # type: ignore[arg-type]
            "retirements": rows(
                "SELECT count(*), coalesce(sum(CASE WHEN settled = amount THEN 1 ELSE 0 END), 0) FROM retirements"
            )[0],
            "settlements_open": rows("SELECT count(*) FROM settlements WHERE step <> 'completed'")[0][0],
        }


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not quiet within {timeout:g}s: {what}")
        time.sleep(1)


def _latencies(engine_db: Any) -> dict[str, dict[str, float]]:
    """Seconds from a flow's creation to its last step, per kind: p50, p90, p99."""
    found: dict[str, dict[str, float]] = {}
    with engine_db.connect() as connection:
        for kind in ("tokenizations", "redemptions", "settlements"):
            spans = []
            for created, history in connection.execute(text(f"SELECT created_at, history FROM {kind}")):
                steps = history if isinstance(history, list) else json.loads(history or "[]")
                if not steps:
                    continue
                start = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
                end = datetime.fromisoformat(steps[-1]["at"])
                spans.append(max((end - start.replace(tzinfo=end.tzinfo)).total_seconds(), 0.0))
            if spans:
                cuts = statistics.quantiles(spans, n=100, method="inclusive") if len(spans) > 1 else [spans[0]] * 99
                found[kind] = {"p50": round(cuts[49], 2), "p90": round(cuts[89], 2), "p99": round(cuts[98], 2)}
    return found


def run(load: dict[str, int]) -> dict[str, Any]:
    started = time.monotonic()
    cluster = Cluster(postgres_url()).start()
    print("\n".join(cluster.urls()), flush=True)
    assert cluster.anvil is not None and cluster.local is not None and cluster.registry is not None
    rng = random.Random(15)
    engine_db = create_engine(cluster.engine_db)
    killer = Killer(cluster, rng)
    try:
        serials = [cluster.issue(UNITS) for _ in range(load["tokenizations"])]
        killer.start()
        load_started = time.monotonic()
        for index, serial in enumerate(serials):
            _post_tokenization(cluster, index, serial, cluster.holders[index % len(cluster.holders)].address)
        _wait(
            lambda: _counts(engine_db)["tokenizations"].get("completed", 0) == load["tokenizations"],
            QUIET_TIMEOUT,
            "tokenizations",
        )
        print(f"tokenized {load['tokenizations']} blocks in {time.monotonic() - load_started:.0f}s", flush=True)
        bridge = cluster.local.bridge
        with engine_db.connect() as connection:
            class_id = connection.execute(text("SELECT class_id FROM tokenizations LIMIT 1")).scalar_one()
        details = RetirementDetails(beneficiary_name="Acme", reason="chaos", purpose="voluntary_offsetting")
        sent: list[tuple[Any, str]] = []
        for n in range(max(load["redemptions"], load["retirements"])):
            holder = cluster.local.sender(cluster.holders[n % len(cluster.holders)])
            if n < load["redemptions"]:
                data = bridge.encode_abi(
                    "requestRedemption", args=[HexBytes(class_id), REDEEMED_T * TONNE, str(cluster.trader)]
                )
                sent.append((holder, holder.send({"to": bridge.address, "data": data}, gas=400_000, dry_run=False)))
            if n < load["retirements"]:
                data = bridge.encode_abi("retire", args=[HexBytes(class_id), TONNE // 2, details.as_tuple()])
                sent.append((holder, holder.send({"to": bridge.address, "data": data}, gas=600_000, dry_run=False)))
        for holder, tx_hash in sent:
            holder.wait(tx_hash)

        def quiet() -> bool:
            counts = _counts(engine_db)
            retirements, settled = counts["retirements"]
            return (
                counts["redemptions"].get("completed", 0) == load["redemptions"]
                and retirements == load["retirements"]
                and settled == load["retirements"]
                and counts["settlements_open"] == 0
            )

        _wait(quiet, QUIET_TIMEOUT, "redemptions and settlements")
        while len(killer.kills) < load["kills"]:
            time.sleep(1)
        killer.stopping.set()
        killer.join(30)
        for part in cluster.parts.values():  # everyone up again for the checks
            if part.process is None or part.process.poll() is not None:
                part.start()
            part.wait_healthy()
        wall = time.monotonic() - load_started
        result = check(cluster, engine_db, load)
        result.update(
            {
                "engine_db": "postgresql",
                "workers": len(cluster.workers),
                "api_processes": len(cluster.apis),
                "verifiers": len([n for n in cluster.parts if n.startswith("verifier")]),
                "kills": len(killer.kills),
                "killed": {name: killer.kills.count(name) for name in sorted(set(killer.kills))},
                "flows_requested": load["tokenizations"] + load["redemptions"] + load["retirements"],
                "wall_s": round(wall, 1),
                "setup_s": round(load_started - started, 1),
                "latency_s": _latencies(engine_db),
                "block_time_s": 1,
            }
        )
        return result
    finally:
        killer.stopping.set()
        engine_db.dispose()
        cluster.stop()


def check(cluster: Cluster, engine_db: Any, load: dict[str, int]) -> dict[str, Any]:
    assert cluster.anvil is not None and cluster.local is not None and cluster.registry is not None
    registry, w3, bridge = cluster.registry, cluster.anvil.w3, cluster.local.bridge
    integrity, journal = registry.check_integrity(), registry.verify_journal()
    locks = 0
    while True:
        try:
            registry.get_lock(locks + 1)
        except RegistryError:
            break
        locks += 1
    released = sum(b.quantity for b in registry.list_blocks(account_id=cluster.trader, status="held"))
    retired = sum(b.quantity for b in registry.list_blocks(status="retired"))
    in_trust = sum(b.quantity for b in registry.list_blocks(account_id=cluster.trust, status="immobilized"))
    held = sum(b.quantity for b in registry.list_blocks(account_id=cluster.custodian, status="held"))
    head = int(w3.eth.block_number)
    bridged = bridge.events.BatchBridged().get_logs(from_block=cluster.start_block, to_block=head)
    lock_ids = [int(e["args"]["lockId"]) for e in bridged]
    reverted = 0
    transactions = 0
    for number in range(cluster.start_block, head + 1):
        for tx in w3.eth.get_block(number)["transactions"]:
            transactions += 1
            reverted += w3.eth.get_transaction_receipt(tx)["status"] != 1
    bridge_reports = [httpx.get(f"{url}/v1/reserves", timeout=30).json() for url in cluster.api_urls]
    with HttpRegistryClient(cluster.registry_url) as reader:
        independent = check_reserves(
            w3, bridge.address, reader, trust_account=cluster.trust, from_block=cluster.start_block
        )
    counts = _counts(engine_db)
    redeemed_units = load["redemptions"] * REDEEMED_T
    retired_units = load["retirements"] // 2  # 0.5 t each, settled in whole tonnes
    issued = load["tokenizations"] * UNITS
    expected_in_trust = issued - redeemed_units - retired_units
    return {
        "flows_completed": counts["tokenizations"].get("completed", 0)
        + counts["redemptions"].get("completed", 0)
        + int(counts["retirements"][1]),
        "duplicate_registry_effects": (locks - load["tokenizations"])
        + max(released - redeemed_units, 0)
        + max(retired - retired_units, 0),
        "duplicate_mints": len(lock_ids) - len(set(lock_ids)),
        "mints": len(lock_ids),
        "reverted_txs": reverted,
        "transactions": transactions,
        "lost_units": abs(issued - (in_trust + released + retired + held)) + abs(in_trust - expected_in_trust),
        "reserve_ok": all(r.get("ok") for r in bridge_reports) and independent.ok,
        "registry_integrity_ok": integrity.ok and journal.ok,
        "registry_locks": locks,
        "units": {"in_trust": in_trust, "released": released, "retired": retired, "custodian_held": held},
    }


def main(argv: list[str]) -> None:
    short = "--short" in argv
    result = run(SHORT if short else FULL)
    failures = [
        f"{name} = {result[name]}"
        for name in ("duplicate_registry_effects", "duplicate_mints", "lost_units")
        if result[name] != 0
    ]
    if not result["reserve_ok"] or not result["registry_integrity_ok"]:
        failures.append("reserve or registry check failed")
    if result["flows_completed"] != result["flows_requested"]:
        failures.append(f"{result['flows_completed']} of {result['flows_requested']} flows completed")
    if not short:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if failures:
        raise SystemExit("chaos FAILED: " + "; ".join(failures))
    print(f"chaos ok ({'short' if short else 'full'}; reverted transactions: {result['reverted_txs']})")


if __name__ == "__main__":
    main(sys.argv[1:])
