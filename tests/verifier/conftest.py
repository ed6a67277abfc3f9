from __future__ import annotations

from pathlib import Path

import pytest

from engine_harness import BridgeWorld, make_world


@pytest.fixture
def bridge_world(tmp_path: Path) -> BridgeWorld:
    return make_world(tmp_path)
