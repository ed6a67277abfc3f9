"""The engine database's migrations: they build exactly the schema the models (and the code before
migrations) made, upgrade idempotently, downgrade cleanly, run once when several processes open a database
together, and adopt a database made before migrations without losing a row."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect, select, text

from bridge.engine.db import VERSION_TABLE, alembic_config, current_revision, make_engine, migrate, open_engine_db
from bridge.engine.store import Base, EngineStore, RedeemStep, Redemption, Settlement, Tokenization
from bridge.pools.repository import PoolBase, PoolRecord
from engine_databases import EngineDatabaseUrls

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
# made by the engine on main before migrations (fc9c500: EngineStore's create_all): a local bridge that
# tokenized 12 t, redeemed 2 t, retired 1.5 t (1 t settled) and deployed the four preset pools
BEFORE_MIGRATIONS = Path(__file__).parent / "data" / "engine-db-before-migrations.db"
FIRST_TABLES = {"tokenizations", "batches", "redemptions", "retirements", "settlements", "events", "cursors", "pools"}
ALL_TABLES = FIRST_TABLES | {"mint_batches", "claims"}  # 0002, 0003
# columns later revisions dropped (0002: the per-tokenization attestation, replaced by mint batches)
DROPPED = {"tokenizations": {"nonce", "deadline", "signatures", "send_attempted"}}


def first_schema() -> MetaData:
    """The tables as revision 0001 froze them: what an engine before migrations made."""
    path = Path(alembic_config().get_main_option("script_location") or "") / "versions" / "0001_engine_schema.py"
    spec = importlib.util.spec_from_file_location("engine_0001", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._SCHEMA


def schema(engine: Engine) -> dict[str, Any]:
    """Everything the database says about the engine's tables (the version table aside)."""
    found = inspect(engine)
    described: dict[str, Any] = {}
    for table in sorted(set(found.get_table_names()) - {VERSION_TABLE}):
        described[table] = {
            "columns": sorted(  # by name: a column a later revision added comes last, wherever the model has it
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")), c.get("autoincrement"))
                for c in found.get_columns(table)
            ),
            "primary_key": found.get_pk_constraint(table),
            "unique": sorted((str(u["name"]), tuple(u["column_names"])) for u in found.get_unique_constraints(table)),
            "indexes": sorted(
                (str(i["name"]), tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "foreign_keys": [
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in found.get_foreign_keys(table)
            ],
        }
    return described


def rows(engine: Engine, columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as tuples of ``columns`` (default: all of each table's)."""
    metadata = MetaData()
    tables = sorted(columns or ALL_TABLES)
    metadata.reflect(engine, only=tables)
    found = {}
    with engine.connect() as connection:
        for name in tables:
            table = metadata.tables[name]
            wanted = [table.c[c] for c in columns[name]] if columns else list(table.c)
            found[name] = sorted(map(tuple, connection.execute(select(*wanted)).all()))
    return found


def column_names(engine: Engine, tables: set[str] = ALL_TABLES) -> dict[str, list[str]]:
    return {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in tables}


def test_the_migrated_schema_is_the_models(engine_db_urls: EngineDatabaseUrls, tmp_path: Path) -> None:
    engine = open_engine_db(engine_db_urls.new(tmp_path))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, [Base.metadata, PoolBase.metadata]) == []
    assert current_revision(engine) == HEAD
    engine.dispose()


def test_the_migrated_schema_is_what_create_all_makes_of_the_models(
    engine_db_urls: EngineDatabaseUrls, tmp_path: Path
) -> None:
    """Down to constraint and index names, on this backend: an adopted database and a new one are alike."""
    migrated = open_engine_db(engine_db_urls.new(tmp_path / "migrated"))
    created = make_engine(engine_db_urls.new(tmp_path / "created", blank=True))
    Base.metadata.create_all(created)
    PoolBase.metadata.create_all(created)
    assert set(schema(migrated)) == ALL_TABLES
    assert schema(migrated) == schema(created)
    migrated.dispose()
    created.dispose()


def test_upgrading_twice_is_harmless_and_downgrading_removes_everything(
    engine_db_urls: EngineDatabaseUrls, tmp_path: Path
) -> None:
    engine = open_engine_db(engine_db_urls.new(tmp_path))
    migrate(engine)
    assert current_revision(engine) == HEAD
    migrate(engine, "base", down=True)
    assert set(inspect(engine).get_table_names()) <= {VERSION_TABLE}
    assert current_revision(engine) is None
    migrate(engine)
    assert set(inspect(engine).get_table_names()) == ALL_TABLES | {VERSION_TABLE}
    engine.dispose()


def test_processes_opening_a_new_database_together_migrate_it_once(
    engine_db_urls: EngineDatabaseUrls, tmp_path: Path
) -> None:
    url = engine_db_urls.new(tmp_path, blank=True)
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        try:
            start.wait()
            EngineStore(url).close()
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [threading.Thread(target=open_it) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "an opener is stuck (a migration lock deadlock?)"
    assert failures == []
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all() == [HEAD]
    engine.dispose()


def test_a_home_database_made_before_migrations_is_adopted_with_every_row(tmp_path: Path) -> None:
    copy = tmp_path / "bridge.db"
    shutil.copyfile(BEFORE_MIGRATIONS, copy)
    old = make_engine(f"sqlite:///{copy}")
    kept = {
        t: [c for c in names if c not in DROPPED.get(t, ())] for t, names in column_names(old, FIRST_TABLES).items()
    }
    before = rows(old, kept)
    old.dispose()
    assert {name: len(found) for name, found in before.items() if found} == {
        "tokenizations": 1,
        "batches": 1,
        "redemptions": 1,
        "retirements": 1,
        "settlements": 1,
        "events": 20,
        "cursors": 1,
        "pools": 4,
    }

    store = EngineStore(f"sqlite:///{copy}")
    assert current_revision(store.engine) == HEAD
    assert rows(store.engine, kept) == before  # later revisions add columns (and drop a few): the rest are intact
    with store.session() as session:
        tokenization = session.scalars(select(Tokenization)).one()
        assert (tokenization.step, tokenization.quantity) == ("completed", 12)
        assert session.scalars(select(Redemption)).one().step == RedeemStep.COMPLETED
        assert session.scalars(select(Settlement)).one().tonnes == 1
        assert len(session.scalars(select(PoolRecord)).all()) == 4
    store.close()
    with sqlite3.connect(copy) as raw:  # new rows keep counting where the old ones stopped
        assert raw.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone() == (20,)


def test_a_database_of_an_older_engine_gains_the_columns_and_indexes_it_lacked(
    engine_db_urls: EngineDatabaseUrls, tmp_path: Path
) -> None:
    url = engine_db_urls.new(tmp_path, blank=True)
    old = make_engine(url)
    first_schema().create_all(old)  # as the engine made it before migrations, then older still:
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO redemptions (id, class_id, holder, tonnes, registry_account, event_block,"
                " event_block_hash, event_tx, step, created_at, updated_at)"
                " VALUES (:id, :class_id, :holder, 3, '5', 1, :zero, :zero, 'seen', :at, :at)"
            ),
            {"id": f"{1:078d}", "class_id": "0x" + "ab" * 32, "holder": "0x" + "11" * 20, "zero": "0x" + "00" * 32}
            | {"at": "2025-01-01 00:00:00"},
        )
        for table in ("redemptions", "settlements"):
            for column in ("error_code", "error_message", "history"):
                connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        connection.execute(text("DROP INDEX ix_redemptions_step"))
    old.dispose()  # no pools table: that engine never deployed one

    store = EngineStore(url)
    assert current_revision(store.engine) == HEAD
    found = inspect(store.engine)
    for table in ("redemptions", "settlements"):
        assert {"error_code", "error_message", "history"} <= {c["name"] for c in found.get_columns(table)}
    assert "ix_redemptions_step" in {i["name"] for i in found.get_indexes("redemptions")}
    assert found.has_table("pools")
    with store.session() as session:
        row = session.get_one(Redemption, 1)
        assert (row.tonnes, row.step, row.error_code, row.history) == (3, RedeemStep.SEEN, None, None)
    store.close()


def test_open_makes_the_folder_of_a_new_sqlite_file(tmp_path: Path) -> None:
    store = EngineStore(f"sqlite:///{tmp_path / 'nested' / 'home' / 'bridge.db'}")
    assert (tmp_path / "nested" / "home" / "bridge.db").is_file()
    store.close()


def test_a_failed_sqlite_migration_gives_its_connection_back_with_foreign_keys_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bridge.db'}")

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a migration failed half-way")

    monkeypatch.setattr(command, "upgrade", broken)
    with pytest.raises(RuntimeError, match="half-way"):
        migrate(engine)
    with engine.connect() as connection:  # the pool hands back the connection the migration used
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
