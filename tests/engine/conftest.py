from __future__ import annotations

from pathlib import Path

import pytest

from engine_harness import BridgeWorld, make_world


@pytest.fixture
def bridge_world(tmp_path: Path, engine_db_url: str) -> BridgeWorld:
    """A whole bridge in ``tmp_path``, its engine database on the test's backend (see ``engine_databases``)."""
    return make_world(tmp_path, engine_url=engine_db_url)
