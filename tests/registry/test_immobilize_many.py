"""``immobilize_many``: many selections locked by one request, one journal entry, consecutive lock ids, all
or nothing."""

from __future__ import annotations

from typing import Any

from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.schemas import MarketplaceIdentifier
from registry_factories import TOKEN, World, assert_refused


def _lock(serial: str, quantity: int, batch_id: str) -> dict[str, Any]:
    return {
        "serial": serial,
        "quantity": quantity,
        "marketplace_identifier": TOKEN.model_copy(update={"batch_id": batch_id}).model_dump(),
    }


def test_many_selections_are_locked_in_one_journal_entry_with_consecutive_lock_ids(world: World) -> None:
    blocks = [world.issue(10 + i).block.serial for i in range(3)]
    head = world.registry.journal_head().seq
    result = world.registry.immobilize_many(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        locks=[_lock(serial, 5, f"b{i}") for i, serial in enumerate(blocks)],
        request_id="lock-three",
    )
    assert world.registry.journal_head().seq == head + 1, "one journal entry for the whole request"
    assert result.seq == head + 1 and result.quantity == 15
    lock_ids = [block.lock_id for block in result.blocks]
    assert lock_ids == list(range(lock_ids[0] or 0, (lock_ids[0] or 0) + 3)), "consecutive, in selection order"
    for i, block in enumerate(result.blocks):
        assert block.status is BlockStatus.IMMOBILIZED and block.account_id == world.trust
        assert block.marketplace is not None
        assert block.marketplace.identifier == MarketplaceIdentifier(**{**TOKEN.model_dump(), "batch_id": f"b{i}"})
        lock = world.registry.get_lock(block.lock_id or 0)
        assert (lock.serial, lock.quantity) == (block.serial, 5)
    assert [b.quantity for b in result.remainders] == [5, 6, 7], "the rest of each block stays held"
    again = world.registry.immobilize_many(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        locks=[_lock(serial, 5, f"b{i}") for i, serial in enumerate(blocks)],
        request_id="lock-three",
    )
    assert again == result, "a retry returns the first result"
    assert world.registry.journal_head().seq == head + 1


def test_one_refused_selection_refuses_the_whole_request_naming_it(world: World) -> None:
    good = world.issue(10).block.serial
    frozen = world.issue(10)
    world.registry.freeze(serial=frozen.block.serial, reason="under review")
    error = assert_refused(
        world.registry,
        RegistryErrorCode.BLOCK_FROZEN,
        world.registry.immobilize_many,
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        locks=[_lock(good, 10, "ok"), _lock(frozen.block.serial, 10, "frozen")],
    )
    assert error.details["index"] == 1 and (error.field or "").startswith("locks[1]")
    assert world.registry.find_block(good).status is BlockStatus.HELD, "nothing was locked"


def test_two_selections_of_the_same_units_are_refused(world: World) -> None:
    serial = world.issue(10).block.serial
    assert_refused(
        world.registry,
        RegistryErrorCode.BLOCK_NOT_FOUND,
        world.registry.immobilize_many,
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        locks=[_lock(serial, 4, "a"), _lock(serial, 4, "b")],
    )
