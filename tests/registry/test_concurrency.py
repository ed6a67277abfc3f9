"""Concurrent operations cannot double-spend: every operation sees the one before it, in journal order."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from bridge.registry.db import create_registry_db, session_factory
from bridge.registry.errors import RegistryError
from bridge.registry.ledger import Registry
from registry_factories import World, build_world

THREADS = 8


@pytest.fixture
def shared_world(backend: str, tmp_path: Path, new_engine: Callable[[], Engine]) -> World:
    """A world on a database several threads can use at once (a file for SQLite)."""
    engine = create_registry_db(f"sqlite:///{tmp_path / 'registry.db'}") if backend == "sqlite" else new_engine()
    registry = Registry(session_factory(engine))
    registry.initialize()
    return build_world(registry)


def race(calls: list[Callable[[], Any]]) -> Counter[str]:
    """Run ``calls`` from THREADS threads released together; count outcomes by error code."""
    barrier = threading.Barrier(min(THREADS, len(calls)))

    def run(call: Callable[[], Any]) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=30)
        try:
            call()
        except RegistryError as exc:
            return str(exc.code)
        return "ok"

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(pool.map(run, calls))


def test_one_block_sent_to_many_accounts_at_once_moves_once(shared_world: World) -> None:
    w, r = shared_world, shared_world.registry
    serial = w.issue(100).block.serial
    targets = [r.create_account(kind="holding", owner=f"buyer {i}").id for i in range(THREADS)]
    outcomes = race([lambda t=t: r.transfer(actor_account=w.custodian, to_account=t, serial=serial) for t in targets])
    assert outcomes["ok"] == 1
    assert outcomes["not_owner"] == THREADS - 1
    [block] = r.list_blocks(issuance_id=1)
    assert block.account_id in targets
    assert r.check_integrity().ok and r.verify_journal().ok


def test_many_partial_retirements_at_once_never_retire_more_than_is_held(shared_world: World) -> None:
    w, r = shared_world, shared_world.registry
    issued = w.issue(100)
    calls = [
        lambda: r.retire(
            actor_account=w.custodian, issuance_id=issued.issuance.id, quantity=15, beneficiary="b", reason="r"
        )
        for _ in range(THREADS)
    ]
    outcomes = race(calls)
    assert outcomes["ok"] == 6 and outcomes["insufficient_units"] == THREADS - 6
    totals = r.issuance_totals(issued.issuance.id).by_status
    assert (totals.retired, totals.held) == (90, 10)
    assert r.check_integrity().ok and r.verify_journal().ok


def test_a_release_and_a_retirement_racing_for_the_same_trust_units_do_not_both_happen(shared_world: World) -> None:
    from registry_factories import TOKEN

    w, r = shared_world, shared_world.registry
    locked = r.immobilize(
        actor_account=w.custodian,
        trust_account=w.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        serial=w.issue(10).block.serial,
    ).blocks[0]
    calls: list[Callable[[], Any]] = []
    for i in range(THREADS):
        if i % 2:
            calls.append(lambda: r.release(actor_account=w.trust, to_account=w.trader, serial=locked.serial))
        else:
            calls.append(
                lambda: r.retire_from_trust(
                    actor_account=w.trust, serial=locked.serial, beneficiary="b", reason="r", settles=["c"]
                )
            )
    outcomes = race(calls)
    assert outcomes["ok"] == 1
    assert sum(outcomes.values()) == THREADS
    assert r.check_integrity().ok and r.verify_journal().ok


def test_duplicate_requests_racing_with_one_request_id_act_once(shared_world: World) -> None:
    w, r = shared_world, shared_world.registry
    issued = w.issue(100)
    results: list[Any] = []
    lock = threading.Lock()

    def call() -> None:
        result = r.transfer(
            actor_account=w.custodian,
            to_account=w.trader,
            issuance_id=issued.issuance.id,
            quantity=10,
            request_id="redeem-7",
        )
        with lock:
            results.append(result)

    outcomes = race([call] * THREADS)
    assert outcomes["ok"] == THREADS
    assert all(result == results[0] for result in results)
    assert r.account_balance(w.trader).by_status.held == 10


def test_reads_do_not_wait_for_a_writer_on_sqlite(tmp_path: Path) -> None:
    registry = Registry.open(f"sqlite:///{tmp_path / 'r.db'}")
    writer = registry.engine.connect()
    writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: holds the write lock
    try:
        started = time.perf_counter()
        assert len(registry.list_accounts()) == 3
        assert time.perf_counter() - started < 2
    finally:
        writer.rollback()
        writer.close()
