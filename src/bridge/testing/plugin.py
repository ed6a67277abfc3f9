"""The pytest fixtures of ``bridge.testing`` (see the package doc)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from bridge.api import create_app
from bridge.client import BridgeClient
from bridge.local import LocalTemplate, local_service
from bridge.ports import free_port
from bridge.runtime import ServedBridge
from bridge.service import BridgeService
from bridge.settings import ANVIL
from bridge.testing.helpers import LocalBridgeHelper


@pytest.fixture(scope="session")
def bridge_template(tmp_path_factory: pytest.TempPathFactory) -> LocalTemplate:
    """The demo registry, built once per session and copied for each local bridge."""
    return LocalTemplate.build(tmp_path_factory.mktemp("bridge-template"))


@pytest.fixture
def bridge_service(tmp_path: Path, bridge_template: LocalTemplate) -> Iterator[BridgeService]:
    """A whole local bridge in ``tmp_path``: registry with demo data, in-process chain, contracts, engine."""
    service = local_service(tmp_path / "bridge", template=bridge_template)
    yield service
    service.close()


@pytest.fixture
def bridge_api(bridge_service: BridgeService) -> Iterator[TestClient]:
    """The bridge API (and the registry API under /registry) on ``bridge_service``."""
    with TestClient(create_app(bridge_service)) as client:
        yield client


@pytest.fixture
def bridge_client(bridge_api: TestClient, bridge_service: BridgeService) -> BridgeClient:
    """The Python SDK on ``bridge_api``, acting with the demo custodian's key."""
    return BridgeClient(http=bridge_api, api_key=bridge_service.api_key("custodian"))


@pytest.fixture
def bridge_holders(bridge_service: BridgeService) -> list[LocalAccount]:
    """Funded chain accounts to act as token holders."""
    return list(bridge_service.onchain.users)


@pytest.fixture
def bridge(bridge_service: BridgeService) -> LocalBridgeHelper:
    """Helpers over ``bridge_service``: tokenize, redeem, retire, drive."""
    return LocalBridgeHelper(bridge_service)


@contextmanager
def serving_local_bridge(directory: Path, template: LocalTemplate) -> Iterator[ServedBridge]:
    """A local bridge on anvil in ``directory``, served on a free port with its engine worker running
    (1 confirmation, a 0.1 s worker interval); stopped and closed on exit."""
    service = local_service(directory, template=template, chain=ANVIL, confirmations=1)
    try:
        served = ServedBridge(service, port=free_port(), interval=0.1).start()
        try:
            yield served
        finally:
            served.stop()
    finally:
        service.close()


@pytest.fixture
def served_bridge(tmp_path: Path, bridge_template: LocalTemplate) -> Iterator[ServedBridge]:
    """A local bridge on anvil, served over HTTP on a free port with its engine worker running: what
    ``carbon-bridge serve`` runs, for tests of HTTP clients, wallets and the CLI (``served_bridge.url``;
    the chain's JSON-RPC is ``served_bridge.service.rpc_url``)."""
    with serving_local_bridge(tmp_path / "served", bridge_template) as served:
        yield served
