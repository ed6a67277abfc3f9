"""The engine database of a test, on SQLite always and on PostgreSQL when BRIDGE_TEST_POSTGRES_URL is set.

A test (or fixture) that takes ``engine_db_url`` runs once per backend: a SQLite file in its temporary
folder, or a fresh PostgreSQL database copied from a template migrated once per session (``CREATE
DATABASE ... TEMPLATE``: much cheaper than running the migrations again), dropped after the test.
A module whose tests exercise nothing the database backend changes says so with
``pytestmark = pytest.mark.sqlite_only`` and runs on SQLite alone (CI time goes where it matters).
``engine_backend`` is parametrized per module, so a module-scoped fixture can take it too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from bridge.engine.db import open_engine_db
from postgres_admin import drop_database

POSTGRES_URL = os.environ.get("BRIDGE_TEST_POSTGRES_URL")
SQLITE, POSTGRES = "sqlite", "postgres"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the engine database runs on SQLite only in this test")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine_backend" not in metafunc.fixturenames:
        return
    backends = [pytest.param(SQLITE, id=SQLITE)]
    if metafunc.definition.get_closest_marker("sqlite_only") is None:
        skip = pytest.mark.skipif(not POSTGRES_URL, reason="BRIDGE_TEST_POSTGRES_URL is not set")
        backends.append(pytest.param(POSTGRES, id=POSTGRES, marks=[pytest.mark.postgres, skip]))
    metafunc.parametrize("engine_backend", backends, indirect=True, scope="module")


class PostgresEngineDatabases:
    """Fresh migrated engine databases on one PostgreSQL server, each a copy of a migrated template."""

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._admin = create_engine(self._url, isolation_level="AUTOCOMMIT")
        self._template = self._create(f"engine_tpl_{uuid.uuid4().hex[:10]}")
        open_engine_db(self._url.set(database=self._template)).dispose()
        self._made: list[str] = []

    def _create(self, name: str, template: str | None = None) -> str:
        copy = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return name

    def new(self, *, blank: bool = False) -> URL:
        """A migrated database (``blank``: an empty one, never migrated)."""
        name = self._create(f"engine_t_{uuid.uuid4().hex[:12]}", template=None if blank else self._template)
        self._made.append(name)
        return self._url.set(database=name)

    def drop(self, url: URL) -> None:
        """Drop a database ``new`` made (connections still open to it are ended)."""
        name = str(url.database)
        self._made.remove(name)
        drop_database(self._admin, name)

    def close(self) -> None:
        for name in list(self._made):
            self.drop(self._url.set(database=name))
        self._made.append(self._template)
        self.drop(self._url.set(database=self._template))
        self._admin.dispose()


@pytest.fixture(scope="module")
def engine_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def postgres_engine_databases() -> Iterator[PostgresEngineDatabases]:
    if not POSTGRES_URL:
        pytest.skip("BRIDGE_TEST_POSTGRES_URL is not set")
    databases = PostgresEngineDatabases(POSTGRES_URL)
    yield databases
    databases.close()


class EngineDatabaseUrls:
    """Makes engine database URLs on one backend; ``close`` drops what it made."""

    def __init__(self, backend: str, request: pytest.FixtureRequest) -> None:
        self.backend = backend
        self._request = request
        self._made: list[tuple[PostgresEngineDatabases, URL]] = []

    def new(self, folder: Path, *, blank: bool = False) -> str:
        """A fresh engine database: ``folder/bridge.db`` on SQLite (made when first opened), a new database on
        PostgreSQL (migrated, unless ``blank``)."""
        if self.backend == SQLITE:
            return f"sqlite:///{folder / 'bridge.db'}"
        databases: PostgresEngineDatabases = self._request.getfixturevalue("postgres_engine_databases")
        url = databases.new(blank=blank)
        self._made.append((databases, url))
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        for databases, url in self._made:
            databases.drop(url)


@pytest.fixture
def engine_db_urls(engine_backend: str, request: pytest.FixtureRequest) -> Iterator[EngineDatabaseUrls]:
    """Makes engine databases on the test's backend (dropped after the test)."""
    urls = EngineDatabaseUrls(engine_backend, request)
    yield urls
    urls.close()


@pytest.fixture
def engine_db_url(engine_db_urls: EngineDatabaseUrls, tmp_path: Path) -> str:
    """A fresh engine database for this test, on its backend."""
    return engine_db_urls.new(tmp_path)
