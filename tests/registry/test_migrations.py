"""The shipped migrations build exactly the ORM's schema, upgrade idempotently and downgrade cleanly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from bridge.registry.db import VERSION_TABLE, alembic_config, create_registry_db, upgrade
from bridge.registry.journal import canonical_json, read_jsonl
from bridge.registry.ledger import Registry
from bridge.registry.models import Base

JOURNAL_V1 = Path(__file__).parent / "data" / "journal_v1.jsonl"


def test_the_migrated_schema_matches_the_models(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrading_twice_is_harmless_and_downgrade_removes_everything(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    upgrade(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert [t for t in inspect(engine).get_table_names() if t != VERSION_TABLE] == []
    upgrade(engine)
    assert "registry_unit_blocks" in inspect(engine).get_table_names()


def test_open_creates_the_database_file_and_its_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'registry.db'}"
    registry = Registry.open(url)
    registry.create_account(kind="holding", owner="x")
    registry.close()
    again = Registry.open(create_registry_db(url))
    assert [a.owner for a in again.list_accounts()][-1] == "x"
    assert again.journal_head().seq == 2
    again.close()


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_scoping_request_ids_gives_each_old_id_the_actor_its_entry_records(new_engine: Callable[[], Engine]) -> None:
    engine = new_engine()
    _downgrade(engine, "0002")  # a registry written before idempotency keys were scoped per principal
    with JOURNAL_V1.open(encoding="utf-8") as source:
        entries = list(read_jsonl(source))
    operator_entry = entries[-1].model_copy(update={"seq": len(entries) + 1, "request_id": "op-1", "hash": "f" * 64})
    with engine.begin() as connection:
        for entry in [*entries, operator_entry]:
            connection.execute(
                text(
                    "INSERT INTO registry_journal (seq, recorded_at, operation, request_id, payload, prev_hash, hash) "
                    "VALUES (:seq, :at, :operation, :request_id, :payload, :prev_hash, :hash)"
                ),
                {
                    "seq": entry.seq,
                    "at": entry.recorded_at.replace(tzinfo=None),
                    "operation": entry.operation,
                    "request_id": entry.request_id,
                    "payload": canonical_json(entry.payload),
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                },
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT request_id, actor_scope FROM registry_journal ORDER BY seq")).all()
    scopes = {request_id: scope for request_id, scope in rows if request_id is not None}
    assert scopes == {"t-1": "account:4", "r-1": "account:5", "lock-1": "account:4", "op-1": "operator"}
    assert all(scope is None for request_id, scope in rows if request_id is None)
    with pytest.raises(DBAPIError), engine.begin() as connection:  # still append-only after the migration
        connection.execute(text("UPDATE registry_journal SET actor_scope = 'operator' WHERE request_id = 't-1'"))
    with engine.begin() as connection:  # the same id by another principal is another request
        connection.execute(
            text(
                "INSERT INTO registry_journal (seq, recorded_at, operation, request_id, actor_scope, payload, "
                "prev_hash, hash) SELECT 100, recorded_at, operation, request_id, 'account:5', payload, prev_hash, "
                "'e' || substr(hash, 2) FROM registry_journal WHERE request_id = 't-1'"
            )
        )
