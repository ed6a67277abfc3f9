"""Every endpoint of the bridge API, on a local bridge with a little history (see conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_world import ApiWorld
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from bridge.api import create_app
from bridge.local import LocalTemplate, local_service
from bridge.local.settings import local_api_key
from bridge.read_cache import BlockCache
from bridge.registry.api import READ_ONLY
from bridge.settings import ApiKeySetting
from bridge.testing import LocalBridgeHelper

TONNE = 10**18


def test_health_says_ready_with_the_chain_and_the_bridge(world: ApiWorld) -> None:
    body = world.api.get("/health").json()
    assert body["status"] == "ok"
    assert body["bridge"] == world.service.onchain.deployment.address
    assert body["chain_id"] == world.service.onchain.chain.chain_id


def test_health_is_503_once_the_service_is_closing(world: ApiWorld) -> None:
    world.service.ready = False
    try:
        response = world.api.get("/health")
        assert (response.status_code, response.json()["code"]) == (503, "not_ready")
        assert world.api.get("/v1/batches").status_code == 503
    finally:
        world.service.ready = True


def test_network_names_the_chain_the_bridge_and_the_trust_account(world: ApiWorld) -> None:
    body = world.api.get("/v1/network").json()
    service = world.service
    assert body["bridge"] == service.onchain.deployment.address
    assert body["chain_id"] == service.onchain.chain.chain_id
    assert body["trust_account"] == service.trust_account
    assert body["rpc_url"] is None  # an in-process chain has no JSON-RPC endpoint
    assert (body["confirmations"], body["threshold"]) == (service.settings.confirmations, 2)


def test_an_unreachable_database_is_a_coded_503_not_a_500(world: ApiWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(world.service.engine, "proof_of_reserve", unreachable)
    response = world.api.get("/v1/reserves")
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")


def test_times_read_back_from_the_database_keep_their_utc_zone(world: ApiWorld) -> None:
    body = world.api.get(f"/v1/tokenizations/{world.tokenization['id']}").json()
    for stamp in (body["created_at"], body["updated_at"]):
        assert stamp.endswith(("Z", "+00:00")), stamp


def test_get_tokenization_shows_the_completed_mint(world: ApiWorld) -> None:
    body = world.api.get(f"/v1/tokenizations/{world.tokenization['id']}").json()
    assert body["step"] == "completed"
    assert body["tx_hash"] and len(body["attested_by"]) == 2


def test_list_tokenizations_pages_newest_first_and_filters(world: ApiWorld) -> None:
    page = world.api.get("/v1/tokenizations", params={"limit": 1, "offset": 0}).json()
    assert page["limit"] == 1 and page["offset"] == 0 and page["total"] >= 1
    assert len(page["items"]) == 1
    completed = world.api.get("/v1/tokenizations", params={"step": "completed"}).json()
    assert [t["id"] for t in completed["items"]] == [world.tokenization["id"]]
    other = world.api.get("/v1/tokenizations", params={"custodian_account": world.account("broker")}).json()
    assert other == {"items": [], "limit": 50, "offset": 0, "total": 0, "next_cursor": None}
    beyond = world.api.get("/v1/tokenizations", params={"offset": 1000}).json()
    assert beyond["items"] == [] and beyond["total"] == page["total"]


def test_batches_show_what_still_backs_the_tokens(world: ApiWorld) -> None:
    (batch,) = world.api.get("/v1/batches", params={"class_id": world.tokenization["class_id"]}).json()["items"]
    assert batch["original_serial"] == world.tokenization["serial"]
    # 5 t redeemed, 1 t settled for the 1.5 t retired
    assert batch["remaining"] == world.tokenization["quantity"] - 6


def test_classes_carry_their_attributes_and_supply(world: ApiWorld) -> None:
    (cls,) = world.api.get("/v1/classes").json()["items"]
    assert cls["class_id"] == world.tokenization["class_id"]
    assert cls["token_address"] == world.tokenization["token_address"]
    assert cls["attributes"]["program"] == "ACCU"
    assert {"project_id", "vintage_start", "vintage_end", "methodology", "host_country"} <= set(cls["attributes"])
    assert int(cls["total_supply"]) == world.tokenization["quantity"] * TONNE - 5 * TONNE - 3 * TONNE // 2


def test_get_redemption_shows_the_released_serials(world: ApiWorld) -> None:
    body = world.api.get(f"/v1/redemptions/{world.redemption_id}").json()
    assert body["step"] == "completed"
    assert body["tonnes"] == 5 and body["registry_account"] == str(world.account("trader"))
    assert len(body["released_serials"]) == 1


def test_retirement_certificates_can_be_listed_and_fetched(world: ApiWorld) -> None:
    page = world.api.get("/v1/retirements").json()
    assert [c["certificate_id"] for c in page["items"]] == [world.certificate_id]
    certificate = world.api.get(f"/v1/retirements/{world.certificate_id}").json()
    assert certificate["amount"] == str(3 * TONNE // 2)
    assert certificate["settled"] == str(TONNE)
    assert certificate["beneficiary"] == "Acme Airlines"
    assert world.api.get("/v1/retirements", params={"beneficiary": "Nobody"}).json()["total"] == 0


def test_settlements_name_the_registry_retirements(world: ApiWorld) -> None:
    (settlement,) = world.api.get("/v1/settlements").json()["items"]
    assert settlement["step"] == "completed" and settlement["tonnes"] == 1
    assert settlement["registry_retirements"]


def test_reserves_balance_per_class(world: ApiWorld) -> None:
    report = world.api.get("/v1/reserves").json()
    assert report["ok"] is True
    (cls,) = report["classes"]
    assert cls["difference_wei"] == "0"
    assert int(cls["total_supply"]) + int(cls["retired_unsettled"]) == cls["units_in_trust"] * TONNE
    (named,) = world.api.get("/v1/classes").json()["items"]
    assert cls["name"] == named["name"] and cls["token"] == named["token_address"]  # by name, checksummed


def test_verifiers_are_listed_with_their_status(world: ApiWorld) -> None:
    body = world.api.get("/v1/verifiers").json()
    assert body["threshold"] == 2
    assert len(body["verifiers"]) == 3
    assert all(v["active_on_chain"] for v in body["verifiers"])
    assert sum(v["attested_batches"] for v in body["verifiers"]) >= 2


def test_operator_drives_the_engine_once(world: ApiWorld) -> None:
    response = world.api.post("/v1/engine/run", headers=world.key("operator"))
    assert response.status_code == 200
    assert response.json()["moved"] >= 0


def test_operator_enforces_the_reserve(world: ApiWorld) -> None:
    response = world.api.post("/v1/reserves/enforce", headers=world.key("operator"))
    assert (response.status_code, response.json()["ok"]) == (200, True)


def test_a_tokenization_through_the_api_is_minted_after_the_engine_runs(world: ApiWorld) -> None:
    serial = world.helper.held_blocks("broker")[0].serial
    headers = world.key("broker") | {"Idempotency-Key": "broker-tokenization-0001"}
    created = world.api.post(
        "/v1/tokenizations", json={"serial": serial, "recipient": world.helper.holder.address}, headers=headers
    )
    assert created.status_code == 202, created.json()
    assert created.json()["custodian_account"] == world.account("broker")
    world.helper.drive()
    assert world.api.get(f"/v1/tokenizations/{created.json()['id']}").json()["step"] == "completed"
    assert world.api.get("/v1/reserves").json()["ok"] is True


def test_operator_may_not_tokenize_a_custodians_credits_to_an_address_it_did_not_register(world: ApiWorld) -> None:
    before = world.state()
    serial = world.helper.held_blocks("exchange")[0].serial
    body = {"custodian_account": world.account("exchange"), "serial": serial, "recipient": world.helper.holder.address}
    headers = world.key("operator") | {"Idempotency-Key": "operator-tokenization-0001"}
    response = world.api.post("/v1/tokenizations", json=body, headers=headers)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (403, "forbidden", "recipient")
    assert world.state() == before


def test_operator_may_tokenize_a_custodians_credits_to_a_destination_it_registered(
    tmp_path: Path, bridge_template: LocalTemplate
) -> None:
    accounts, seed = bridge_template.demo.accounts, bridge_template.seed
    registered = "0x" + "a1" * 20
    keys = [
        ApiKeySetting(key=local_api_key(seed, "operator"), role="operator", name="operator"),
        ApiKeySetting(
            key=local_api_key(seed, "exchange"),
            role="custodian",
            account=accounts["exchange"],
            name="exchange",
            destinations=[registered],
        ),
    ]
    service = local_service(tmp_path, template=bridge_template, api_keys=keys)
    try:
        with TestClient(create_app(service)) as api:
            serial = LocalBridgeHelper(service).held_blocks("exchange")[0].serial
            body = {"custodian_account": accounts["exchange"], "serial": serial, "recipient": registered}
            headers = {"X-API-Key": service.api_key("operator"), "Idempotency-Key": "operator-tokenization-0002"}
            response = api.post("/v1/tokenizations", json=body, headers=headers)
            assert response.status_code == 202, response.json()
            elsewhere = body | {"recipient": "0x" + "b2" * 20}
            refused = api.post("/v1/tokenizations", json=elsewhere, headers=headers | {"Idempotency-Key": "op-0003xx"})
            assert (refused.status_code, refused.json()["field"]) == (403, "recipient")
    finally:
        service.close()


def test_the_registry_api_is_served_beside_the_bridge(world: ApiWorld) -> None:
    response = world.api.get("/registry/programs", params={"limit": 2})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2


def test_every_bridge_endpoint_is_documented_with_an_example(world: ApiWorld) -> None:
    spec = world.api.get("/openapi.json").json()
    bridge_paths = {p: ops for p, ops in spec["paths"].items() if not p.startswith("/registry")}
    assert {"/health", "/v1/network", "/v1/reserves", "/v1/tokenizations"} <= set(bridge_paths)
    for path, operations in bridge_paths.items():
        for method, operation in operations.items():
            success = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            assert "example" in success["content"]["application/json"], (method, path)
            assert "422" in operation["responses"], (method, path)


def test_every_post_takes_an_idempotency_key(world: ApiWorld) -> None:
    """Bridge and registry alike: required where a retry must not act twice, optional where repeating is
    harmless by nature (engine run, reserve enforcement, preparing unsigned trades). The one exception is
    the registry's API-key issuance: its secret is shown once and stored only hashed, so a replay could
    not answer with the first result; an operator lists and revokes keys instead. A POST marked read-only
    changes nothing; a call of many tokenizations takes a key per item instead (each replays on its own)."""
    spec = world.api.get("/openapi.json").json()
    posts = [(path, ops["post"]) for path, ops in spec["paths"].items() if "post" in ops]
    posts = [(path, op) for path, op in posts if path != "/registry/api-keys" and not op.get(READ_ONLY)]
    assert len(posts) >= 10
    per_item = []
    for path, operation in posts:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers:
            assert _items_require_a_key(spec, operation), path
            per_item.append(path)
    assert per_item == ["/v1/tokenizations/bulk"]


def _items_require_a_key(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    """Whether each item of the body's one list carries its own required ``idempotency_key`` (a call of many,
    each replayed on its own)."""

    def schema(ref: dict[str, Any]) -> dict[str, Any]:
        return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]] if "$ref" in ref else ref

    body = schema(operation["requestBody"]["content"]["application/json"]["schema"])
    [listed] = [field for field in body["properties"].values() if field.get("type") == "array"]
    return "idempotency_key" in schema(listed["items"]).get("required", [])


def test_create_app_can_be_built_again_on_the_same_service(world: ApiWorld) -> None:
    assert create_app(world.service).title == "Carbon credit bridge"


def test_a_real_bug_is_a_logged_500_internal_error(world: ApiWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(world.service.engine, "proof_of_reserve", broken)
    monkeypatch.setattr(world.service, "_reads", BlockCache())  # not an answer cached by an earlier test
    with TestClient(create_app(world.service), raise_server_exceptions=False) as api:
        response = api.get("/v1/reserves")
    assert (response.status_code, response.json()["code"]) == (500, "internal_error")
