"""The hash-chained journal: verification, tamper detection naming the entry, and replay."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from bridge.registry.auth import issue_api_key
from bridge.registry.client import InProcessRegistryClient
from bridge.registry.db import session_factory
from bridge.registry.errors import JournalCorruptError, RegistryError, RegistryErrorCode, ReplayError
from bridge.registry.journal import agrees, canonical_json, entry_hash, read_jsonl, verify_entries, write_jsonl
from bridge.registry.ledger import Registry
from bridge.registry.replay import replay
from bridge.registry.schemas import JournalCheckpoint, JournalEntryPublic
from registry_factories import TOKEN, TickingClock, World, build_world


def busy_world(world: World) -> World:
    """A world with one of every operation in its journal."""
    r = world.registry
    issued = world.issue(1_000)
    iid = issued.issuance.id
    world.issue(50, program="PURO")
    world.issue(70, program="CCER")
    r.transfer(actor_account=world.custodian, to_account=world.trader, issuance_id=iid, quantity=100, request_id="t-1")
    r.retire(actor_account=world.trader, issuance_id=iid, quantity=10, beneficiary="Acme", reason="claim")
    r.cancel(actor_account=world.custodian, issuance_id=iid, quantity=5, reason="error")
    r.move_to_buffer(actor_account=world.custodian, issuance_id=iid, quantity=20)
    r.cancel(actor_account=None, issuance_id=iid, quantity=2, from_account=world.buffer, reason="reversal")
    r.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier=TOKEN,
        issuance_id=iid,
        quantity=300,
    )
    r.release(actor_account=world.trust, to_account=world.trader, issuance_id=iid, quantity=30)
    r.retire_from_trust(
        actor_account=world.trust, issuance_id=iid, quantity=7, beneficiary="Bob", reason="r", settles=["cert-1"]
    )
    r.freeze(issuance_id=iid, quantity=15, from_account=world.custodian, reason="issued in error")
    r.unfreeze(issuance_id=iid, quantity=5)
    spare = r.create_account(kind="holding", owner="Spare")
    r.close_account(account_id=spare.id)
    return world


@pytest.fixture
def busy(world: World) -> World:
    return busy_world(world)


@contextmanager
def journal_unguarded(engine: Engine) -> Iterator[Any]:
    """A connection on which the append-only triggers are off (what an attacker with DB access has)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE registry_journal DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS registry_journal_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS registry_journal_no_delete"))
        yield connection
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE registry_journal ENABLE TRIGGER USER"))


def tamper(registry: Registry, *statements: str, **params: Any) -> None:
    with journal_unguarded(registry.engine) as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def report_of(registry: Registry) -> tuple[int | None, str]:
    report = registry.verify_journal()
    assert not report.ok
    assert report.problem is not None
    return report.first_bad_seq, report.problem


# --- verification -----------------------------------------------------------------------------------


def test_a_fresh_journal_verifies(busy: World) -> None:
    report = busy.registry.verify_journal()
    assert report.ok and report.first_bad_seq is None
    assert report.head == busy.registry.journal_head()
    assert report.entries == report.head.seq > 15
    report.raise_for_problems()


def test_every_operation_appends_one_entry_chained_to_the_previous(busy: World) -> None:
    entries = busy.registry.journal_entries()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == "0" * 64
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
        assert entry.recorded_at > previous.recorded_at
    operations = {e.operation for e in entries}
    assert operations >= {
        "init_registry",
        "create_program",
        "create_project",
        "create_account",
        "close_account",
        "issue",
        "transfer",
        "retire",
        "cancel",
        "move_to_buffer",
        "immobilize",
        "release",
        "retire_from_trust",
        "freeze",
        "unfreeze",
    }
    transfer = next(e for e in entries if e.operation == "transfer")
    assert transfer.request_id == "t-1"
    assert set(transfer.payload) == {"actor_account", "request", "result"}
    assert transfer.payload["actor_account"] == busy.custodian, "who acted is recorded beside the request"
    assert "actor_account" not in transfer.payload["request"], "the request is the request model, as sent"
    assert transfer.payload["result"]["seq"] == transfer.seq


def test_the_hash_is_sha256_of_the_previous_hash_the_header_and_the_canonical_payload(busy: World) -> None:
    entry = busy.registry.journal_entries(limit=5)[-1]
    header = canonical_json(
        {
            "seq": entry.seq,
            "recorded_at": entry.recorded_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "operation": entry.operation,
            "request_id": entry.request_id,
        }
    )
    payload = canonical_json(entry.payload)
    expected = hashlib.sha256((entry.prev_hash + header + payload).encode()).hexdigest()
    assert entry.hash == expected
    assert entry_hash(entry) == expected


def test_the_database_refuses_to_update_or_delete_journal_entries(busy: World) -> None:
    for statement in (
        "UPDATE registry_journal SET operation = 'x' WHERE seq = 3",
        "DELETE FROM registry_journal WHERE seq = 3",
    ):
        with pytest.raises(DBAPIError, match="append-only"), busy.registry.engine.begin() as connection:
            connection.execute(text(statement))
    assert busy.registry.verify_journal().ok


# --- tampering ------------------------------------------------------------------------------------


def test_an_edited_payload_is_detected_at_its_entry(busy: World) -> None:
    retire = next(e for e in busy.registry.journal_entries() if e.operation == "retire")
    tamper(
        busy.registry,
        "UPDATE registry_journal SET payload = replace(payload, '\"Acme\"', '\"Evil\"') WHERE seq = :seq",
        seq=retire.seq,
    )
    entry = busy.registry.journal_entries(after_seq=retire.seq - 1, limit=1)[0]
    assert entry.payload["request"]["beneficiary"] == "Evil"
    seq, problem = report_of(busy.registry)
    assert seq == retire.seq and "edited" in problem


@pytest.mark.parametrize(
    "assignment",
    [
        "recorded_at = recorded_at + INTERVAL '1 second'",
        "operation = 'cancel'",
        "request_id = 'forged', actor_scope = 'operator'",  # the schema wants both or neither
        "prev_hash = hash",
        "hash = 'g' || substr(hash, 2)",
    ],
)
def test_an_edited_field_is_detected_at_its_entry(busy: World, assignment: str) -> None:
    if busy.registry.engine.dialect.name == "sqlite" and "INTERVAL" in assignment:
        assignment = "recorded_at = datetime(recorded_at, '+1 second')"
    tamper(busy.registry, f"UPDATE registry_journal SET {assignment} WHERE seq = 9")
    seq, _ = report_of(busy.registry)
    assert seq == 9


def test_a_removed_entry_is_detected(busy: World) -> None:
    tamper(busy.registry, "DELETE FROM registry_journal WHERE seq = 12")
    seq, problem = report_of(busy.registry)
    assert seq == 12 and "missing" in problem


def test_reordered_entries_are_detected(busy: World) -> None:
    tamper(
        busy.registry,
        "UPDATE registry_journal SET seq = 100000 WHERE seq = 12",
        "UPDATE registry_journal SET seq = 12 WHERE seq = 13",
        "UPDATE registry_journal SET seq = 13 WHERE seq = 100000",
    )
    seq, _ = report_of(busy.registry)
    assert seq == 12


def test_entries_cut_off_the_end_are_detected(busy: World) -> None:
    head = busy.registry.journal_head()
    tamper(busy.registry, "DELETE FROM registry_journal WHERE seq >= :seq", seq=head.seq - 1)
    seq, problem = report_of(busy.registry)
    assert seq == head.seq - 1 and "removed from the end" in problem


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(busy: World) -> None:
    registry = busy.registry
    entry = registry.journal_entries(after_seq=10, limit=1)[0]
    edited = entry.model_copy(
        update={"payload": {**entry.payload, "request": {**entry.payload["request"], "beneficiary": "Evil"}}}
    )
    payload, forged = canonical_json(edited.payload), entry_hash(edited)
    tamper(registry, "UPDATE registry_journal SET payload = :p, hash = :h WHERE seq = 11", p=payload, h=forged)
    seq, problem = report_of(registry)
    assert seq == 12 and "prev_hash" in problem


def test_a_rewritten_tail_is_caught_by_a_checkpoint_kept_elsewhere(busy: World) -> None:
    registry = busy.registry
    checkpoint = registry.journal_head()
    entries = registry.journal_entries()
    # rewrite the last entry consistently, head included: the chain alone cannot tell
    last = entries[-1]
    edited = last.model_copy(
        update={"payload": {**last.payload, "request": {**last.payload["request"], "account_id": 4}}}
    )
    payload, forged = canonical_json(edited.payload), entry_hash(edited)
    tamper(
        registry,
        "UPDATE registry_journal SET payload = :p, hash = :h WHERE seq = :s",
        "UPDATE registry_ledger_head SET last_hash = :h",
        p=payload,
        h=forged,
        s=last.seq,
    )
    assert registry.verify_journal().ok
    report = registry.verify_journal(checkpoint=checkpoint)
    assert not report.ok and report.first_bad_seq == last.seq
    with pytest.raises(JournalCorruptError) as caught:
        report.raise_for_problems()
    assert caught.value.code is RegistryErrorCode.JOURNAL_CORRUPT
    assert caught.value.details["seq"] == last.seq


def test_an_older_checkpoint_still_verifies(busy: World) -> None:
    entries = busy.registry.journal_entries()
    checkpoint = JournalCheckpoint(seq=entries[5].seq, hash=entries[5].hash)
    assert busy.registry.verify_journal(checkpoint=checkpoint).ok
    wrong = JournalCheckpoint(seq=entries[5].seq, hash="f" * 64)
    assert busy.registry.verify_journal(checkpoint=wrong).first_bad_seq == entries[5].seq


# --- replay ---------------------------------------------------------------------------------------


def test_replay_rebuilds_the_same_state(busy: World, new_registry: Callable[..., Registry]) -> None:
    source = busy.registry
    target = new_registry(initialize=False, clock=TickingClock())
    replay(source.journal_entries(), into=target)
    assert target.snapshot() == source.snapshot()
    assert target.journal_head() == source.journal_head()
    assert target.verify_journal().ok and target.check_integrity().ok


def test_a_journal_exported_as_json_lines_verifies_and_replays(
    busy: World, new_registry: Callable[..., Registry]
) -> None:
    buffer = io.StringIO()
    count = write_jsonl(busy.registry.iter_journal(), buffer)
    assert count == busy.registry.journal_head().seq
    buffer.seek(0)
    assert verify_entries(read_jsonl(buffer)).ok
    buffer.seek(0)
    target = replay(read_jsonl(buffer), into=new_registry(initialize=False))
    assert target.snapshot_digest() == busy.registry.snapshot_digest()


def test_replay_then_continue_gives_the_same_ids_on_both(busy: World, new_registry: Callable[..., Registry]) -> None:
    target = new_registry(initialize=False)
    replay(busy.registry.iter_journal(), into=target)
    a = busy.issue(5)
    b = World(target, busy.custodian, busy.trader, busy.trust).issue(5)
    assert (a.issuance.id, a.block.id, a.block.serial) == (b.issuance.id, b.block.id, b.block.serial)


def test_replay_refuses_a_target_that_is_not_empty(busy: World, new_registry: Callable[..., Registry]) -> None:
    target = new_registry()
    with pytest.raises(ReplayError) as caught:
        replay(busy.registry.journal_entries(), into=target)
    assert caught.value.code is RegistryErrorCode.REPLAY_TARGET_NOT_EMPTY


def _altered(entries: list[JournalEntryPublic], seq: int, **changes: Any) -> list[JournalEntryPublic]:
    return [entry.model_copy(update=changes) if entry.seq == seq else entry for entry in entries]


def test_replay_stops_at_an_altered_entry(busy: World, new_registry: Callable[..., Registry]) -> None:
    entries = busy.registry.journal_entries()
    entry = entries[10]
    forged = {**entry.payload, "request": {**entry.payload["request"], "beneficiary": "Evil"}}
    with pytest.raises(ReplayError) as caught:
        replay(_altered(entries, entry.seq, payload=forged), into=new_registry(initialize=False))
    assert caught.value.details["seq"] == entry.seq


def test_replay_stops_at_a_forged_result(busy: World, new_registry: Callable[..., Registry]) -> None:
    entries = busy.registry.journal_entries()
    entry = next(e for e in entries if e.operation == "transfer")
    forged = {**entry.payload, "result": {**entry.payload["result"], "quantity": 1}}
    with pytest.raises(ReplayError, match="different result") as caught:
        replay(_altered(entries, entry.seq, payload=forged), into=new_registry(initialize=False))
    assert caught.value.details["seq"] == entry.seq


def test_replay_stops_at_a_gap(busy: World, new_registry: Callable[..., Registry]) -> None:
    entries = [e for e in busy.registry.journal_entries() if e.seq != 7]
    with pytest.raises(ReplayError, match="entry 7 is missing"):
        replay(entries, into=new_registry(initialize=False))


def test_replay_into_a_new_database_url(busy: World, tmp_path: Any) -> None:
    target = replay(busy.registry.journal_entries(), into=f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        assert target.snapshot() == busy.registry.snapshot()
    finally:
        target.close()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("BRIDGE_TEST_POSTGRES_URL"), reason="BRIDGE_TEST_POSTGRES_URL is not set")
def test_replay_across_backends_gives_the_same_state(sqlite_databases: Any, postgres_databases: Any) -> None:
    source = Registry(session_factory(sqlite_databases.engine()), clock=TickingClock())
    source.initialize()
    busy_world(build_world(source))
    engine = postgres_databases.engine()
    try:
        on_postgres = Registry(session_factory(engine))
        replay(source.journal_entries(), into=on_postgres)
        assert on_postgres.snapshot() == source.snapshot()
        back = Registry(session_factory(sqlite_databases.engine()))
        replay(on_postgres.journal_entries(), into=back)
        assert back.snapshot() == source.snapshot()
    finally:
        postgres_databases.release(engine)


# --- journals written before the acting account left the request ----------------------------------

# Written by the ledger of commit f58ae9c (build_world, an issuance, then transfer "t-1", retire "r-1",
# immobilize "lock-1", a release, a cancel on a holder's behalf and a freeze): its holder requests carry
# "actor_account" inside "request", and its payloads have no "actor_account" of their own.
JOURNAL_V1 = Path(__file__).parent / "data" / "journal_v1.jsonl"
JOURNAL_V1_HEAD = JournalCheckpoint(seq=17, hash="14c7ecbb9c156037ca2bf5a7d8fc60379830388878c3c28d56770520028a0dbe")


def journal_v1_calls(registry: Registry) -> None:
    """What the code of commit f58ae9c did to write ``journal_v1.jsonl`` (same clock, same calls)."""
    world = build_world(registry)
    world.issue(1_000)
    registry.transfer(actor_account=4, to_account=5, issuance_id=1, quantity=100, request_id="t-1")
    registry.retire(actor_account=5, issuance_id=1, quantity=10, beneficiary="Acme", reason="claim", request_id="r-1")
    registry.immobilize(
        actor_account=4,
        trust_account=6,
        marketplace="carbon-bridge",
        marketplace_identifier=TOKEN,
        issuance_id=1,
        quantity=300,
        request_id="lock-1",
    )
    registry.release(actor_account=6, to_account=5, issuance_id=1, quantity=30)
    registry.cancel(actor_account=None, issuance_id=1, quantity=5, from_account=4, reason="court order")
    registry.freeze(issuance_id=1, quantity=15, from_account=4, reason="issued in error")


def ledger_state(registry: Registry) -> dict[str, Any]:
    """The ledger's tables (the journal aside: its payloads are written in today's form)."""
    return {k: v for k, v in registry.snapshot().items() if k not in ("registry_journal", "registry_ledger_head")}


def journal_v1() -> list[JournalEntryPublic]:
    with JOURNAL_V1.open(encoding="utf-8") as source:
        return list(read_jsonl(source))


def test_a_journal_of_the_old_form_verifies_and_replays_to_the_same_state_and_hashes(
    new_registry: Callable[..., Registry],
) -> None:
    entries = journal_v1()
    transfer = next(e for e in entries if e.request_id == "t-1")
    assert transfer.payload["request"]["actor_account"] == 4 and "actor_account" not in transfer.payload
    assert verify_entries(entries).ok
    target = replay(entries, into=new_registry(initialize=False))
    assert target.journal_head() == JOURNAL_V1_HEAD, "every replayed entry keeps its hash"
    assert target.verify_journal().ok and target.check_integrity().ok
    assert target.journal_entries() == entries
    today = new_registry()  # the same calls made with today's code: the same ledger
    journal_v1_calls(today)
    assert ledger_state(target) == ledger_state(today)


def test_an_old_entry_still_answers_its_retries_and_another_actor_has_ids_of_its_own(
    new_registry: Callable[..., Registry],
) -> None:
    entries = journal_v1()
    registry = replay(entries, into=new_registry(initialize=False))
    head = registry.journal_head()
    transfer = next(e for e in entries if e.request_id == "t-1")
    fields = {"to_account": 5, "issuance_id": 1, "quantity": 100, "request_id": "t-1"}
    again = registry.transfer(actor_account=4, **fields)
    # what the entry recorded, word for word (fields added to the models since read as their defaults)
    assert agrees(transfer.payload["result"], again.model_dump(mode="json"))
    with pytest.raises(RegistryError) as caught:  # the old entry's own actor, another request: refused
        registry.transfer(actor_account=4, **{**fields, "quantity": 99})
    assert caught.value.code is RegistryErrorCode.IDEMPOTENCY_CONFLICT
    # the access rules read the recorded actor too: the block has moved into trust since "lock-1"
    lock = next(e for e in entries if e.request_id == "lock-1")
    custodian = InProcessRegistryClient(registry, issue_api_key(registry, accounts=[4]))
    retried = custodian.immobilize(
        trust_account=6,
        marketplace="carbon-bridge",
        marketplace_identifier=TOKEN,
        issuance_id=1,
        quantity=300,
        request_id="lock-1",
    )
    assert agrees(lock.payload["result"], retried.model_dump(mode="json"))
    assert registry.journal_head() == head, "the retries did nothing"
    # the migration scoped the old ids to their actors: account 5's "t-1" is a request of its own
    mine = registry.transfer(actor_account=5, **{**fields, "to_account": 4, "quantity": 7})
    assert mine.blocks[0].quantity == 7 and registry.journal_head().seq == head.seq + 1
    assert registry.transfer(actor_account=5, **{**fields, "to_account": 4, "quantity": 7}) == mine


def _rechained(entries: list[JournalEntryPublic]) -> list[JournalEntryPublic]:
    """The entries with their hash chain computed again (after an edit), as a journal written so."""
    chained, prev = [], "0" * 64
    for entry in entries:
        relinked = entry.model_copy(update={"prev_hash": prev})
        prev = entry_hash(relinked)
        chained.append(relinked.model_copy(update={"hash": prev}))
    return chained


def test_entries_written_before_a_model_gained_a_field_replay_and_answer_retries(
    new_registry: Callable[..., Registry],
) -> None:
    """As if ``from_account`` (a request field, default None) and ``freeze_reason`` (a result field) had
    been added after this journal was written: its records lack them. (A result field gained later needs a
    default too, for retries to load old results; this one is dropped from an entry nobody retries.)"""
    entries = journal_v1()
    transfer = next(e for e in entries if e.request_id == "t-1")
    request = {k: v for k, v in transfer.payload["request"].items() if k != "from_account"}
    release = next(e for e in entries if e.operation == "release")
    result = release.payload["result"]
    blocks = [{k: v for k, v in block.items() if k != "freeze_reason"} for block in result["blocks"]]
    edits = {
        transfer.seq: {**transfer.payload, "request": request},
        release.seq: {**release.payload, "result": {**result, "blocks": blocks}},
    }
    journal = _rechained([e.model_copy(update={"payload": edits[e.seq]}) if e.seq in edits else e for e in entries])
    registry = replay(journal, into=new_registry(initialize=False))
    original = replay(entries, into=new_registry(initialize=False))
    assert registry.list_blocks() == original.list_blocks() and registry.check_integrity().ok
    again = registry.transfer(actor_account=4, to_account=5, issuance_id=1, quantity=100, request_id="t-1")
    assert agrees(transfer.payload["result"], again.model_dump(mode="json"))
    with pytest.raises(RegistryError) as caught:  # the gained field set otherwise: another request
        registry.transfer(actor_account=4, to_account=5, issuance_id=1, quantity=100, from_account=4, request_id="t-1")
    assert caught.value.code is RegistryErrorCode.IDEMPOTENCY_CONFLICT


@pytest.mark.parametrize(
    ("recorded", "replayed", "same"),
    [
        ({"a": 1}, {"a": 1, "b": None}, True),  # a field gained since: not in the record
        ({"a": 1, "b": None}, {"a": 1}, False),  # a recorded field gone
        ({"a": [{"x": 1}]}, {"a": [{"x": 1, "y": 2}]}, True),
        ({"a": [{"x": 1}]}, {"a": [{"x": 2}]}, False),
        ({"a": [1, 2]}, {"a": [1]}, False),
        ({"a": 1}, {"a": True}, False),
        ({"a": "1"}, {"a": 1}, False),
    ],
)
def test_a_replayed_result_agrees_when_it_holds_every_recorded_value(recorded: Any, replayed: Any, same: bool) -> None:
    assert agrees(recorded, replayed) is same
