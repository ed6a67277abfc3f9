from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.chain.compiler import load_artifacts
from bridge.chain.local import LocalBridge


@pytest.fixture(scope="session")
def session_bridge() -> LocalBridge:
    return LocalBridge.start(verifiers=3, threshold=2, artifacts=load_artifacts())


@pytest.fixture
def local(session_bridge: LocalBridge) -> Iterator[LocalBridge]:
    """The session's bridge, rolled back to a clean state after each test."""
    snapshot = session_bridge.chain.snapshot()
    yield session_bridge
    session_bridge.chain.revert(snapshot)
    session_bridge.resync()
