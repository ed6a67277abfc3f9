"""check_integrity finds each kind of corruption; the database itself refuses what it can express."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from bridge.registry.errors import IntegrityViolationError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.models import Issuance
from registry_factories import World


def raw(registry: Registry, statement: str, **params: Any) -> None:
    with registry.engine.begin() as connection:
        connection.execute(text(statement), params)


@pytest.fixture
def split(world: World) -> World:
    """Issuance 1 (units 1-100) as three blocks: 1-10 retired, 11-40 with the trader, 41-100 held."""
    issued = world.issue(100, first_unit=1)
    r = world.registry
    r.retire(actor_account=world.custodian, serial=issued.block.serial, quantity=10, beneficiary="b", reason="r")
    r.transfer(actor_account=world.custodian, to_account=world.trader, issuance_id=1, quantity=30)
    return world


def problems(registry: Registry) -> set[str]:
    report = registry.check_integrity()
    assert not report.ok
    with pytest.raises(IntegrityViolationError) as caught:
        report.raise_for_problems()
    assert caught.value.code is RegistryErrorCode.INTEGRITY_VIOLATION
    return {problem.check for problem in report.problems}


def test_a_consistent_ledger_passes(split: World) -> None:
    report = split.registry.check_integrity()
    assert report.ok and report.problems == [] and report.blocks == 3 and report.issuances == 1
    report.raise_for_problems()


def test_a_lost_block_breaks_conservation(split: World) -> None:
    raw(split.registry, "DELETE FROM registry_unit_blocks WHERE unit_start = 11")
    assert problems(split.registry) == {"conservation"}


def test_units_moved_outside_their_issuance_are_found(split: World) -> None:
    raw(
        split.registry,
        "UPDATE registry_unit_blocks SET unit_start = unit_start + 1000, unit_end = unit_end + 1000"
        " WHERE unit_start = 41",
    )
    assert problems(split.registry) == {"containment", "serial"}


def test_a_status_that_does_not_fit_its_account_is_found(split: World) -> None:
    raw(split.registry, "UPDATE registry_unit_blocks SET status = 'held' WHERE unit_start = 1")
    assert problems(split.registry) == {"status"}


def test_a_serial_that_does_not_name_its_units_is_found(split: World) -> None:
    raw(
        split.registry,
        "UPDATE registry_unit_blocks SET serial = replace(serial, '-41-100-', '-41-99-') WHERE unit_start = 41",
    )
    assert problems(split.registry) == {"serial"}


def test_overlapping_blocks_are_found_or_refused_by_the_database(split: World) -> None:
    """SQLite stores the overlap and check_integrity finds it; PostgreSQL's exclusion constraint refuses it."""
    statement = "UPDATE registry_unit_blocks SET unit_end = 45, quantity = 35 WHERE unit_start = 11"
    if split.registry.engine.dialect.name == "postgresql":
        with pytest.raises(IntegrityError, match="no_overlap"):
            raw(split.registry, statement)
        assert split.registry.check_integrity().ok
        return
    raw(split.registry, statement)
    assert problems(split.registry) >= {"overlap", "conservation"}


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "UPDATE registry_unit_blocks SET unit_end = unit_start - 1, quantity = 0 WHERE unit_start = 41",
            "start_le_end",
        ),
        ("UPDATE registry_unit_blocks SET quantity = quantity + 1 WHERE unit_start = 41", "quantity"),
        ("UPDATE registry_unit_blocks SET unit_start = 0, quantity = 11 WHERE unit_start = 1", "start_positive"),
        ("UPDATE registry_unit_blocks SET unit_start = 1, quantity = 40 WHERE unit_start = 11", "unit_space_start"),
        ("UPDATE registry_unit_blocks SET status = 'lost' WHERE unit_start = 41", "block_status"),
        ("UPDATE registry_unit_blocks SET retirement_beneficiary = NULL WHERE unit_start = 1", "retired_details"),
        ("UPDATE registry_unit_blocks SET frozen = true WHERE unit_start = 41", "freeze_reason"),
        ("UPDATE registry_unit_blocks SET account_id = 999 WHERE unit_start = 41", "FOREIGN KEY|foreign key"),
        ("INSERT INTO registry_ledger_head (id, last_seq, last_hash) VALUES (2, 0, 'x')", "single_row"),
    ],
)
def test_the_database_refuses_rows_that_break_a_rule(split: World, statement: str, constraint: str) -> None:
    before = split.registry.snapshot()
    with pytest.raises(IntegrityError) as caught:
        raw(split.registry, statement)
    message = str(caught.value.orig)
    # SQLite names only CHECK constraints; UNIQUE failures name the columns
    assert any(part in message for part in constraint.split("|")) or "UNIQUE" in message, message
    assert split.registry.snapshot() == before


def test_overlapping_issuances_are_found_or_refused(split: World) -> None:
    changed = {"id": "2", "quantity": "10", "unit_space": "'VCS'", "unit_start": "95", "unit_end": "104"}
    changed |= {"serial": "'s'", "issuance_ref": "'r'"}
    columns = [column.name for column in Issuance.__table__.columns]
    statement = (
        f"INSERT INTO registry_issuances ({', '.join(columns)}) SELECT "
        f"{', '.join(changed.get(name, name) for name in columns)} FROM registry_issuances WHERE id = 1"
    )
    if split.registry.engine.dialect.name == "postgresql":
        with pytest.raises(IntegrityError, match="no_overlap"):
            raw(split.registry, statement)
        return
    raw(split.registry, statement)
    assert "overlap" in problems(split.registry)


# --- cost does not depend on block size ------------------------------------------------------------


def _statements(registry: Registry, call: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(registry.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(registry.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("operation", ["transfer", "retire", "immobilize"])
def test_a_partial_operation_on_a_million_units_runs_the_same_statements_as_on_ten(
    world: World, operation: str
) -> None:
    from registry_factories import TOKEN

    small = world.issue(10).block.serial
    large = world.issue(1_000_000).block.serial
    r = world.registry

    def run(serial: str) -> Any:
        if operation == "transfer":
            return lambda: r.transfer(actor_account=world.custodian, to_account=world.trader, serial=serial, quantity=3)
        if operation == "retire":
            return lambda: r.retire(
                actor_account=world.custodian, serial=serial, quantity=3, beneficiary="b", reason="r"
            )
        return lambda: r.immobilize(
            actor_account=world.custodian,
            trust_account=world.trust,
            marketplace="m",
            marketplace_identifier=TOKEN,
            serial=serial,
            quantity=3,
        )

    on_small = _statements(r, run(small))
    on_large = _statements(r, run(large))
    assert on_small == on_large
    assert len(on_small) < 25
    assert r.check_integrity().ok
