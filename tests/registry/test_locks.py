"""Registry locks: every immobilized block gets the registry's own lock id (dense, never reused), the blocks
holding its units carry it while in trust, and ``get_lock`` shows the lock and where its units are now, the
same through the ledger, both clients and the HTTP API, after a replay and after the migration rebuilt the
locks of an older registry from its journal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine

from api_factories import CLIENT_KINDS, Connect, connector
from bridge.registry.db import alembic_config, upgrade
from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.replay import replay
from bridge.registry.schemas import MarketplaceIdentifier
from registry_factories import TOKEN, World

RECIPIENT = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
FOR_RECIPIENT = MarketplaceIdentifier(**{**TOKEN.model_dump(), "recipient": RECIPIENT})


def lock(world: World, serial: str, quantity: int | None = None, identifier: MarketplaceIdentifier = FOR_RECIPIENT):
    return world.registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier=identifier,
        serial=serial,
        quantity=quantity,
    )


def test_each_locked_block_gets_the_next_lock_id_and_its_recipient(world: World) -> None:
    first = lock(world, world.issue(500).block.serial, 200)
    second = lock(world, world.issue(300).block.serial)
    assert [b.lock_id for b in first.blocks] == [1]
    assert first.remainders[0].lock_id is None  # the units left held are not locked
    assert [b.lock_id for b in second.blocks] == [2]
    shown = world.registry.get_lock(1)
    assert (shown.lock_id, shown.serial, shown.quantity, shown.start) == (1, first.blocks[0].serial, 200, 1)
    assert shown.trust_account_id == world.trust and shown.actor_account_id == world.custodian
    assert shown.marketplace.identifier.recipient == RECIPIENT
    assert shown.seq == first.seq
    assert [b.serial for b in shown.blocks] == [first.blocks[0].serial]
    assert first.blocks[0].marketplace is not None
    assert first.blocks[0].marketplace.identifier.recipient == RECIPIENT


def test_locking_by_issuance_across_blocks_gives_consecutive_lock_ids(world: World) -> None:
    issued = world.issue(1_000)
    registry = world.registry
    serial = issued.block.serial
    registry.transfer(actor_account=world.custodian, serial=serial, quantity=400, to_account=world.trader)
    registry.transfer(
        actor_account=world.trader,
        serial=registry.list_blocks(account_id=world.trader)[0].serial,
        to_account=world.custodian,
    )
    held = registry.list_blocks(account_id=world.custodian, status="held")
    assert len(held) == 2  # two blocks of one issuance
    result = world.registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier=TOKEN,
        issuance_id=issued.issuance.id,
        quantity=1_000,
    )
    assert [b.lock_id for b in result.blocks] == [1, 2]
    assert [registry.get_lock(i).quantity for i in (1, 2)] == [b.quantity for b in result.blocks]


def test_remainders_of_a_locked_block_keep_its_lock_and_get_lock_follows_every_unit(world: World) -> None:
    registry = world.registry
    serial = lock(world, world.issue(100).block.serial).blocks[0].serial
    released = registry.release(actor_account=world.trust, to_account=world.trader, serial=serial, quantity=30)
    [out], [rest] = released.blocks, released.remainders
    assert out.lock_id is None and out.status is BlockStatus.HELD  # out of trust: no longer under the lock
    assert rest.lock_id == 1 and rest.status is BlockStatus.IMMOBILIZED
    retired = registry.retire_from_trust(
        actor_account=world.trust, serial=rest.serial, quantity=5, beneficiary="A", reason="r", settles=["c:1"]
    )
    assert retired.blocks[0].lock_id == 1  # retired from trust: the record stays
    shown = registry.get_lock(1)
    assert shown.quantity == 100 and shown.serial == serial  # the lock as it was locked
    now = [(b.start, b.end, b.status, b.account_id) for b in shown.blocks]
    assert now == [
        (1, 30, BlockStatus.HELD, world.trader),
        (31, 35, BlockStatus.RETIRED, world.retirement),
        (36, 100, BlockStatus.IMMOBILIZED, world.trust),
    ]
    assert sum(b.quantity for b in shown.blocks) == shown.quantity
    assert registry.check_integrity().ok


def test_a_lock_id_is_never_reused_when_the_same_units_are_locked_again(world: World) -> None:
    registry = world.registry
    serial = lock(world, world.issue(50).block.serial).blocks[0].serial
    registry.release(actor_account=world.trust, to_account=world.custodian, serial=serial)
    again = lock(world, serial)
    assert again.blocks[0].lock_id == 2
    assert [b.lock_id for b in registry.get_lock(1).blocks] == [2]  # lock 1's units are now under lock 2


def test_an_unknown_or_malformed_lock_id_is_refused(world: World) -> None:
    with pytest.raises(RegistryError) as caught:
        world.registry.get_lock(7)
    assert (caught.value.code, caught.value.field) == (RegistryErrorCode.LOCK_NOT_FOUND, "lock_id")
    for bad in (0, -1, 2**63, True):
        with pytest.raises(RegistryError) as caught:
            world.registry.get_lock(bad)  # type: ignore[arg-type]
        assert caught.value.code is RegistryErrorCode.INVALID_REQUEST


def test_a_recipient_that_is_not_an_evm_address_is_refused_and_nothing_changes(world: World) -> None:
    serial = world.issue(10).block.serial
    before = world.registry.snapshot()
    with pytest.raises(RegistryError) as caught:
        lock(world, serial, identifier={**TOKEN.model_dump(), "recipient": "alice"})  # type: ignore[arg-type]
    assert caught.value.field == "marketplace_identifier.recipient"
    assert world.registry.snapshot() == before


@pytest.fixture(params=CLIENT_KINDS)
def connect(request: pytest.FixtureRequest, world: World) -> Iterator[Connect]:
    with connector(str(request.param), world.registry) as make:
        yield make


def test_both_clients_read_a_lock_as_the_ledger_does(world: World, connect: Connect) -> None:
    serial = lock(world, world.issue(100).block.serial).blocks[0].serial
    world.registry.release(actor_account=world.trust, to_account=world.trader, serial=serial, quantity=10)
    client = connect(None)
    assert client.get_lock(1) == world.registry.get_lock(1)
    with pytest.raises(RegistryError) as caught:
        client.get_lock(2)
    assert caught.value.code is RegistryErrorCode.LOCK_NOT_FOUND and caught.value.http_status == 404
    with pytest.raises(RegistryError) as caught:
        client.get_lock(0)
    assert caught.value.code is RegistryErrorCode.INVALID_REQUEST


def test_many_locks_are_read_at_once_as_each_reads_alone(world: World, connect: Connect) -> None:
    """``get_locked_credits`` answers what ``get_lock`` and ``get_credit`` of the lock's first block answer,
    for every lock asked that exists, in the order asked, each once; through the ledger and both clients."""
    _history(world)
    other = lock(world, world.issue(70, program="PURO").block.serial).blocks[0].lock_id
    registry, client = world.registry, connect(None)
    asked = [other, 3, 99, 1, 2, 3, 0, -5, 2**63]
    expected = []
    for lock_id in dict.fromkeys(i for i in asked if 1 <= i < 2**63):
        try:
            shown = registry.get_lock(lock_id)
        except RegistryError:
            continue
        credit = registry.get_credit(shown.blocks[0].serial)
        expected.append((shown, credit))
    assert [r.lock.lock_id for r in registry.get_locked_credits(asked)] == [other, 3, 1, 2]
    for reader in (registry, client):
        assert [(r.lock, r.credit) for r in reader.get_locked_credits(asked)] == expected
    assert client.get_locked_credits([]) == [] and client.get_locked_credits([99]) == []
    for reader in (registry, client):  # the ledger itself refuses too: one check for both transports
        with pytest.raises(RegistryError) as caught:
            reader.get_locked_credits(list(range(1, 202)))
        assert (caught.value.code, caught.value.field) == (RegistryErrorCode.INVALID_REQUEST, "lock_id")


def _history(world: World) -> None:
    """Locks, a partial release, a retirement from trust and a lock again of released units."""
    registry = world.registry
    first = lock(world, world.issue(100).block.serial, 60).blocks[0].serial
    lock(world, world.issue(40).block.serial, identifier=TOKEN)
    registry.release(actor_account=world.trust, to_account=world.custodian, serial=first, quantity=20)
    rest = registry.list_blocks(account_id=world.trust, status="immobilized")[0].serial
    registry.retire_from_trust(
        actor_account=world.trust, serial=rest, quantity=5, beneficiary="B", reason="r", settles=["c:2"]
    )
    lock(world, registry.list_blocks(account_id=world.custodian, status="held")[0].serial)


def test_a_replay_rebuilds_the_same_locks(world: World, new_registry) -> None:  # type: ignore[no-untyped-def]
    _history(world)
    rebuilt = replay(world.registry.iter_journal(), into=new_registry(initialize=False))
    assert rebuilt.snapshot() == world.registry.snapshot()
    assert rebuilt.get_lock(3) == world.registry.get_lock(3)


def test_the_migration_rebuilds_an_older_registrys_locks_from_its_journal(world: World) -> None:
    _history(world)
    registry: Registry = world.registry
    before = registry.snapshot()
    engine: Engine = registry.engine
    config = alembic_config(engine)
    with engine.begin() as connection:  # the registry as the revision before locks left it
        config.attributes["connection"] = connection
        command.downgrade(config, "0004_registry_data")
    upgrade(engine)
    assert registry.snapshot() == before
    assert registry.check_integrity().ok
