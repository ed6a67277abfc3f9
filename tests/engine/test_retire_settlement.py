"""Retirement: fractions burn at once on-chain; whole tonnes are retired in the registry as they add up."""

from __future__ import annotations

from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, retire, tokenize


def registry_retired(bw: BridgeWorld) -> list:
    return bw.registry.list_blocks(status=BlockStatus.RETIRED.value)


def test_fractions_are_settled_in_the_registry_when_they_add_up_to_whole_tonnes(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 100)
    assert done.class_id
    first = retire(bw, done.class_id, TONNE // 4)
    second = retire(bw, done.class_id, TONNE // 2, beneficiary="Globex")
    bw.settle()
    assert registry_retired(bw) == []  # 0.75 t: nothing whole yet
    third = retire(bw, done.class_id, 3 * TONNE // 10)
    bw.settle()
    retired = registry_retired(bw)
    assert sum(b.quantity for b in retired) == 1
    settles = retired[0].retirement.settles if retired[0].retirement else []
    assert [s.rsplit(":", 1)[1] for s in settles] == [str(first), str(second), str(third)]
    assert bw.local.bridge.functions.retiredUnsettled(bytes.fromhex(done.class_id[2:])).call() == TONNE // 20
    assert bw.engine.proof_of_reserve().ok
    [settlement] = bw.engine.list_settlements()
    assert settlement.step == "completed" and settlement.tonnes == 1


def test_settlement_is_idempotent_across_restarts(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 20)
    assert done.class_id
    retire(bw, done.class_id, 3 * TONNE)
    bw.settle()
    bw.restart()
    bw.settle()
    assert sum(b.quantity for b in registry_retired(bw)) == 3
    assert len(bw.engine.list_settlements()) == 1
    assert bw.engine.proof_of_reserve().ok
