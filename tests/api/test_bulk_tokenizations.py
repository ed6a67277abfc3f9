"""``POST /v1/tokenizations/bulk`` through the SDK: many tokenizations recorded at once, each under its own key,
in the order asked; a replay answers the same; one bad item refuses the call, naming its index, and stores
nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bridge.api.schemas import TokenizationItem
from bridge.client import BridgeClient
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.filters import PageQuery, TokenizationFilter
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper, bridge_api, bridge_service  # noqa: F401

pytestmark = pytest.mark.sqlite_only  # the SDK's calls: the same on every engine database


def items(helper: LocalBridgeHelper, count: int, tag: str) -> list[TokenizationItem]:
    serials = [block.serial for block in helper.held_blocks("custodian")[:count]]
    assert len(serials) == count
    return [
        TokenizationItem(idempotency_key=f"{tag}-{i:04d}", serial=serial, recipient=helper.holder.address)
        for i, serial in enumerate(serials)
    ]


def test_many_tokenizations_are_recorded_in_order_and_a_replay_answers_the_same(
    bridge_service: BridgeService,  # noqa: F811
    bridge_api: TestClient,  # noqa: F811
) -> None:
    helper = LocalBridgeHelper(bridge_service)
    client = BridgeClient(http=bridge_api, api_key=bridge_service.api_key("custodian"))
    asked = items(helper, 3, "sdk-bulk")
    recorded = client.tokenize_many(asked)
    assert [t.step for t in recorded] == ["received"] * 3
    assert [t.serial for t in recorded] == [item.serial for item in asked]
    assert client.tokenize_many(asked) == recorded
    assert client.tokenize(**asked[1].model_dump(exclude_none=True)).id == recorded[1].id
    bridge_service.drive()
    assert {client.get_tokenization(t.id).step for t in recorded} == {"completed"}


def test_one_bad_item_refuses_the_call_naming_it_and_nothing_is_stored(
    bridge_service: BridgeService,  # noqa: F811
    bridge_api: TestClient,  # noqa: F811
) -> None:
    helper = LocalBridgeHelper(bridge_service)
    client = BridgeClient(http=bridge_api, api_key=bridge_service.api_key("custodian"))
    asked = items(helper, 3, "sdk-bad")
    asked[2] = asked[2].model_copy(update={"quantity": 10**9})
    before = bridge_service.tokenizations(TokenizationFilter(), PageQuery(limit=1)).total
    with pytest.raises(BridgeError) as caught:
        client.tokenize_many(asked)
    assert (caught.value.code, caught.value.field) == (BridgeErrorCode.INVALID_REQUEST, "tokenizations.2.quantity")
    assert caught.value.details["index"] == 2
    assert bridge_service.tokenizations(TokenizationFilter(), PageQuery(limit=1)).total == before
    response = bridge_api.post(
        "/v1/tokenizations/bulk",
        json={"tokenizations": [{"idempotency_key": "short", "serial": asked[0].serial, "recipient": "0x12"}]},
        headers={"X-API-Key": bridge_service.api_key("custodian")},
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
    assert response.json()["field"].startswith("tokenizations.0.")
