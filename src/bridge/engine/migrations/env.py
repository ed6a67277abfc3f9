"""Alembic environment of the engine database (the engine's tables and the pools'); run through
``bridge.engine.db.upgrade``, which passes an open connection in ``config.attributes["connection"]``.
Without one (the ``alembic`` command line, see ``bridge/engine/alembic.ini``) ``sqlalchemy.url`` is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from bridge.engine.store import Base
from bridge.pools.repository import PoolBase

config = context.config
VERSION_TABLE = config.get_main_option("version_table") or "engine_alembic_version"
# what autogenerate compares against: every table the engine database holds
TARGET_METADATA = [Base.metadata, PoolBase.metadata]


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=TARGET_METADATA,
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
        raise RuntimeError("engine migrations need a connection or sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as connection:
        _run(connection)


if context.is_offline_mode():
    raise RuntimeError("engine migrations run online only")
run_migrations_online()
