"""Row 9 (low): the bridge's ``operator`` API key tokenized the trader's credits to an arbitrary address.

Now tokenizing from a custodian's account takes that custodian's own key, or a destination the custodian
registered (its key's ``destinations``): the operator naming another account and an unregistered
recipient is 403 ``forbidden`` naming ``recipient``, and nothing is stored.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

ATTACKER = "0x" + "a7" * 20


def state(service: BridgeService) -> tuple[str, int]:
    return service.registry.snapshot_digest(), service.tokenizations(limit=1, offset=0).total


def test_the_operator_key_cannot_tokenize_a_custodians_credits_to_an_address_of_its_choosing(
    bridge_service: BridgeService, bridge_api: TestClient
) -> None:
    helper = LocalBridgeHelper(bridge_service)
    serial = helper.held_blocks("trader")[0].serial
    before = state(bridge_service)
    answer = bridge_api.post(
        "/v1/tokenizations",
        json={"custodian_account": helper.account("trader"), "serial": serial, "recipient": ATTACKER},
        headers={"X-API-Key": bridge_service.api_key("operator"), "Idempotency-Key": "operator-takes-0001"},
    )
    assert answer.status_code == 403, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("forbidden", "recipient")
    bridge_service.drive()
    assert state(bridge_service) == before, "nothing stored, nothing locked"
    assert not bridge_service.classes(limit=10, offset=0).items, "nothing minted"
