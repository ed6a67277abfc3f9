"""The plugin's other fixtures and helpers, used as a user would."""

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from bridge.client import BridgeClient
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper, drive, retire

TONNE = 10**18


def test_my_retirement_is_certified_and_settled(
    bridge: LocalBridgeHelper, bridge_service: BridgeService, bridge_holders: list[LocalAccount]
) -> None:
    buyer = bridge_holders[1]
    minted = bridge.tokenize(to=buyer)

    certificate = retire(bridge_service, buyer, class_id=minted.class_id, amount=5 * TONNE // 2, beneficiary="Me")
    drive(bridge_service)

    assert bridge.balance(minted.class_id, buyer) == minted.quantity * TONNE - 5 * TONNE // 2
    settled = [s for s in bridge_service.engine.list_settlements() if s.step == "completed"]
    assert sum(s.tonnes for s in settled) == 2
    assert bridge_service.engine.proof_of_reserve().ok
    assert certificate >= 1


def test_the_api_and_client_fixtures_share_one_bridge(
    bridge_api: TestClient, bridge_client: BridgeClient, bridge_service: BridgeService
) -> None:
    assert bridge_api.get("/health").json()["bridge"] == bridge_service.onchain.deployment.address
    assert bridge_client.verifiers().threshold == 2
