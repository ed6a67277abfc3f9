"""Row 2 (high): any registry user blocked the engine's registry operations.

Registry idempotency keys were one registry-wide namespace and the engine's request ids were guessable
(``redeem-<id>-<n>``, ``settle-<id>-<n>``): with the trader's own registry key, one harmless transfer
under ``redeem-1-0`` cancelled redemption 1, ``settle-1-0`` left a retirement unsettled for good, and
``redeem-1-1`` left a two-batch redemption stuck with units already released.

Now request ids are scoped per principal (the trader's ``redeem-1-0`` is the trader's own request) and
the engine's carry a random 128-bit token: squatting them blocks nothing.
"""

from __future__ import annotations

import re

from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, request_redemption, retire, tokenize

TOKEN = re.compile(r"^(tokenize|redeem|settle)-\d+-[0-9a-f]{32}-(immobilize|lock-[0-9a-f]{16}|\d+)$")


def squat(bw: BridgeWorld, *request_ids: str) -> None:
    """The trader, with its own registry key, makes harmless transfers under ids the engine would use."""
    for request_id in request_ids:
        own = bw.world.issue(1, to=bw.world.trader)
        bw.client(bw.world.trader).transfer(
            serial=own.block.serial, to_account=bw.world.custodian, request_id=request_id
        )


def held(bw: BridgeWorld, account: int) -> int:
    return sum(b.quantity for b in bw.registry.list_blocks(account_id=account, status=BlockStatus.HELD.value))


def test_a_squatted_release_id_neither_cancels_a_redemption_nor_strands_a_two_batch_one(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    first = tokenize(bw, 5, key="row2-first-batch")
    second = tokenize(bw, 5, key="row2-second-batch")
    assert first.class_id == second.class_id
    squat(bw, "redeem-1-0", "redeem-2-0", "redeem-2-1")
    one = request_redemption(bw, first.class_id, 2, bw.world.trader)
    two = request_redemption(bw, first.class_id, 8, bw.world.trader)  # takes from both batches
    before = held(bw, bw.world.trader)
    bw.settle()
    for redemption_id in (one, two):
        redemption = bw.engine.get_redemption(redemption_id)
        assert (redemption.step, redemption.error_code) == ("completed", None), redemption
    assert held(bw, bw.world.trader) == before + 10, "every redeemed unit reached the trader"
    assert bw.engine.proof_of_reserve().ok


def test_a_squatted_settlement_id_does_not_leave_a_retirement_unsettled(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    minted = tokenize(bw, 6)
    squat(bw, "settle-1-0", "settle-1-1")
    retire(bw, minted.class_id, 2 * TONNE)
    bw.settle()
    [settlement] = bw.engine.list_settlements()
    assert (settlement.step, settlement.error_code) == ("completed", None), settlement
    assert bw.engine.proof_of_reserve().ok


def test_the_engines_request_ids_cannot_be_guessed(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    minted = tokenize(bw, 6)
    request_redemption(bw, minted.class_id, 1, bw.world.trader)
    retire(bw, minted.class_id, TONNE)
    bw.settle()
    trust_scope = bw.world.trust, bw.world.custodian
    engine_ids = [
        e.request_id
        for e in bw.registry.journal_entries()
        if e.request_id and e.payload.get("actor_account", e.payload["request"].get("actor_account")) in trust_scope
    ]
    assert len(engine_ids) == 3
    assert all(TOKEN.match(request_id) for request_id in engine_ids), engine_ids
