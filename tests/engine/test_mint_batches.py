"""Mint batches: one set of signatures per batch, locks someone relayed ahead of the engine completed from
their events (never sent again), refusals classified on a dry run, and a blocked mint that backs off
instead of paying for failing transactions."""

from __future__ import annotations

import time

from sqlalchemy import select

from bridge.chain.attestation import LockBatch
from bridge.chain.lock_batch import LockTree, SignedLockBatch
from bridge.engine.locks import lock_of
from bridge.engine.mint import BACKOFF_BASE, MINT_GAS_CAP, backoff, gas_parts
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.store import MintBatch, Tokenization
from engine_harness import BridgeWorld, tonnes


class Clock:
    """The engine's clock, ahead of the time by ``offset`` seconds (tests move it)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def requested(bw: BridgeWorld, *quantities: int) -> list[int]:
    return [
        bw.engine.request_tokenization(
            TokenizationRequest(
                idempotency_key=f"mint-batch-{bw.world.issue(q).block.id}-{i}",
                custodian_account=bw.world.custodian,
                serial=bw.world.registry.list_blocks(account_id=bw.world.custodian, status="held")[-1].serial,
                recipient=bw.holder.address,
            )
        ).id
        for i, q in enumerate(quantities)
    ]


def attested(bw: BridgeWorld, ids: list[int]) -> SignedLockBatch:
    """Lock and attest ``ids`` as one batch (not minted); the signed batch, as anyone holding it could relay it."""
    flow = bw.engine.tokenize
    for tokenization_id in ids:
        flow._immobilize(tokenization_id)
    assert flow.attest_ready() == len(ids)
    with bw.store.session() as session:
        batch = session.scalars(select(MintBatch)).one()
        rows = {r.id: r for r in session.scalars(select(Tokenization))}
        tree = LockTree.of((lock_of(rows[i]) for i in batch.tokenization_ids), sort_leaves=False)
        signatures = tuple(bytes.fromhex(s[2:]) for s in batch.signatures)
        return SignedLockBatch(tree, LockBatch(locks_root=tree.root, deadline=batch.deadline), signatures)


def engine_nonce(bw: BridgeWorld) -> int:
    return int(bw.local.chain.w3.eth.get_transaction_count(bw.local.engine.address))


def test_a_batch_is_signed_once_and_minted_in_one_transaction(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    ids = requested(bw, 10, 20, 30)
    bw.settle()
    done = [bw.engine.get_tokenization(i) for i in ids]
    assert {t.step for t in done} == {"completed"} and len({t.tx_hash for t in done}) == 1
    assert [t.lock_id for t in done] == [1, 2, 3]
    with bw.store.session() as session:
        [batch] = session.scalars(select(MintBatch)).all()
        assert batch.tokenization_ids == ids and len(batch.signatures) == 2
    assert bw.balance(done[0].token_address or "", bw.holder) == tonnes(60)


def test_locks_relayed_ahead_of_the_engine_are_completed_from_their_events_and_the_rest_minted(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    ids = requested(bw, 10, 20, 30)
    signed = attested(bw, ids)
    relayer = bw.local.users[3]  # anyone holding the signed batch may send part of it
    relayed = bw.local.mint_signed(signed, subset=[signed.locks[1]], sender=bw.local.sender(relayer))
    before = engine_nonce(bw)
    bw.settle()
    first, second, third = (bw.engine.get_tokenization(i) for i in ids)
    assert {first.step, second.step, third.step} == {"completed"}
    assert second.tx_hash == "0x" + bytes(relayed["transactionHash"]).hex()  # found, not minted again
    assert first.tx_hash == third.tx_hash != second.tx_hash  # the rest in one transaction, with a multiproof
    assert engine_nonce(bw) == before + 1
    assert bw.balance(first.token_address or "", bw.holder) == tonnes(60)
    assert bw.engine.proof_of_reserve().ok


def test_a_mint_the_contract_refuses_is_never_sent_and_backs_off(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    clock = Clock()
    bw.restart(clock=clock)
    bw.local.admin_execute(bw.local.bridge.functions.setMintCap(50, 3600))
    first = requested(bw, 40)
    bw.settle()
    assert bw.engine.get_tokenization(first[0]).step == "completed"
    second = requested(bw, 30)  # same class: 70 t in one window is over the cap
    bw.settle()
    blocked = bw.engine.get_tokenization(second[0])
    assert (blocked.step, blocked.error_code) == ("attested", "mint_blocked")
    assert "BridgeMintRateExceeded" in (blocked.error_message or "")
    nonce = engine_nonce(bw)
    for _ in range(5):
        bw.settle()  # rounds while blocked: not one transaction
    assert engine_nonce(bw) == nonce
    with bw.store.session() as session:
        batch = session.get_one(MintBatch, blocked_batch_id(bw, second[0]))
        assert batch.refusals == 1 and batch.retry_at is not None  # one dry run until the backoff passes
    clock.offset += BACKOFF_BASE + 1
    bw.settle()
    with bw.store.session() as session:
        assert session.get_one(MintBatch, blocked_batch_id(bw, second[0])).refusals == 2  # waits longer now
    assert engine_nonce(bw) == nonce
    bw.local.chain.time_travel(3601)  # the cap's window ends
    clock.offset += 3700
    bw.settle()
    assert bw.engine.get_tokenization(second[0]).step == "completed"
    assert bw.engine.get_tokenization(second[0]).error_code is None
    assert bw.engine.proof_of_reserve().ok


def blocked_batch_id(bw: BridgeWorld, tokenization_id: int) -> int:
    with bw.store.session() as session:
        batch_id = session.get_one(Tokenization, tokenization_id).mint_batch_id
        assert batch_id is not None
        return batch_id


def test_the_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [BACKOFF_BASE, 2 * BACKOFF_BASE, 4 * BACKOFF_BASE]
    assert backoff(60) == 3600


def test_a_batch_too_large_for_one_block_mints_in_parts_under_the_gas_cap() -> None:
    rows = [Tokenization(id=i, class_id=f"0x{i % 3:064x}", recipient="0x" + "11" * 20) for i in range(400)]
    parts = gas_parts(rows)
    assert [row for part in parts for row in part] == rows  # in order, each once
    assert len(parts) > 1
    for part in parts:
        classes = len({row.class_id for row in part})
        assert 150_000 + 250_000 * classes + 90_000 * len(part) <= MINT_GAS_CAP
