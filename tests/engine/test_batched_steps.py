"""Every tokenization step is batched: one registry request locks a whole group, one transaction mints it, and
the engine's own database sees a number of transactions per step that does not grow with the batch. A crash
at any step boundary inside a batch (between the parts of a mint too) leaves every member done exactly once.
These count, never time (the timing is ``make bench-bridge``'s)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from bridge.engine.faults import CRASH_POINTS, CrashOnce, InjectedCrash
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.store import MintBatch
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, tonnes

pytestmark = pytest.mark.sqlite_only  # what is counted is the engine's own work, the same on every database


def request_many(bw: BridgeWorld, count: int, tag: str, *, bulk: bool = False) -> list[int]:
    """``count`` new blocks asked to be tokenized: one request each, or (``bulk``) all in one call."""
    serials = [bw.world.issue(10 + i).block.serial for i in range(count)]
    requests = [
        TokenizationRequest(
            idempotency_key=f"batched-{tag}-{i:03d}",
            custodian_account=bw.world.custodian,
            serial=serial,
            recipient=bw.holder.address,
        )
        for i, serial in enumerate(serials)
    ]
    if bulk:
        return [t.id for t in bw.engine.request_tokenizations(requests)]
    return [bw.engine.request_tokenization(request).id for request in requests]


@contextmanager
def counting_commits(bw: BridgeWorld) -> Iterator[list[int]]:
    commits = [0]

    def count(_connection: object) -> None:
        commits[0] += 1

    event.listen(bw.store.engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(bw.store.engine, "commit", count)


def drive_tokenizations(bw: BridgeWorld) -> None:
    """The tokenize steps alone, one call each, as a round drives them."""
    flow = bw.engine.tokenize
    with bw.engine.chain.one_round():
        flow.locking.drive()
        flow.attest_ready()
        flow.minting.drive()
    bw.local.chain.mine(bw.confirmations)
    with bw.engine.chain.one_round():
        flow.confirm_submitted()


def work_of_a_batch(bw: BridgeWorld, count: int, tag: str) -> tuple[int, int, int]:
    """(registry journal entries, engine transactions sent, engine database commits) to tokenize ``count``."""
    ids = request_many(bw, count, tag)
    journal = bw.registry.journal_head().seq
    nonce = bw.local.chain.w3.eth.get_transaction_count(bw.local.engine.address)
    with counting_commits(bw) as commits:
        drive_tokenizations(bw)
    assert {bw.engine.get_tokenization(i).step for i in ids} == {"completed"}
    sent = bw.local.chain.w3.eth.get_transaction_count(bw.local.engine.address) - nonce
    return bw.registry.journal_head().seq - journal, sent, commits[0]


def test_a_batch_takes_one_registry_request_one_transaction_and_as_many_commits_as_a_batch_of_two(
    bridge_world: BridgeWorld,
) -> None:
    small = work_of_a_batch(bridge_world, 2, "small")
    large = work_of_a_batch(bridge_world, 8, "large")
    assert small[:2] == large[:2] == (1, 1), "one immobilize_many entry and one mint transaction per batch"
    assert large[2] == small[2], "the engine's commits per step do not grow with the batch"
    print(f"engine commits for a batch of 2: {small[2]}, of 8: {large[2]}")


def test_requests_recorded_in_bulk_take_as_many_commits_for_eight_as_for_two(bridge_world: BridgeWorld) -> None:
    commits = []
    for count in (2, 8):
        with counting_commits(bridge_world) as counted:
            request_many(bridge_world, count, f"bulk-{count}", bulk=True)
        commits.append(counted[0])
    assert commits[0] == commits[1], commits


def test_one_at_a_time_takes_a_request_a_transaction_and_commits_per_tokenization(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    batched = work_of_a_batch(bw, 4, "batched")
    bw.engine.tokenize.max_batch = bw.engine.tokenize.locking.max_batch = 1
    single = work_of_a_batch(bw, 4, "single")
    assert single[:2] == (4, 4)
    print(f"engine commits for 4 one at a time: {single[2]}, batched: {batched[2]}")
    assert single[2] > 2 * batched[2], f"{single[2]} commits one at a time, {batched[2]} batched"


def test_each_verifier_reads_a_whole_batch_from_the_registry_once(bridge_world: BridgeWorld) -> None:
    """A verifier asked to sign a batch of eight reads its locks (with their credits) in one registry read,
    not two reads per lock."""
    bw = bridge_world
    reads: list[str] = []
    for verifier in bw.verifiers:
        reader = verifier.checks.registry
        for name in ("get_locked_credits", "get_lock", "get_credit"):
            method = getattr(reader, name)
            setattr(reader, name, lambda *a, _m=method, _n=name, **k: reads.append(_n) or _m(*a, **k))
    work_of_a_batch(bw, 8, "reads")
    asked = bw.local.threshold
    assert reads == ["get_locked_credits"] * asked, reads


def test_a_refused_member_of_a_lock_group_is_rejected_alone(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    ids = request_many(bw, 3, "refused")
    frozen = bw.engine.get_tokenization(ids[1]).serial
    assert frozen is not None
    bw.registry.freeze(serial=frozen, reason="issued in error")
    bw.settle()
    steps = [bw.engine.get_tokenization(i) for i in ids]
    assert [t.step for t in steps] == ["completed", "rejected", "completed"]
    assert steps[1].error_code == "block_frozen"
    assert bw.registry.find_block(frozen).status == BlockStatus.HELD


TOKENIZE_POINTS = [point for point in CRASH_POINTS if point.startswith("tokenize.")]


@pytest.mark.parametrize("bulk", [False, True], ids=["asked_one_by_one", "asked_in_bulk"])
@pytest.mark.parametrize("in_parts", [False, True], ids=["one_part", "one_lock_per_part"])
@pytest.mark.parametrize("point", TOKENIZE_POINTS)
def test_a_crash_inside_a_batch_leaves_every_member_done_once(
    bridge_world: BridgeWorld, monkeypatch: pytest.MonkeyPatch, point: str, in_parts: bool, bulk: bool
) -> None:
    bw = bridge_world
    if in_parts:  # the mint of the batch goes out one lock per transaction: crashes fall between its parts
        from bridge.chain.lock_batch import MINT_GAS_BASE, MINT_GAS_PER_CLASS, MINT_GAS_PER_LOCK

        monkeypatch.setattr("bridge.engine.mint.MINT_GAS_CAP", MINT_GAS_BASE + MINT_GAS_PER_CLASS + MINT_GAS_PER_LOCK)
    faults = CrashOnce(point)
    bw.restart(faults)
    ids = request_many(bw, 3, "crash", bulk=bulk)
    try:
        bw.settle(rounds=3)
    except InjectedCrash:
        bw.restart()
        bw.settle(rounds=3)
    assert faults.fired, f"never reached {point}"
    done = [bw.engine.get_tokenization(i) for i in ids]
    assert {t.step for t in done} == {"completed"}
    assert len({t.lock_id for t in done}) == 3
    token = done[0].token_address or ""
    assert bw.balance(token, bw.holder) == tonnes(10 + 11 + 12), "each member minted exactly once"
    trust = bw.registry.list_blocks(account_id=bw.world.trust, status=BlockStatus.IMMOBILIZED.value)
    assert sorted(b.quantity for b in trust) == [10, 11, 12], "each block locked exactly once"
    for t in done:
        assert bw.engine.chain.is_lock_used(t.registry or "", t.lock_id or 0)
    assert bw.engine.proof_of_reserve().ok
    with bw.store.session() as session:
        assert len(session.scalars(select(MintBatch)).all()) >= 1
