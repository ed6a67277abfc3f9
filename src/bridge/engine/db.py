"""The engine database: engines for SQLite (the embedded default) and PostgreSQL, and its migrations.

``open_engine_db(url)`` makes the engine and upgrades the schema to the newest Alembic revision shipped
in ``bridge/engine/migrations`` (see its README for adding a column). It holds the engine's tables and the
pools'. A database made before the engine had migrations (no version table) is adopted by the first
revision: it is stamped, and gains what older engines lacked, with every row kept.

Several processes may open one database at once (workers starting together): the upgrade runs in one
transaction that first takes a lock, so the others wait and then find the schema already at head.
On PostgreSQL that lock is a transaction-scoped advisory lock; on SQLite, ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from bridge.sqlite_wal import use_wal

DEFAULT_ENGINE_URL: Final = "sqlite:///.bridge/bridge.db"
MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")
VERSION_TABLE: Final = "engine_alembic_version"
# pg_advisory_xact_lock's key for "migrating the engine database" (any constant no other lock uses)
_MIGRATION_LOCK: Final = 0x0E61_0E00


def make_engine(url: str | URL) -> Engine:
    """An engine for the engine database at ``url`` (not migrated: see ``open_engine_db``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def alembic_config() -> Config:
    """Alembic configuration for the shipped migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    return config


def _locked(connection: Connection) -> None:
    """Take the migration lock for the rest of ``connection``'s transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        # SQLite alters a table by copying it, which other tables' foreign keys would refuse mid-way; the
        # pragma cannot change inside a transaction, so it is off for the migration and checked before commit
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # pysqlite opens no transaction before DDL: open one that holds the write lock from the start
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")


def migrate(engine: Engine, revision: str = "head", *, down: bool = False) -> None:
    """Run the shipped migrations up (or ``down``) to ``revision`` on ``engine``'s database, atomically."""
    config = alembic_config()
    with engine.connect() as connection:
        try:
            _locked(connection)
            config.attributes["connection"] = connection
            if down:
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)
            _check_foreign_keys(connection)
            connection.commit()
        finally:
            if connection.dialect.name == "sqlite":
                # the connection goes back to the pool: foreign keys on again, whether the migration
                # committed or failed (after a failure the transaction is rolled back first)
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def open_engine_db(url: str | URL = DEFAULT_ENGINE_URL) -> Engine:
    """An engine for ``url`` whose schema is at the newest migration."""
    engine = make_engine(url)
    migrate(engine)
    return engine
