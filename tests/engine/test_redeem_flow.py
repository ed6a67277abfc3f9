"""Redemption end to end: escrow on-chain, release from trust in the registry, burn or give back."""

from __future__ import annotations

from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, request_redemption, tokenize, tonnes


def held_by(bw: BridgeWorld, account: int) -> int:
    return sum(b.quantity for b in bw.registry.list_blocks(account_id=account, status="held"))


def test_whole_tonnes_are_released_to_the_holders_registry_account(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 500)
    assert done.class_id and done.token_address
    redemption_id = request_redemption(bw, done.class_id, 3, bw.world.trader)
    bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert redemption.step == "completed", redemption
    assert held_by(bw, bw.world.trader) == 3
    assert bw.balance(done.token_address, bw.holder) == tonnes(497)
    assert bw.local.bridge.functions.redemption(redemption_id).call()[3] == 2  # Finalized
    trust = bw.registry.list_blocks(account_id=bw.world.trust, status=BlockStatus.IMMOBILIZED.value)
    assert sum(b.quantity for b in trust) == 497
    assert bw.engine.proof_of_reserve().ok


def test_a_redemption_spanning_two_batches_splits_across_both(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    first = tokenize(bw, 5)
    tokenize(bw, 10)
    assert first.class_id
    redemption_id = request_redemption(bw, first.class_id, 12, bw.world.trader)
    bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert redemption.step == "completed"
    assert len(redemption.released_serials or []) == 2
    assert held_by(bw, bw.world.trader) == 12
    assert bw.engine.proof_of_reserve().ok


def test_an_unknown_registry_account_cancels_the_escrow_and_returns_the_tokens(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 50)
    assert done.class_id and done.token_address
    redemption_id = request_redemption(bw, done.class_id, 7, 9999)
    bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert redemption.step == "cancelled"
    assert "9999" in (redemption.cancel_reason or "")
    assert bw.balance(done.token_address, bw.holder) == tonnes(50)
    assert bw.local.bridge.functions.redemption(redemption_id).call()[3] == 3  # Cancelled
    assert bw.engine.proof_of_reserve().ok


def test_a_closed_or_non_holding_account_is_refused(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 50)
    assert done.class_id
    to_trust = request_redemption(bw, done.class_id, 1, bw.world.trust)
    bw.registry.close_account(account_id=bw.world.trader)
    to_closed = request_redemption(bw, done.class_id, 1, bw.world.trader)
    bw.settle()
    assert bw.engine.get_redemption(to_trust).step == "cancelled"
    assert bw.engine.get_redemption(to_closed).step == "cancelled"
    assert bw.engine.proof_of_reserve().ok
