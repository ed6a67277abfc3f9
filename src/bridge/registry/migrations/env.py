"""Alembic environment of the registry schema; run through ``bridge.registry.db.upgrade``, or the ``alembic``
command line with ``bridge/registry/alembic.ini``."""

from __future__ import annotations

from bridge.alembic_env import run_migrations
from bridge.registry.models import Base

run_migrations(Base.metadata, version_table="registry_alembic_version", database="registry")
