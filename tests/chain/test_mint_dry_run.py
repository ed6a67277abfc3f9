"""A mint's dry run, both ways: on a JSON-RPC node an ``eth_call`` on the pending state; on the in-process
EVM (which only this process drives) the mint itself, taken back if it fails. Either way the engine sees the
same thing: None then a receipt for a passing mint, the contract's named refusal for a failing one, and a
failing mint never leaves a transaction, a block or a used nonce behind."""

from __future__ import annotations

import pytest

from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.local import LocalBridge
from chain_factories import fresh_block, verra_class


def chain_of(local: LocalBridge, kept: bool) -> BridgeChain:
    chain = local.bridge_chain()
    assert chain.rollback is not None  # the session's bridge runs on the in-process EVM
    if not kept:
        chain.rollback = None  # as on a JSON-RPC node
    return chain


def mint_args(local: LocalBridge, count: int = 2):  # type: ignore[no-untyped-def]
    locks = []
    for _ in range(count):
        serial, start, end = fresh_block(100)
        locks.append(local.lock(verra_class(), serial=serial, start=start, end=end, recipient=local.users[0].address))
    return locks, local.sign_locks(locks).mint_args(locks)


def engine_nonce(local: LocalBridge) -> int:
    return int(local.chain.w3.eth.get_transaction_count(local.engine.address))


@pytest.mark.parametrize("kept", [True, False], ids=["in-process-kept", "eth-call"])
def test_a_passing_dry_run_then_the_mint_mints_once(local: LocalBridge, kept: bool) -> None:
    chain = chain_of(local, kept)
    locks, args = mint_args(local)
    head, nonce = local.chain.w3.eth.block_number, engine_nonce(local)

    assert chain.dry_run_mint(args) is None
    receipt = chain.mint_locks(args)

    assert receipt["status"] == 1
    assert engine_nonce(local) == nonce + 1  # one transaction, whichever way the dry run went
    assert local.chain.w3.eth.block_number == head + 1
    assert all(chain.is_lock_used("VCS", lock.lock_id) for lock in locks)
    # asked again, the same mint is refused by name, and nothing more is sent
    refusal = chain.dry_run_mint(args)
    assert refusal is not None and refusal.error_name == "BridgeLockUsed"
    assert (engine_nonce(local), local.chain.w3.eth.block_number) == (nonce + 1, head + 1)


@pytest.mark.parametrize("kept", [True, False], ids=["in-process-kept", "eth-call"])
def test_a_failing_dry_run_names_the_refusal_and_leaves_nothing(local: LocalBridge, kept: bool) -> None:
    chain = chain_of(local, kept)
    locks, args = mint_args(local)
    local.mint_locks(locks[:1])  # one of the batch's locks is minted by someone else first
    head, nonce = local.chain.w3.eth.block_number, engine_nonce(local)

    refusal = chain.dry_run_mint(args)

    assert refusal is not None
    assert (refusal.error_name, refusal.error_args) == ("BridgeLockUsed", ("VCS", locks[0].lock_id))
    assert (engine_nonce(local), local.chain.w3.eth.block_number) == (nonce, head)
    assert not chain.is_lock_used("VCS", locks[1].lock_id)
    # the sender's nonce cache follows the chain back: the next transaction is not stuck on a gap
    _, other = mint_args(local, 1)
    assert chain.dry_run_mint(other) is None
    assert chain.mint_locks(other)["status"] == 1


def test_a_kept_mint_answers_only_for_its_own_call(local: LocalBridge) -> None:
    """A kept dry run is the receipt of exactly that call: another mint after it is sent on its own."""
    chain = chain_of(local, kept=True)
    _, first = mint_args(local)
    _, second = mint_args(local)
    assert chain.dry_run_mint(first) is None
    nonce = engine_nonce(local)
    receipt = chain.mint_locks(second)  # the kept one is not mistaken for it
    assert receipt["status"] == 1 and engine_nonce(local) == nonce + 1
    assert chain.dry_run_mint(first).error_name == "BridgeLockUsed"  # type: ignore[union-attr]
