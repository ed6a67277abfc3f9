"""Registry fixtures, run on SQLite always and on PostgreSQL when BRIDGE_TEST_POSTGRES_URL is set.

Fresh databases are cheap: SQLite ones are in-memory copies of one migrated template; PostgreSQL ones
are ``CREATE DATABASE ... TEMPLATE`` copies of one migrated template database (dropped afterwards).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bridge.registry.db import create_registry_db, create_registry_engine, session_factory
from bridge.registry.ledger import Registry
from postgres_admin import drop_database
from registry_factories import TickingClock, World, build_world

POSTGRES_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="BRIDGE_TEST_POSTGRES_URL is not set"),
        ],
    ),
]


class SqliteDatabases:
    """Fresh migrated in-memory SQLite databases, copied from one migrated template.

    Released engines are kept and handed out again with their database reset to the template: an
    engine keeps its compiled-statement cache, which makes a fresh database several times cheaper
    than a new engine.
    """

    def __init__(self) -> None:
        self._template = create_registry_db("sqlite://")
        self._raw: Any = self._template.raw_connection().driver_connection
        self._free: list[tuple[Engine, Callable[[], None]]] = []
        self._resets: dict[Engine, Callable[[], None]] = {}

    def resettable(self) -> tuple[Engine, Callable[[], None]]:
        """An engine over its own in-memory database, and ``reset()`` that empties it again."""
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        engine = create_registry_engine("sqlite://", creator=lambda: connection)

        def reset() -> None:
            self._raw.backup(connection)

        reset()
        return engine, reset

    def engine(self) -> Engine:
        if self._free:
            engine, reset = self._free.pop()
            reset()
        else:
            engine, reset = self.resettable()
        self._resets[engine] = reset
        return engine

    def release(self, engine: Engine) -> None:
        self._free.append((engine, self._resets.pop(engine)))

    def close(self) -> None:
        for engine, _ in self._free:
            engine.dispose()
        self._template.dispose()


class PostgresDatabases:
    """Fresh migrated PostgreSQL databases, created from one migrated template database."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._admin = create_engine(self._url, isolation_level="AUTOCOMMIT")
        self._template_name = f"registry_tpl_{uuid.uuid4().hex[:10]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self._template_name}"'))
        template = create_registry_db(self._url.set(database=self._template_name))
        template.dispose()
        self._names: dict[Engine, str] = {}

    def engine(self) -> Engine:
        name = f"registry_t_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template_name}"'))
        engine = create_registry_engine(self._url.set(database=name))
        self._names[engine] = name
        return engine

    def release(self, engine: Engine) -> None:
        engine.dispose()
        self._drop(self._names.pop(engine))

    def close(self) -> None:
        for engine in list(self._names):
            self.release(engine)
        self._drop(self._template_name)
        self._admin.dispose()

    def _drop(self, name: str) -> None:
        drop_database(self._admin, name)


@pytest.fixture(scope="session")
def sqlite_databases() -> Iterator[SqliteDatabases]:
    databases = SqliteDatabases()
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    if not POSTGRES_URL:
        pytest.skip("BRIDGE_TEST_POSTGRES_URL is not set")
    databases = PostgresDatabases(POSTGRES_URL)
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Engine]]:
    """Makes fresh, migrated, empty databases on the test's backend (released after the test)."""
    databases: SqliteDatabases | PostgresDatabases = request.getfixturevalue(f"{backend}_databases")
    made: list[Engine] = []

    def make() -> Engine:
        engine = databases.engine()
        made.append(engine)
        return engine

    yield make
    for engine in made:
        databases.release(engine)


@pytest.fixture
def new_registry(new_engine: Callable[[], Engine]) -> Callable[..., Registry]:
    """Makes registries over fresh databases; ``initialize=False`` leaves them empty (replay targets)."""

    def make(*, initialize: bool = True, clock: Callable[[], Any] | None = None) -> Registry:
        registry = Registry(session_factory(new_engine()), clock=clock or TickingClock())
        if initialize:
            registry.initialize()
        return registry

    return make


@pytest.fixture
def registry(new_registry: Callable[..., Registry]) -> Registry:
    return new_registry()


@pytest.fixture
def world(registry: Registry) -> World:
    return build_world(registry)
