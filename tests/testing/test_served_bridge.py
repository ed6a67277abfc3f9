"""The served bridge: a real HTTP port, anvil behind it, and an engine worker that acts on its own."""

from __future__ import annotations

from bridge.client import BridgeClient
from bridge.runtime import ServedBridge
from bridge.testing.helpers import request_redemption

TONNE = 10**18


def test_served_bridge_answers_over_http_and_drives_flows_on_its_own(served_bridge: ServedBridge) -> None:
    service = served_bridge.service
    client = BridgeClient(served_bridge.url, api_key=service.api_key("custodian"))
    network = client.network()
    assert network.rpc_url == service.rpc_url and network.rpc_url is not None
    assert client.health().status == "ok"

    custodian = service.demo.accounts["custodian"]
    block = next(b for b in service.registry.list_blocks(account_id=custodian, status="held") if b.quantity >= 10)
    holder = service.onchain.users[0]
    tokenization = client.tokenize(
        serial=block.serial, quantity=10, recipient=holder.address, idempotency_key="served-1"
    )
    assert served_bridge.worker is not None
    for _ in range(40):
        served_bridge.worker.wait_idle(5)
        tokenization = client.get_tokenization(tokenization.id)
        if tokenization.step == "completed":
            break
    assert tokenization.step == "completed"  # nobody called the engine: the worker did

    redemption_id = request_redemption(
        service, class_id=tokenization.class_id, tonnes=3, holder=holder, account=custodian
    )
    for _ in range(40):
        served_bridge.worker.wait_idle(5)
        if client.get_redemption(redemption_id).step == "completed":
            break
    assert client.get_redemption(redemption_id).step == "completed"
    assert all(c.ok for c in client.reserves().classes)
