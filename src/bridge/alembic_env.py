"""What the Alembic environments of the registry's and the engine's databases (their ``migrations/env.py``)
share: migrations run online only, on the connection the caller passes in ``config.attributes
["connection"]`` (``bridge.registry.db.upgrade``, ``bridge.engine.db.migrate``), or, from the ``alembic``
command line, on the database its ini file's ``sqlalchemy.url`` names. SQLite runs in batch mode (it cannot
alter a table in place: batch operations copy it)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine


def run_migrations(target_metadata: Any, *, version_table: str, database: str) -> None:
    """Run the migrations of ``database`` (its name, for errors) against ``target_metadata``."""
    config = context.config
    table = config.get_main_option("version_table") or version_table

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        raise RuntimeError(f"{database} migrations run online only")
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(f"{database} migrations need a connection or sqlalchemy.url")
    with create_engine(url).begin() as connection:
        run(connection)
