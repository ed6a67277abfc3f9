"""Row 9 (low): the bridge's ``operator`` API key tokenized the trader's credits to an arbitrary address.

Now tokenizing from a custodian's account takes that custodian's own key, or a destination the custodian
registered (its key's ``destinations``): the operator naming another account and an unregistered
recipient is 403 ``forbidden`` naming ``recipient``, and nothing is stored. The same holds for every item
of a call of many (``/v1/tokenizations/bulk``), which is refused whole.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from bridge.engine.filters import ClassFilter, PageQuery, TokenizationFilter
from bridge.engine.schemas import MAX_TOKENIZATIONS_PER_CALL
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

ATTACKER = "0x" + "a7" * 20


def state(service: BridgeService) -> tuple[str, int]:
    return service.registry.snapshot_digest(), service.tokenizations(TokenizationFilter(), PageQuery(limit=1)).total


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
    assert not bridge_service.classes(ClassFilter(), PageQuery(limit=10)).items, "nothing minted"


def test_many_tokenizations_at_once_are_checked_as_each_alone_and_one_refusal_stores_none(
    bridge_service: BridgeService, bridge_api: TestClient
) -> None:
    """The bulk endpoint applies the same rule to every item: a custodian key's call naming another account in
    one item, or the operator's call sending one item to an unregistered address, is 403 naming that item,
    and none of the call's items is stored (the good ones before it included)."""
    helper = LocalBridgeHelper(bridge_service)
    own = [block.serial for block in helper.held_blocks("custodian")[:2]]
    theirs = helper.held_blocks("trader")[0].serial
    before = state(bridge_service)
    custodian = {"X-API-Key": bridge_service.api_key("custodian")}
    items = [
        {"idempotency_key": "bulk-own-0001", "serial": own[0], "recipient": ATTACKER},
        {
            "idempotency_key": "bulk-own-0002",
            "serial": theirs,
            "recipient": ATTACKER,
            "custodian_account": helper.account("trader"),
        },
    ]
    answer = bridge_api.post("/v1/tokenizations/bulk", json={"tokenizations": items}, headers=custodian)
    assert answer.status_code == 403, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("forbidden", "tokenizations.1.custodian_account")
    operator = {"X-API-Key": bridge_service.api_key("operator")}
    items = [
        {
            "idempotency_key": "bulk-op-0001",
            "serial": serial,
            "recipient": ATTACKER,
            "custodian_account": helper.account("trader"),
        }
        for serial in [theirs]
    ]
    answer = bridge_api.post("/v1/tokenizations/bulk", json={"tokenizations": items}, headers=operator)
    assert (answer.status_code, answer.json()["field"]) == (403, "tokenizations.0.recipient"), answer.text
    items = [
        {"idempotency_key": "bulk-own-0003", "serial": own[1], "recipient": ATTACKER},
        {"idempotency_key": "bulk-own-0004", "serial": theirs, "recipient": ATTACKER},
    ]
    answer = bridge_api.post("/v1/tokenizations/bulk", json={"tokenizations": items}, headers=custodian)
    assert answer.status_code == 409, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == ("block_not_available", "tokenizations.1.serial")
    bridge_service.drive()
    assert state(bridge_service) == before, "nothing stored, nothing locked"


def test_a_call_of_more_tokenizations_than_the_limit_is_refused_with_a_code(
    bridge_service: BridgeService, bridge_api: TestClient
) -> None:
    helper = LocalBridgeHelper(bridge_service)
    serial = helper.held_blocks("custodian")[0].serial
    before = state(bridge_service)
    items = [
        {"idempotency_key": f"bulk-flood-{i:04d}", "serial": serial, "recipient": ATTACKER}
        for i in range(MAX_TOKENIZATIONS_PER_CALL + 1)
    ]
    custodian = {"X-API-Key": bridge_service.api_key("custodian")}
    answer = bridge_api.post("/v1/tokenizations/bulk", json={"tokenizations": items}, headers=custodian)
    assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (
        422,
        "invalid_request",
        "tokenizations",
    ), answer.text
    assert state(bridge_service) == before
