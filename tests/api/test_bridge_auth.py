"""Who may do what: reads are public, writes need a key of the right role (and account)."""

from __future__ import annotations

import pytest
from api_world import ApiWorld

pytestmark = pytest.mark.sqlite_only  # who may call what: the same on every engine database

OPERATOR_ONLY = ["/v1/engine/run", "/v1/reserves/enforce"]


@pytest.mark.parametrize("path", OPERATOR_ONLY)
def test_operator_endpoints_need_a_key(world: ApiWorld, path: str) -> None:
    response = world.api.post(path)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


@pytest.mark.parametrize("path", OPERATOR_ONLY)
def test_operator_endpoints_refuse_an_unknown_key(world: ApiWorld, path: str) -> None:
    response = world.api.post(path, headers={"X-API-Key": "bak_wrong"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


@pytest.mark.parametrize("role", ["custodian", "verifier"])
@pytest.mark.parametrize("path", OPERATOR_ONLY)
def test_operator_endpoints_refuse_other_roles(world: ApiWorld, path: str, role: str) -> None:
    before = world.state()
    response = world.api.post(path, headers=world.key(role))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert world.state() == before


def test_tokenize_needs_a_key(world: ApiWorld) -> None:
    response = world.api.post("/v1/tokenizations", json={}, headers={"Idempotency-Key": "no-key-at-all-0001"})
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_a_custodian_may_not_tokenize_from_another_account(world: ApiWorld) -> None:
    before = world.state()
    body = {
        "custodian_account": world.account("trader"),
        "serial": world.trader_serial,
        "recipient": world.helper.holder.address,
    }
    headers = world.key("custodian") | {"Idempotency-Key": "acting-for-the-trader-01"}
    response = world.api.post("/v1/tokenizations", json=body, headers=headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert response.json()["field"] == "custodian_account"
    assert world.state() == before


def test_the_operator_must_name_the_account(world: ApiWorld) -> None:
    body = {"serial": world.free_serial, "recipient": world.helper.holder.address}
    headers = world.key("operator") | {"Idempotency-Key": "operator-without-account"}
    response = world.api.post("/v1/tokenizations", json=body, headers=headers)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        422,
        "invalid_request",
        "custodian_account",
    )


@pytest.mark.parametrize(
    "path", ["/v1/tokenizations", "/v1/batches", "/v1/classes", "/v1/reserves", "/v1/verifiers", "/health"]
)
def test_reads_are_public(world: ApiWorld, path: str) -> None:
    assert world.api.get(path).status_code == 200
