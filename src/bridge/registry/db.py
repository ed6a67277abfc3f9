"""Registry storage: engines for SQLite (the embedded default) and PostgreSQL, and migrations.

``create_registry_db(url)`` makes the engine and upgrades the schema to the newest Alembic revision
shipped in ``bridge/registry/migrations``. The same code runs on both backends:

* SQLite (``sqlite:///.bridge/registry.db``): WAL journal, foreign keys on, and every write
  transaction starts with ``BEGIN IMMEDIATE`` so two writers never interleave (reads use a deferred
  ``BEGIN``). The parent directory of the file is created.
* PostgreSQL (``postgresql+psycopg://user:pw@host/db``): READ COMMITTED, and every ledger operation
  first locks the journal head row (``SELECT ... FOR UPDATE``) and then the blocks it touches, so
  operations run one after the other in journal order and can never double-spend a block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.sqlite_wal import use_wal

DEFAULT_URL: Final = "sqlite:///.bridge/registry.db"
MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")
VERSION_TABLE: Final = "registry_alembic_version"

#: Execution option naming the SQLite ``BEGIN`` mode of a connection (``IMMEDIATE`` unless set).
SQLITE_BEGIN: Final = "registry_sqlite_begin"


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database's own failures into coded registry errors: a value it refuses is
    ``invalid_request``, a database it cannot reach (or that is locked) ``registry_unavailable``."""
    try:
        yield
    except DataError as exc:
        raise RegistryError(
            f"the database refused a value: {exc.orig}", code=RegistryErrorCode.INVALID_REQUEST
        ) from exc
    except OperationalError as exc:
        raise RegistryError(
            f"the registry database is unavailable: {exc.orig}", code=RegistryErrorCode.REGISTRY_UNAVAILABLE
        ) from exc


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_registry_engine(url: str | URL = DEFAULT_URL, *, sqlite_synchronous: str = "FULL", **kwargs: Any) -> Engine:
    """An engine for the registry database at ``url`` (not migrated: see ``create_registry_db``).

    ``sqlite_synchronous`` is SQLite's ``PRAGMA synchronous`` (FULL: a committed operation survives a
    power cut; NORMAL: survives a process crash, faster).
    """
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("isolation_level", "READ COMMITTED")
        return create_engine(url, **kwargs)

    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in str(url)
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", 60)
    if in_memory:
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    synchronous = sqlite_synchronous.upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"sqlite_synchronous {sqlite_synchronous!r} is not OFF, NORMAL, FULL or EXTRA")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                use_wal(cursor)
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration for the shipped migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the shipped migrations up to ``revision`` on ``engine``'s database.

    On SQLite, a migration that changes a table rebuilds it (copy, drop, rename), which foreign keys would
    refuse: they are off while the migrations run (outside any transaction, where SQLite honours the
    pragma) and checked once they are done; a violation fails the upgrade.
    """
    config = alembic_config(engine)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if is_sqlite(engine) else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RegistryError(
                            f"the migrated database breaks a foreign key: {tuple(broken)}",
                            code=RegistryErrorCode.CONSTRAINT_VIOLATION,
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def create_registry_db(url: str | URL | Engine = DEFAULT_URL, **engine_kwargs: Any) -> Engine:
    """An engine for ``url`` whose schema has been upgraded to the newest migration."""
    engine = url if isinstance(url, Engine) else create_registry_engine(url, **engine_kwargs)
    upgrade(engine)
    return engine


def is_migrated(engine: Engine) -> bool:
    return inspect(engine).has_table("registry_ledger_head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the registry: objects stay readable after commit (results are built before)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
