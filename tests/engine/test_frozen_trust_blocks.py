"""The registry operator freezes units the bridge holds in trust: only the flows that need those units
wait (or, for a redemption that has not started, are cancelled); every other flow goes on."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.engine.faults import CrashOnce, InjectedCrash
from bridge.engine.schemas import TokenizationRequest
from bridge.primitives import TONNE
from bridge.registry.enums import BlockStatus
from engine_harness import BridgeWorld, request_redemption, retire, tokenize, tonnes

pytestmark = pytest.mark.sqlite_only  # registry refusals and allocation: the same on every engine database

VINTAGE_2020 = {"vintage_start": date(2020, 1, 1), "vintage_end": date(2020, 12, 31)}


def held_by(bw: BridgeWorld, account: int) -> int:
    return sum(b.quantity for b in bw.registry.list_blocks(account_id=account, status="held"))


def freeze(bw: BridgeWorld, serial: str) -> None:
    bw.registry.freeze(reason="issued in error: under review", serial=serial)


def test_units_are_released_and_retired_from_unfrozen_trust_blocks_first(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    oldest = tokenize(bw, 5)
    newer = tokenize(bw, 10)
    assert oldest.class_id == newer.class_id and oldest.class_id and oldest.serial
    freeze(bw, oldest.serial)
    retire(bw, oldest.class_id, 2 * TONNE)
    redemption_id = request_redemption(bw, oldest.class_id, 3, bw.world.trader)
    bw.settle()
    assert bw.engine.get_redemption(redemption_id).step == "completed"
    [settlement] = bw.engine.list_settlements()
    assert settlement.step == "completed" and settlement.error_code is None
    assert held_by(bw, bw.world.trader) == 3
    untouched = bw.registry.find_block(oldest.serial)
    assert (untouched.status, untouched.frozen, untouched.quantity) == (BlockStatus.IMMOBILIZED, True, 5)
    assert bw.engine.proof_of_reserve().ok


def test_a_settlement_of_frozen_units_waits_while_other_flows_complete_then_finishes_once_unfrozen(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    frozen = tokenize(bw, 5)
    other = tokenize(bw, 20, **VINTAGE_2020)
    assert frozen.class_id and frozen.serial and other.class_id and other.token_address
    assert frozen.class_id != other.class_id
    freeze(bw, frozen.serial)
    retire(bw, frozen.class_id, 2 * TONNE)
    redemption_id = request_redemption(bw, other.class_id, 4, bw.world.trader)
    issued = bw.world.issue(7, **VINTAGE_2020)
    pending = bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key="frozen-trust-other-tokenization",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )

    bw.settle()  # raised block_frozen out of every round before the fix

    [settlement] = bw.engine.list_settlements()
    assert (settlement.step, settlement.error_code) == ("planned", "block_frozen")
    assert "frozen" in (settlement.error_message or "")
    assert bw.engine.get_redemption(redemption_id).step == "completed"
    assert bw.engine.get_tokenization(pending.id).step == "completed"
    assert bw.balance(other.token_address, bw.holder) == tonnes(20 - 4 + 7)
    assert bw.registry.list_blocks(status=BlockStatus.RETIRED.value) == []
    assert bw.engine.run_until_idle() == 0  # waiting is not progress: the loop comes to rest
    assert bw.engine.proof_of_reserve().ok

    bw.registry.unfreeze(serial=frozen.serial)
    bw.settle()

    [settlement] = bw.engine.list_settlements()
    assert (settlement.step, settlement.error_code, settlement.error_message) == ("completed", None, None)
    retired = bw.registry.list_blocks(status=BlockStatus.RETIRED.value)
    assert sum(b.quantity for b in retired) == 2
    assert bw.engine.proof_of_reserve().ok


def test_a_redemption_of_only_frozen_units_is_cancelled_with_the_registrys_code(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 50)
    assert done.class_id and done.serial and done.token_address
    freeze(bw, done.serial)
    redemption_id = request_redemption(bw, done.class_id, 7, bw.world.trader)
    bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert (redemption.step, redemption.error_code) == ("cancelled", "block_frozen")
    assert "frozen" in (redemption.cancel_reason or "")
    assert bw.balance(done.token_address, bw.holder) == tonnes(50)
    assert bw.local.bridge.functions.redemption(redemption_id).call()[3] == 3  # Cancelled
    assert held_by(bw, bw.world.trader) == 0
    assert bw.engine.proof_of_reserve().ok


def test_a_redemption_refused_after_units_left_trust_waits_and_finishes_once_unfrozen(
    bridge_world: BridgeWorld,
) -> None:
    bw = bridge_world
    first = tokenize(bw, 5)
    second = tokenize(bw, 10)
    assert first.class_id and second.serial and first.token_address
    freeze(bw, second.serial)
    redemption_id = request_redemption(bw, first.class_id, 8, bw.world.trader)
    bw.settle()

    waiting = bw.engine.get_redemption(redemption_id)
    # 5 units are out already: cancelling now would give back tokens nothing backs any more
    assert (waiting.step, waiting.error_code) == ("releasing", "block_frozen")
    assert held_by(bw, bw.world.trader) == 5
    assert bw.local.bridge.functions.redemption(redemption_id).call()[3] == 1  # still pending (escrowed)
    assert bw.engine.proof_of_reserve().ok
    later = tokenize(bw, 3, **VINTAGE_2020)  # other work is not held up meanwhile
    assert later.step == "completed"

    bw.registry.unfreeze(serial=second.serial)
    bw.settle()

    redemption = bw.engine.get_redemption(redemption_id)
    assert (redemption.step, redemption.error_code) == ("completed", None)
    assert held_by(bw, bw.world.trader) == 8
    assert bw.balance(first.token_address, bw.holder) == tonnes(15 - 8)
    assert bw.engine.proof_of_reserve().ok


def test_a_reserved_item_frozen_before_a_restart_waits_and_is_retired_once_unfrozen(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 10)
    assert done.class_id and done.serial
    retire(bw, done.class_id, 3 * TONNE)
    bw.restart(CrashOnce("settle.retire.before"))
    with pytest.raises(InjectedCrash):  # the item is reserved, the registry not yet asked
        bw.settle()
    freeze(bw, done.serial)  # the units the crashed engine had chosen are frozen meanwhile
    bw.restart()
    bw.settle()
    [settlement] = bw.engine.list_settlements()
    assert (settlement.step, settlement.error_code) == ("planned", "block_frozen")
    assert bw.engine.proof_of_reserve().ok

    bw.registry.unfreeze(serial=done.serial)
    bw.settle()
    [settlement] = bw.engine.list_settlements()
    assert settlement.step == "completed"
    assert sum(b.quantity for b in bw.registry.list_blocks(status=BlockStatus.RETIRED.value)) == 3
    assert bw.engine.proof_of_reserve().ok
