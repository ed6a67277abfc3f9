"""A user's test of their own redemption flow, on a whole local bridge from the plugin's fixtures."""

from bridge.client import BridgeClient
from bridge.testing import LocalBridgeHelper

TONNE = 10**18


def test_my_redemption_flow(bridge: LocalBridgeHelper, bridge_client: BridgeClient) -> None:
    minted = bridge.tokenize()
    assert minted.step == "completed"
    assert bridge.balance(minted.class_id) == minted.quantity * TONNE

    redemption = bridge.redeem(class_id=minted.class_id, tonnes=10, account="trader")

    assert redemption.step == "completed"
    assert bridge.balance(minted.class_id) == (minted.quantity - 10) * TONNE
    held = bridge.service.demo.client().find_block(redemption.released_serials[0])
    assert (held.account_id, held.quantity) == (bridge.account("trader"), 10)
    assert bridge_client.get_redemption(redemption.id).step == "completed"
    assert bridge_client.reserves().ok
