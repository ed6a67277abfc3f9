"""Row 3 (medium): the proof of reserve counted what holders wrote.

Both reserve checks counted any immobilized trust block by the token and batch its depositor named, without
checking its serial or class: one foreign unit made the check fail and ``enforce`` paused the bridge, and
3 units of an unrelated project hid a real 3 t shortfall (the check read ok).

Now a trust block counts only where it backs a batch (inside the batch's serial, of the token's class);
anything else is reported as foreign, never counted, and enforcement pauses only on under-backing.
"""

from __future__ import annotations

from typing import Any

import pytest

from bridge.engine.errors import BridgeError
from bridge.primitives import TONNE
from bridge.reserves_check import check_reserves
from engine_harness import BridgeWorld, tokenize


def lock_under_the_batch(bw: BridgeWorld, minted: Any, serial: str) -> None:
    """The custodian locks a block of its own into the bridge's trust account, naming the bridge's token
    and batch (with its own registry key: any holder can)."""
    bw.client(bw.world.custodian).immobilize(
        trust_account=bw.world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier={
            "chain_id": bw.local.chain.chain_id,
            "token_address": minted.token_address,
            "batch_id": minted.batch_key.removeprefix("0x"),
        },
        serial=serial,
    )


def reports(bw: BridgeWorld) -> list[Any]:
    independent = check_reserves(
        bw.local.chain.w3, bw.local.deployment.address, bw.client(None), trust_account=bw.world.trust
    )
    return [bw.engine.proof_of_reserve(), independent]


def paused(bw: BridgeWorld) -> bool:
    return bool(bw.local.bridge.functions.paused().call())


def test_one_foreign_unit_in_trust_neither_fails_the_check_nor_pauses_the_bridge(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    minted = tokenize(bw, 10)
    lock_under_the_batch(bw, minted, bw.world.issue(1).block.serial)  # same class, outside the batch's serial
    for report in reports(bw):
        assert report.ok, report
        [ours] = report.classes
        assert (ours.units_in_trust, ours.foreign_units) == (10, 1)
    assert bw.engine.enforce_reserve().ok
    assert not paused(bw)


def test_foreign_units_cannot_hide_a_shortfall(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    minted = tokenize(bw, 10)
    # a real shortfall: 3 units leave the trust behind the bridge's back (here the registry operator's doing)
    bw.registry.release(
        actor_account=None, to_account=bw.world.trader, serial=minted.serial, quantity=3, from_account=bw.world.trust
    )
    # and 3 units of an unrelated project are locked under the token and the batch to cover it
    lock_under_the_batch(bw, minted, bw.world.issue(3, program="CCER").block.serial)
    for report in reports(bw):
        assert not report.ok, report
        [ours] = report.classes
        assert (ours.difference_wei, ours.under_backed, ours.foreign_units) == (-3 * TONNE, True, 3)
    with pytest.raises(BridgeError) as refused:
        bw.engine.enforce_reserve()
    assert refused.value.code == "reserve_mismatch"
    assert paused(bw)
