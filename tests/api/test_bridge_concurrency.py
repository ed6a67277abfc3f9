"""Concurrency is the service's business, not the routes': whatever touches the chain waits for the
service's lock (the in-process EVM and the operator's nonce are not thread-safe), reads of the engine's
database do not, and ``/health`` never waits for anything."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from api_world import ApiWorld

SRC = Path(__file__).resolve().parents[2] / "src" / "bridge"


@contextmanager
def lock_held_elsewhere(world: ApiWorld) -> Iterator[None]:
    """The service's lock, held by another thread (as the engine worker holds it for a round)."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with world.service.lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join(10)


def in_thread(request: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[httpx.Response]]:
    answers: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    thread.start()
    return thread, answers


def test_health_and_database_reads_answer_while_the_lock_is_held_and_chain_reads_wait(world: ApiWorld) -> None:
    with lock_held_elsewhere(world):
        health, health_answer = in_thread(lambda: world.api.get("/health"))
        listing, listing_answer = in_thread(lambda: world.api.get("/v1/tokenizations"))
        reserves, reserves_answer = in_thread(lambda: world.api.get("/v1/reserves"))
        health.join(10)
        listing.join(10)
        assert health_answer and health_answer[0].status_code == 200  # answered without the lock
        assert listing_answer and listing_answer[0].json()["total"] >= 1
        reserves.join(0.5)
        assert reserves.is_alive() and not reserves_answer  # the proof of reserve reads the chain: it waits
    reserves.join(30)
    assert reserves_answer[0].status_code == 200 and reserves_answer[0].json()["ok"]
    body = health_answer[0].json()
    assert body["head"] == world.service.last_head == world.service.onchain.chain.w3.eth.block_number
    assert body["chain_id"] == world.service.chain_id


def test_no_route_and_no_pool_module_takes_the_lock() -> None:
    sources = [*(SRC / "api").rglob("*.py"), *(SRC / "pools").rglob("*.py")]
    assert sources
    for source in sources:
        text = source.read_text()
        assert ".lock" not in text, f"{source} takes the service's lock: the service serializes itself"
