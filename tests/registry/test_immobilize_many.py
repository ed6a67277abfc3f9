"""``immobilize_many``: many selections locked by one request, one journal entry, consecutive lock ids, all
or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.models import UnitBlock
from bridge.registry.schemas import MarketplaceIdentifier
from bridge.registry.serials import format as format_serial
from bridge.registry.serials import parse as parse_serial
from registry_factories import TOKEN, World, assert_refused, build_world


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


_SELECTION = st.tuples(st.sampled_from(["serial", "part", "issuance"]), st.integers(0, 2), st.integers(1, 12))


def _selection(kind: str, block: int, quantity: int, serials: list[str], issuances: list[int]) -> dict[str, Any]:
    """A selection of block ``block`` of the world: its serial (with a quantity: a split), units inside it
    named by a serial of their own (they may be an earlier selection's remainder), or by issuance."""
    if kind == "serial":
        return {"serial": serials[block], "quantity": quantity}
    if kind == "part":
        own = parse_serial(serials[block])
        start = min(own.start + quantity, own.last_unit)
        return {"serial": format_serial(own.with_range(start, min(start + 2, own.last_unit)))}
    return {"issuance_id": issuances[block], "quantity": quantity}


def _state(world: World) -> list[tuple[Any, ...]]:
    with world.registry.read_session() as session:
        return [
            (b.serial, b.status, b.account_id, b.quantity, b.lock_id)
            for b in session.scalars(select(UnitBlock).order_by(UnitBlock.unit_space, UnitBlock.unit_start))
        ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(_SELECTION, min_size=1, max_size=6))
def test_many_selections_lock_exactly_what_the_same_selections_one_by_one_lock(
    new_registry: Callable[..., Registry], picks: list[tuple[str, int, int]]
) -> None:
    """Whatever the selections (splits, units of an earlier selection's remainder, by issuance after by
    serial), one request locks what the same selections sent one at a time lock, or refuses at the first one
    that alone is refused, with its code, and changes nothing."""
    many, single = build_world(new_registry()), build_world(new_registry())
    results = []
    for world in (many, single):
        issued = [world.issue(8 + 3 * i) for i in range(3)]
        results.append(([r.block.serial for r in issued], [r.block.issuance_id for r in issued]))
    (serials, issuances), _ = results
    assert results[0] == results[1]
    selections = [_selection(*pick, serials, issuances) for pick in picks]
    before = _state(many)
    refused_at: tuple[int, str] | None = None
    for index, selection in enumerate(selections):
        try:
            single.registry.immobilize(
                actor_account=single.custodian,
                trust_account=single.trust,
                marketplace="carbon-bridge",
                marketplace_identifier=TOKEN.model_copy(update={"batch_id": f"b{index}"}),
                **selection,
            )
        except RegistryError as exc:
            refused_at = (index, str(exc.code))
            break
    locks = [
        {**selection, "marketplace_identifier": TOKEN.model_copy(update={"batch_id": f"b{i}"}).model_dump()}
        for i, selection in enumerate(selections)
    ]
    try:
        many.registry.immobilize_many(
            actor_account=many.custodian, trust_account=many.trust, marketplace="carbon-bridge", locks=locks
        )
    except RegistryError as exc:
        assert refused_at == (exc.details["index"], str(exc.code))
        assert _state(many) == before, "a refused request changes nothing"
        return
    assert refused_at is None
    assert _state(many) == _state(single)
    assert many.registry.check_integrity().ok
