"""Suite-wide settings. ``BRIDGE_HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) makes every property test
derandomized: CI explores the same examples on every run, so a red run is reproducible and a green one
is not luck; developers' runs keep exploring new examples. The engine database fixtures (each test on SQLite
and PostgreSQL) come from ``engine_databases``."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("BRIDGE_HYPOTHESIS_PROFILE", "default"))

pytest_plugins = ["engine_databases"]  # engine_backend / engine_db_url: the engine database on each backend
