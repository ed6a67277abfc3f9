from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.chain.compiler import load_artifacts
from bridge.chain.local import LocalBridge


@pytest.fixture(scope="session")
def pool_bridge() -> LocalBridge:
    return LocalBridge.start(verifiers=3, threshold=2, artifacts=load_artifacts())


@pytest.fixture
def local(pool_bridge: LocalBridge) -> Iterator[LocalBridge]:
    """The session's bridge, rolled back to a clean state after each test."""
    snapshot = pool_bridge.chain.snapshot()
    yield pool_bridge
    pool_bridge.chain.revert(snapshot)
    pool_bridge.resync()
