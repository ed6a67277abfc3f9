"""Regression tests of the security review (issue #11): each file performs one attack of the review's
threat table against the real code and asserts it is refused with a coded error and changes nothing.

Each test failed on the code the review broke (main before the fix): the attack went through there."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.testing import bridge_api, bridge_service, bridge_template  # noqa: F401
from engine_harness import BridgeWorld, make_world


@pytest.fixture
def bridge_world(tmp_path: Path) -> BridgeWorld:
    """Registry, in-process chain, 2-of-3 verifiers and the engine, each registry identity with its own key."""
    return make_world(tmp_path)
