"""Alembic environment of the registry schema; run through ``bridge.registry.db.upgrade``.

The caller passes an open connection in ``config.attributes["connection"]``; without one (the
``alembic`` command line), the ``sqlalchemy.url`` option is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from bridge.registry.models import Base

config = context.config
VERSION_TABLE = config.get_main_option("version_table") or "registry_alembic_version"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("registry migrations need a connection or sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as connection:
        _run(connection)


if context.is_offline_mode():
    raise RuntimeError("registry migrations run online only")
run_migrations_online()
