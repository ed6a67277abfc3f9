"""The registry operator freezes a block the bridge holds in trust: ``POST /v1/engine/run`` still answers,
the flow that needs the block shows why it waits, and the others complete (found by an API fuzzing
run, where every engine run answered 409 block_frozen from then on)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

TONNE = 10**18


def run_engine(api: TestClient, service: BridgeService, rounds: int = 6) -> None:
    """Drive the engine through the API only, mining blocks in between so confirmations are reached."""
    for _ in range(rounds):
        service.onchain.chain.mine(max(service.settings.confirmations, 1))
        response = api.post("/v1/engine/run", headers={"X-API-Key": service.api_key("operator")})
        assert response.status_code == 200, response.text


def test_a_frozen_trust_block_holds_up_only_the_settlement_that_needs_it(
    bridge: LocalBridgeHelper, bridge_api: TestClient, bridge_service: BridgeService
) -> None:
    registry_operator = {"X-API-Key": str(bridge_service.demo.keys["operator"])}
    minted = bridge.tokenize()
    assert minted.step == "completed" and minted.class_id and minted.serial
    frozen = {"serial": minted.serial, "reason": "Under investigation"}
    response = bridge_api.post("/registry/freezes", json=frozen, headers=registry_operator)
    assert response.status_code == 200, response.text
    bridge.retire(class_id=minted.class_id, amount=2 * TONNE)
    other_id = None
    for block in bridge.held_blocks("custodian"):  # another block, tokenized meanwhile
        response = bridge_api.post(
            "/v1/tokenizations",
            json={"serial": block.serial, "recipient": bridge.holder.address},
            headers={"X-API-Key": bridge_service.api_key("custodian"), "Idempotency-Key": f"frozen-{block.id}"},
        )
        if response.status_code == 202:
            other_id = response.json()["id"]
            break
    assert other_id is not None

    run_engine(bridge_api, bridge_service)  # answered 409 block_frozen before the fix

    [settlement] = bridge_api.get("/v1/settlements").json()["items"]
    assert (settlement["step"], settlement["error_code"]) == ("planned", "block_frozen")
    assert bridge_api.get(f"/v1/tokenizations/{other_id}").json()["step"] == "completed"
    assert bridge_api.get("/v1/reserves").json()["ok"] is True

    response = bridge_api.post("/registry/unfreezes", json=frozen, headers=registry_operator)
    assert response.status_code == 200, response.text
    run_engine(bridge_api, bridge_service)
    [settlement] = bridge_api.get("/v1/settlements").json()["items"]
    assert (settlement["step"], settlement["error_code"]) == ("completed", None)
    assert bridge_api.get("/v1/reserves").json()["ok"] is True
