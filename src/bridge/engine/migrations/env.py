"""Alembic environment of the engine database (the engine's tables and the pools'); run through
``bridge.engine.db.migrate``, or the ``alembic`` command line with ``bridge/engine/alembic.ini``."""

from __future__ import annotations

from bridge.alembic_env import run_migrations
from bridge.engine.store import Base
from bridge.pools.repository import PoolBase

# what autogenerate compares against: every table the engine database holds
run_migrations([Base.metadata, PoolBase.metadata], version_table="engine_alembic_version", database="engine")
