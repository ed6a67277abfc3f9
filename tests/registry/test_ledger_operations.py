"""Block operations: each one's effect, the split convention, ownership, refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.models import LockRecord, UnitBlock
from registry_factories import TOKEN, World, assert_refused

C = RegistryErrorCode


def held_serial(world: World, quantity: int = 10_000) -> str:
    return world.issue(quantity).block.serial


# --- split convention ------------------------------------------------------------------------------


def test_retiring_part_of_a_block_takes_the_lowest_units_and_leaves_the_rest_held(world: World) -> None:
    issued = world.issue(10_000, first_unit=1)
    result = world.registry.retire(
        actor_account=world.custodian, serial=issued.block.serial, quantity=300, beneficiary="Acme", reason="2023 claim"
    )
    [retired] = result.blocks
    [rest] = result.remainders
    assert (retired.start, retired.end, retired.status) == (1, 300, BlockStatus.RETIRED)
    assert (rest.start, rest.end, rest.status) == (301, 10_000, BlockStatus.HELD)
    assert rest.account_id == world.custodian
    assert retired.id == issued.block.id, "the operated part keeps the block's id"
    assert retired.serial == issued.block.serial.replace("-1-10000-", "-1-300-")
    assert rest.serial == issued.block.serial.replace("-1-10000-", "-301-10000-")
    assert result.quantity == 300


def test_split_parts_never_overlap_and_cover_the_block(world: World) -> None:
    issued = world.issue(7, first_unit=100)
    serial = issued.block.serial
    for quantity in (1, 2, 3):
        result = world.registry.transfer(
            actor_account=world.custodian, to_account=world.trader, serial=serial, quantity=quantity
        )
        serial = result.remainders[0].serial
    blocks = sorted(world.registry.list_blocks(issuance_id=issued.issuance.id), key=lambda b: b.start)
    assert [(b.start, b.end) for b in blocks] == [(100, 100), (101, 102), (103, 105), (106, 106)]
    assert sum(b.quantity for b in blocks) == 7
    assert world.registry.check_integrity().ok


def test_whole_block_operation_does_not_split(world: World) -> None:
    issued = world.issue(500)
    result = world.registry.transfer(actor_account=world.custodian, to_account=world.trader, serial=issued.block.serial)
    assert result.remainders == []
    assert result.blocks[0].serial == issued.block.serial
    assert result.blocks[0].account_id == world.trader
    assert result.blocks[0].previous_account_id == world.custodian


def test_selecting_by_issuance_takes_lowest_units_across_blocks(world: World) -> None:
    registry = world.registry
    issued = world.issue(100, first_unit=1)
    # custodian keeps 1-10 and 41-100; 11-40 go to the trader
    registry.transfer(
        actor_account=world.custodian, to_account=world.trader, issuance_id=issued.issuance.id, quantity=10
    )
    registry.transfer(
        actor_account=world.trader, to_account=world.custodian, issuance_id=issued.issuance.id, quantity=10
    )
    registry.transfer(
        actor_account=world.custodian,
        to_account=world.trader,
        serial=registry.list_blocks(account_id=world.custodian)[1].serial,
        quantity=30,
    )
    result = registry.retire(
        actor_account=world.custodian, issuance_id=issued.issuance.id, quantity=25, beneficiary="B", reason="r"
    )
    assert [(b.start, b.end) for b in result.blocks] == [(1, 10), (41, 55)]
    assert [(b.start, b.end) for b in result.remainders] == [(56, 100)]
    assert registry.check_integrity().ok


# --- each operation --------------------------------------------------------------------------------


def test_transfer_moves_units_to_another_holding_account(world: World) -> None:
    serial = held_serial(world)
    result = world.registry.transfer(actor_account=world.custodian, to_account=world.trader, serial=serial, quantity=40)
    assert result.blocks[0].account_id == world.trader
    balance = world.registry.account_balance(world.trader)
    assert balance.by_status.held == 40


def test_retire_records_beneficiary_reason_details_and_date(world: World) -> None:
    serial = held_serial(world)
    result = world.registry.retire(
        actor_account=world.custodian,
        serial=serial,
        quantity=5,
        beneficiary="Acme Airlines",
        reason="CORSIA offsetting 2024",
        details="flight emissions Q1",
    )
    block = result.blocks[0]
    assert block.status is BlockStatus.RETIRED
    assert block.account_id == world.retirement
    assert block.previous_account_id == world.custodian
    assert block.retirement is not None
    assert block.retirement.beneficiary == "Acme Airlines"
    assert block.retirement.reason == "CORSIA offsetting 2024"
    assert block.retirement.details == "flight emissions Q1"
    assert block.retirement.retired_at == result.recorded_at
    assert block.retirement.settles == []


def test_retire_into_a_named_retirement_account(world: World) -> None:
    own = world.registry.create_account(kind="retirement", owner="Acme Custody")
    result = world.registry.retire(
        actor_account=world.custodian, serial=held_serial(world), beneficiary="b", reason="r", retirement_account=own.id
    )
    assert result.blocks[0].account_id == own.id


def test_cancel_records_reason(world: World) -> None:
    result = world.registry.cancel(
        actor_account=world.custodian, serial=held_serial(world), quantity=3, reason="double issuance"
    )
    block = result.blocks[0]
    assert block.status is BlockStatus.CANCELLED
    assert block.account_id == world.cancellation
    assert block.cancellation is not None and block.cancellation.reason == "double issuance"


def test_move_to_buffer_then_operator_cancels_buffer_units_for_a_reversal(world: World) -> None:
    registry = world.registry
    buffered = registry.move_to_buffer(actor_account=world.custodian, serial=held_serial(world), quantity=20)
    assert buffered.blocks[0].status is BlockStatus.BUFFER
    assert buffered.blocks[0].account_id == world.buffer
    result = registry.cancel(actor_account=None, serial=buffered.blocks[0].serial, quantity=5, reason="fire reversal")
    assert result.blocks[0].status is BlockStatus.CANCELLED
    assert result.remainders[0].status is BlockStatus.BUFFER


def test_immobilize_locks_units_in_trust_with_the_marketplace_identifier(world: World) -> None:
    result = world.registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier=TOKEN,
        marketplace_link="https://example.org/token/1",
        serial=held_serial(world),
        quantity=100,
    )
    block = result.blocks[0]
    assert block.status is BlockStatus.IMMOBILIZED
    assert block.account_id == world.trust
    assert block.marketplace is not None
    assert block.marketplace.identifier == TOKEN
    assert block.marketplace.link == "https://example.org/token/1"


def immobilized(world: World, quantity: int = 100) -> str:
    return (
        world.registry.immobilize(
            actor_account=world.custodian,
            trust_account=world.trust,
            marketplace="carbon-bridge",
            marketplace_identifier=TOKEN,
            serial=held_serial(world),
            quantity=quantity,
        )
        .blocks[0]
        .serial
    )


def test_release_returns_part_of_an_immobilised_block_to_a_holder(world: World) -> None:
    serial = immobilized(world, 100)
    result = world.registry.release(actor_account=world.trust, to_account=world.trader, serial=serial, quantity=30)
    [released], [rest] = result.blocks, result.remainders
    assert released.status is BlockStatus.HELD and released.account_id == world.trader
    assert released.marketplace is None
    assert rest.status is BlockStatus.IMMOBILIZED and rest.quantity == 70 and rest.marketplace is not None


def test_a_locked_block_carries_its_locks_marketplace_record_until_it_is_released(world: World) -> None:
    serial = immobilized(world, 100)
    columns = [c.key for c in LockRecord.__table__.columns if c.key.startswith("marketplace")]

    def stored(row_type: type[UnitBlock] | type[LockRecord], where: Any) -> list[Any]:
        with Session(world.registry.engine) as session:
            return [[getattr(row, c) for c in columns] for row in session.scalars(select(row_type).where(where))]

    [lock] = stored(LockRecord, LockRecord.serial == serial)
    assert lock == ["carbon-bridge", TOKEN.chain_id, TOKEN.token_address, TOKEN.batch_id, TOKEN.recipient, None]
    assert stored(UnitBlock, UnitBlock.serial == serial) == [lock]
    released = world.registry.release(actor_account=world.trust, to_account=world.trader, serial=serial)
    assert stored(UnitBlock, UnitBlock.id == released.blocks[0].id) == [[None] * len(columns)]


def test_retire_from_trust_names_what_it_settles_and_keeps_the_marketplace_record(world: World) -> None:
    serial = immobilized(world, 100)
    result = world.registry.retire_from_trust(
        actor_account=world.trust,
        serial=serial,
        quantity=2,
        beneficiary="Alice",
        reason="voluntary",
        details="settles on-chain retirements 17 and 18",
        settles=["retirement:17", "retirement:18"],
    )
    block = result.blocks[0]
    assert block.status is BlockStatus.RETIRED
    assert block.retirement is not None and block.retirement.settles == ["retirement:17", "retirement:18"]
    assert block.marketplace is not None


def test_freeze_stops_every_movement_until_unfrozen(world: World) -> None:
    registry = world.registry
    serial = held_serial(world, 50)
    frozen = registry.freeze(serial=serial, quantity=20, reason="issued in error")
    assert frozen.blocks[0].frozen and frozen.blocks[0].freeze_reason == "issued in error"
    assert not frozen.remainders[0].frozen
    frozen_serial = frozen.blocks[0].serial
    assert_refused(
        registry,
        C.BLOCK_FROZEN,
        registry.transfer,
        actor_account=world.custodian,
        to_account=world.trader,
        serial=frozen_serial,
    )
    assert_refused(
        registry,
        C.BLOCK_FROZEN,
        registry.retire,
        actor_account=world.custodian,
        serial=frozen_serial,
        beneficiary="b",
        reason="r",
    )
    # by issuance, frozen units are simply not eligible
    assert_refused(
        registry,
        C.INSUFFICIENT_UNITS,
        registry.transfer,
        actor_account=world.custodian,
        to_account=world.trader,
        issuance_id=frozen.blocks[0].issuance_id,
        quantity=31,
    )
    assert_refused(registry, C.BLOCK_FROZEN, registry.freeze, serial=frozen_serial, reason="again")
    unfrozen = registry.unfreeze(serial=frozen_serial, reason="corrected")
    assert not unfrozen.blocks[0].frozen
    assert_refused(registry, C.BLOCK_NOT_FROZEN, registry.unfreeze, serial=frozen_serial)
    registry.transfer(actor_account=world.custodian, to_account=world.trader, serial=frozen_serial)


def test_freeze_a_whole_issuance_in_every_account(world: World) -> None:
    registry = world.registry
    issued = world.issue(100)
    registry.transfer(actor_account=world.custodian, to_account=world.trader, serial=issued.block.serial, quantity=10)
    immobilized_serial = (
        registry.immobilize(
            actor_account=world.custodian,
            trust_account=world.trust,
            marketplace="m",
            marketplace_identifier=TOKEN,
            issuance_id=issued.issuance.id,
            quantity=5,
        )
        .blocks[0]
        .serial
    )
    registry.retire(
        actor_account=world.custodian, issuance_id=issued.issuance.id, quantity=5, beneficiary="b", reason="r"
    )
    result = registry.freeze(issuance_id=issued.issuance.id, reason="issued in error")
    assert result.quantity == 95, "retired units are final and stay unfrozen"
    assert registry.issuance_totals(issued.issuance.id).by_status.frozen == 95
    assert_refused(
        registry,
        C.BLOCK_FROZEN,
        registry.release,
        actor_account=world.trust,
        to_account=world.trader,
        serial=immobilized_serial,
    )
    registry.unfreeze(issuance_id=issued.issuance.id)
    assert registry.issuance_totals(issued.issuance.id).by_status.frozen == 0


# --- refused transitions ---------------------------------------------------------------------------


def _block_in(world: World, status: BlockStatus) -> str:
    registry = world.registry
    serial = held_serial(world, 100)
    if status is BlockStatus.HELD:
        return serial
    if status is BlockStatus.IMMOBILIZED:
        return (
            registry.immobilize(
                actor_account=world.custodian,
                trust_account=world.trust,
                marketplace="m",
                marketplace_identifier=TOKEN,
                serial=serial,
            )
            .blocks[0]
            .serial
        )
    if status is BlockStatus.RETIRED:
        return (
            registry.retire(actor_account=world.custodian, serial=serial, beneficiary="b", reason="r").blocks[0].serial
        )
    if status is BlockStatus.CANCELLED:
        return registry.cancel(actor_account=world.custodian, serial=serial, reason="r").blocks[0].serial
    return registry.move_to_buffer(actor_account=world.custodian, serial=serial).blocks[0].serial


def _attempt(world: World, operation: str, serial: str) -> Any:
    r = world.registry
    calls = {
        "transfer": lambda: r.transfer(actor_account=None, to_account=world.trader, serial=serial),
        "retire": lambda: r.retire(actor_account=None, serial=serial, beneficiary="b", reason="r"),
        "cancel": lambda: r.cancel(actor_account=None, serial=serial, reason="r"),
        "move_to_buffer": lambda: r.move_to_buffer(actor_account=None, serial=serial),
        "immobilize": lambda: r.immobilize(
            actor_account=None, trust_account=world.trust, marketplace="m", marketplace_identifier=TOKEN, serial=serial
        ),
        "release": lambda: r.release(actor_account=None, to_account=world.trader, serial=serial),
        "retire_from_trust": lambda: r.retire_from_trust(
            actor_account=None, serial=serial, beneficiary="b", reason="r", settles=["x"]
        ),
    }
    return calls[operation]()


ALLOWED = {
    BlockStatus.HELD: {"transfer", "retire", "cancel", "move_to_buffer", "immobilize"},
    BlockStatus.IMMOBILIZED: {"release", "retire_from_trust"},
    BlockStatus.BUFFER: {"cancel"},
    BlockStatus.RETIRED: set(),
    BlockStatus.CANCELLED: set(),
}
OPERATIONS = ["transfer", "retire", "cancel", "move_to_buffer", "immobilize", "release", "retire_from_trust"]


@pytest.mark.parametrize("status", list(BlockStatus), ids=str)
def test_every_transition_outside_the_table_is_refused_and_changes_nothing(world: World, status: BlockStatus) -> None:
    for operation in OPERATIONS:
        if operation in ALLOWED[status]:
            continue
        serial = _block_in(world, status)
        error = assert_refused(
            world.registry, C.INVALID_TRANSITION, _attempt, world=world, operation=operation, serial=serial
        )
        assert error.details["status"] == str(status)


@pytest.mark.parametrize("status", [BlockStatus.HELD, BlockStatus.IMMOBILIZED, BlockStatus.BUFFER], ids=str)
def test_every_transition_in_the_table_is_allowed(world: World, status: BlockStatus) -> None:
    for operation in sorted(ALLOWED[status]):
        serial = _block_in(world, status)
        result = _attempt(world, operation, serial)
        assert result.quantity == 100
    assert world.registry.check_integrity().ok


# --- ownership ---------------------------------------------------------------------------------------


def test_an_account_cannot_touch_another_accounts_blocks(world: World) -> None:
    registry = world.registry
    serial = held_serial(world)
    for call, extra in (
        (registry.transfer, {"to_account": world.trader}),
        (registry.retire, {"beneficiary": "b", "reason": "r"}),
        (registry.cancel, {"reason": "r"}),
        (registry.move_to_buffer, {}),
        (registry.immobilize, {"trust_account": world.trust, "marketplace": "m", "marketplace_identifier": TOKEN}),
    ):
        assert_refused(
            registry, C.NOT_OWNER, call, field="actor_account", actor_account=world.trader, serial=serial, **extra
        )


def test_only_the_trust_account_releases_or_retires_immobilised_units(world: World) -> None:
    registry = world.registry
    serial = immobilized(world)
    assert_refused(
        registry,
        C.NOT_OWNER,
        registry.release,
        actor_account=world.custodian,
        to_account=world.custodian,
        serial=serial,
    )
    assert_refused(
        registry,
        C.NOT_OWNER,
        registry.retire_from_trust,
        actor_account=world.custodian,
        serial=serial,
        beneficiary="b",
        reason="r",
        settles=["x"],
    )


def test_selection_by_issuance_only_sees_the_actors_own_units(world: World) -> None:
    registry = world.registry
    issued = world.issue(100)
    assert_refused(
        registry,
        C.INSUFFICIENT_UNITS,
        registry.transfer,
        actor_account=world.trader,
        to_account=world.custodian,
        issuance_id=issued.issuance.id,
        quantity=1,
    )
    assert_refused(
        registry,
        C.NOT_OWNER,
        registry.transfer,
        actor_account=world.trader,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=1,
        from_account=world.custodian,
    )


def test_the_operator_names_the_account_it_selects_from(world: World) -> None:
    registry = world.registry
    issued = world.issue(100)
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.transfer,
        field="from_account",
        actor_account=None,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=1,
    )
    result = registry.transfer(
        actor_account=None,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=1,
        from_account=world.custodian,
    )
    assert result.blocks[0].account_id == world.trader


def test_a_closed_or_unknown_actor_cannot_act(world: World) -> None:
    registry = world.registry
    serial = held_serial(world)
    spare = registry.create_account(kind="holding", owner="Spare")
    registry.close_account(account_id=spare.id)
    assert_refused(
        registry, C.ACCOUNT_CLOSED, registry.transfer, actor_account=spare.id, to_account=world.trader, serial=serial
    )
    assert_refused(
        registry, C.UNKNOWN_ACCOUNT, registry.transfer, actor_account=999, to_account=world.trader, serial=serial
    )


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"quantity": 0}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": -5}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": 10_001}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": 2.5}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": True}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": "5"}, C.QUANTITY_INVALID, "quantity"),
        ({"to_account": 999}, C.UNKNOWN_ACCOUNT, "to_account"),
        ({"to_account": "trust"}, C.WRONG_ACCOUNT_KIND, "to_account"),
        ({"to_account": "self"}, C.SAME_ACCOUNT, "to_account"),
        ({"serial": "7201-1-5-VCS-VCU-1-VER-ID-14-1477-01012019-31122019-1"}, C.BLOCK_NOT_FOUND, "serial"),
        ({"serial": "7201-1-5-VCS-VCU-1-VER-ID-14-1477-31132019-31122019-1"}, C.SERIAL_MALFORMED, "vintage_start"),
        ({"serial": "hello"}, C.UNKNOWN_PROGRAM, "program"),
        ({"serial": None}, C.INVALID_REQUEST, None),
        ({"issuance_id": 1}, C.INVALID_REQUEST, None),
        ({"serial": None, "issuance_id": 99, "quantity": 1}, C.UNKNOWN_ISSUANCE, "issuance_id"),
        ({"serial": None, "issuance_id": 1}, C.QUANTITY_INVALID, "quantity"),
        ({"unexpected": 1}, C.INVALID_REQUEST, "unexpected"),
    ],
)
def test_bad_transfer_input_is_refused_with_a_code_and_changes_nothing(
    world: World, kwargs: dict[str, Any], code: RegistryErrorCode, field: str | None
) -> None:
    registry = world.registry
    issued = world.issue(10_000)
    fields: dict[str, Any] = {
        "actor_account": world.custodian,
        "to_account": world.trader,
        "serial": issued.block.serial,
    }
    fields.update(kwargs)
    if fields["to_account"] == "trust":
        fields["to_account"] = world.trust
    if fields["to_account"] == "self":
        fields["to_account"] = world.custodian
    assert_refused(registry, code, registry.transfer, field=field, **fields)


def test_a_serial_naming_units_inside_a_block_takes_exactly_those_units(world: World) -> None:
    """How registries publish retirements: a serial naming part of a block. The block is split around it."""
    issued = world.issue(100, first_unit=1)
    part = issued.block.serial.replace("-1-100-", "-41-60-")
    moved = world.registry.transfer(actor_account=world.custodian, to_account=world.trader, serial=part)
    assert [(b.serial, b.account_id, b.id) for b in moved.blocks] == [(part, world.trader, issued.block.id)]
    assert sorted((b.start, b.end, b.account_id) for b in moved.remainders) == [
        (1, 40, world.custodian),
        (61, 100, world.custodian),
    ]
    assert world.registry.check_integrity().ok
    retired = world.registry.retire(
        actor_account=world.custodian,
        serial=issued.block.serial.replace("-1-100-", "-70-79-"),
        quantity=5,
        beneficiary="Acme",
        reason="claim",
    )
    assert [(b.start, b.end) for b in retired.blocks] == [(70, 74)]
    assert sorted((b.start, b.end) for b in retired.remainders) == [(61, 69), (75, 100)]


def test_a_serial_naming_units_of_no_one_block_is_not_found_and_hints_at_the_block(world: World) -> None:
    issued = world.issue(100, first_unit=1)
    world.registry.transfer(
        actor_account=world.custodian, to_account=world.trader, serial=issued.block.serial, quantity=40
    )
    across = issued.block.serial.replace("-1-100-", "-30-50-")  # units of two blocks
    error = assert_refused(
        world.registry,
        C.BLOCK_NOT_FOUND,
        world.registry.transfer,
        actor_account=world.trader,
        to_account=world.custodian,
        serial=across,
    )
    assert issued.block.serial.replace("-1-100-", "-1-40-") in error.message
    other_vintage = issued.block.serial.replace("-1-100-", "-50-60-").replace("01012019", "02012019")
    assert_refused(
        world.registry,
        C.BLOCK_NOT_FOUND,
        world.registry.transfer,
        actor_account=world.custodian,
        to_account=world.trader,
        serial=other_vintage,
    )


def test_transfer_into_a_closed_account_is_refused(world: World) -> None:
    registry = world.registry
    spare = registry.create_account(kind="holding", owner="Spare")
    registry.close_account(account_id=spare.id)
    assert_refused(
        registry,
        C.ACCOUNT_CLOSED,
        registry.transfer,
        actor_account=world.custodian,
        to_account=spare.id,
        serial=held_serial(world),
    )


def test_immobilize_needs_a_trust_account_and_a_marketplace_identifier(world: World) -> None:
    registry = world.registry
    serial = held_serial(world)
    base = {"actor_account": world.custodian, "marketplace": "m", "serial": serial}
    assert_refused(
        registry,
        C.WRONG_ACCOUNT_KIND,
        registry.immobilize,
        trust_account=world.trader,
        marketplace_identifier=TOKEN,
        **base,
    )
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.immobilize,
        field="marketplace_identifier.chain_id",
        trust_account=world.trust,
        marketplace_identifier={"chain_id": 0, "token_address": "0x1", "batch_id": "1"},
        **base,
    )
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.immobilize,
        trust_account=world.trust,
        marketplace_identifier={"chain_id": 1, "token_address": "", "batch_id": "1"},
        **base,
    )


def test_retire_needs_a_beneficiary_and_reason(world: World) -> None:
    registry = world.registry
    serial = held_serial(world)
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.retire,
        field="beneficiary",
        actor_account=world.custodian,
        serial=serial,
        beneficiary="  ",
        reason="r",
    )
    assert_refused(
        registry,
        C.WRONG_ACCOUNT_KIND,
        registry.retire,
        field="retirement_account",
        actor_account=world.custodian,
        serial=serial,
        beneficiary="b",
        reason="r",
        retirement_account=world.cancellation,
    )


def test_retire_from_trust_must_name_what_it_settles(world: World) -> None:
    serial = immobilized(world)
    assert_refused(
        world.registry,
        C.INVALID_REQUEST,
        world.registry.retire_from_trust,
        field="settles",
        actor_account=world.trust,
        serial=serial,
        beneficiary="b",
        reason="r",
        settles=[],
    )


def test_more_units_than_an_account_holds_are_refused_with_the_available_count(world: World) -> None:
    issued = world.issue(100)
    error = assert_refused(
        world.registry,
        C.INSUFFICIENT_UNITS,
        world.registry.retire,
        actor_account=world.custodian,
        issuance_id=issued.issuance.id,
        quantity=101,
        beneficiary="b",
        reason="r",
    )
    assert error.details == {"requested": 101, "available": 100}


# --- idempotency ----------------------------------------------------------------------------------


def test_a_retried_request_returns_the_first_result_and_does_nothing_more(world: World) -> None:
    registry = world.registry
    issued = world.issue(100)
    kwargs: dict[str, Any] = {
        "actor_account": world.custodian,
        "to_account": world.trader,
        "issuance_id": issued.issuance.id,
        "quantity": 10,
        "request_id": "redeem-42",
    }
    first = registry.transfer(**kwargs)
    head = registry.journal_head()
    again = registry.transfer(**kwargs)
    assert again == first
    assert registry.journal_head() == head
    assert registry.account_balance(world.trader).by_status.held == 10


def test_a_request_id_reused_for_another_request_is_refused(world: World) -> None:
    registry = world.registry
    issued = world.issue(100)
    registry.transfer(
        actor_account=world.custodian,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=10,
        request_id="r-1",
    )
    assert_refused(
        registry,
        C.IDEMPOTENCY_CONFLICT,
        registry.transfer,
        field="request_id",
        actor_account=world.custodian,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=11,
        request_id="r-1",
    )
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.transfer,
        field="request_id",
        actor_account=world.custodian,
        to_account=world.trader,
        issuance_id=issued.issuance.id,
        quantity=1,
        request_id="has spaces",
    )


def test_one_request_id_used_by_two_principals_is_two_requests(world: World) -> None:
    """Idempotency keys are scoped per principal: whatever id one account (or the operator) uses, no other
    principal's request under the same string is answered with it, or refused because of it."""
    registry = world.registry
    issued = world.issue(100)
    common: dict[str, Any] = {"issuance_id": issued.issuance.id, "request_id": "redeem-1-0"}
    mine = registry.transfer(actor_account=world.custodian, to_account=world.trader, quantity=10, **common)
    theirs = registry.transfer(actor_account=world.trader, to_account=world.custodian, quantity=4, **common)
    cancelled = registry.cancel(actor_account=None, from_account=world.custodian, quantity=1, reason="r", **common)
    assert [r.blocks[0].quantity for r in (mine, theirs, cancelled)] == [10, 4, 1]
    head = registry.journal_head()
    assert registry.transfer(actor_account=world.custodian, to_account=world.trader, quantity=10, **common) == mine
    assert registry.transfer(actor_account=world.trader, to_account=world.custodian, quantity=4, **common) == theirs
    assert registry.journal_head() == head, "each principal's retry answered from its own entry"
    scopes = {e.payload.get("actor_account") for e in registry.journal_entries() if e.request_id == "redeem-1-0"}
    assert scopes == {world.custodian, world.trader, None}


def test_a_refused_operation_leaves_no_journal_entry(world: World) -> None:
    registry = world.registry
    head = registry.journal_head()
    with pytest.raises(RegistryError):
        registry.transfer(actor_account=world.custodian, to_account=world.trader, issuance_id=1, quantity=1)
    assert registry.journal_head() == head


def test_operations_need_a_genesis_entry(new_registry: Any) -> None:
    empty: Registry = new_registry(initialize=False)
    assert_refused(empty, C.NOT_INITIALIZED, empty.create_account, kind="holding", owner="x")
