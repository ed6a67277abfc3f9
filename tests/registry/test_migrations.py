"""The shipped migrations build exactly the ORM's schema, upgrade idempotently and downgrade cleanly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bridge.registry.db import VERSION_TABLE, alembic_config, create_registry_db, upgrade
from bridge.registry.ledger import Registry
from bridge.registry.models import Base


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
