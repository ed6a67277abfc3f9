"""What a browser's ``JSON.parse`` reads is what the bridge meant: no JSON number beyond 2^53 (they lose
digits in JavaScript) and no address that is not checksummed, in the response of every endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from api_world import TONNE, ApiWorld
from eth_utils import is_checksum_address

SAFE_INTEGER = 2**53 - 1  # Number.MAX_SAFE_INTEGER
ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
NEEDS_A_KEY = ("/registry/api-keys",)


@pytest.fixture(scope="module")
def busy(world: ApiWorld) -> ApiWorld:
    """The shared world, plus pools, a pool holding, a transfer made directly on-chain and a retirement of
    0.123456789123456789 t: amounts far past 2^53 wei everywhere."""
    service, helper = world.service, world.helper
    service.ensure_preset_pools()
    token = service.onchain.deployment.token_at(world.tokenization["token_address"])
    sender = service.onchain.sender(helper.holder)
    sender.transact(token.functions.transfer(service.onchain.users[1].address, 3 * TONNE))
    helper.retire(class_id=world.tokenization["class_id"], amount=123_456_789_123_456_789)
    open_pool = world.api.post(
        "/v1/pools",
        json={"rules": {}, "name": "Open Basket", "symbol": "OPEN"},
        headers=world.key("operator") | {"Idempotency-Key": "json-walk-open-pool"},
    )
    assert open_pool.status_code == 201, open_pool.text
    helper.drive()
    return world


def _walk(value: Any, where: str = "$") -> Iterator[tuple[str, Any]]:
    yield where, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]")


def _problems(body: Any) -> list[str]:
    found = []
    for where, value in _walk(body):
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and abs(value) > SAFE_INTEGER:
            found.append(f"{where}: the number {value} is past 2^53")
        if isinstance(value, str) and ADDRESS.match(value) and not is_checksum_address(value):
            found.append(f"{where}: the address {value} is not checksummed")
    return found


def test_no_endpoint_answers_a_big_number_or_a_lowercase_address(busy: ApiWorld) -> None:
    world = busy
    values = world.path_values()
    spec = world.api.get("/openapi.json").json()
    checked: list[str] = []
    problems: dict[str, list[str]] = {}
    for template, item in spec["paths"].items():
        if "get" not in item or template.startswith(NEEDS_A_KEY):
            continue
        path = template.format(**values)
        response = world.api.get(path, params=_required(item["get"], values))
        assert response.status_code == 200, (path, response.text)
        checked.append(path)
        if issues := _problems(response.json()):
            problems[path] = issues
    (open_pool,) = [p for p in world.api.get("/v1/pools").json()["items"] if p["symbol"] == "OPEN"]
    trade = world.api.post(
        f"/v1/pools/{open_pool['address']}/transactions",
        json={
            "action": "deposit",
            "trader": world.helper.holder.address,
            "token": values["token"],
            "amount": str(TONNE),
        },
    )
    for path, response in (
        ("POST /v1/pools/{address}/transactions", trade),
        ("POST /v1/reserves/enforce", world.api.post("/v1/reserves/enforce", headers=world.key("operator"))),
        ("POST /v1/engine/run", world.api.post("/v1/engine/run", headers=world.key("operator"))),
    ):
        if response.status_code != 200:
            problems[path] = [response.text]
        elif issues := _problems(response.json()):
            problems[path] = issues
        checked.append(path)
    assert problems == {}, "\n".join(f"{p}: {i[:3]}" for p, i in problems.items())
    assert len(checked) >= 40
    reserve = world.api.get("/v1/reserves").json()["classes"][0]
    assert isinstance(reserve["total_supply"], str) and int(reserve["total_supply"]) > SAFE_INTEGER


def test_a_fraction_of_a_tonne_reads_back_exactly_as_text(busy: ApiWorld) -> None:
    items = busy.api.get("/v1/retirements", params={"limit": 100}).json()["items"]
    (fraction,) = [c for c in items if c["amount"] == "123456789123456789"]
    assert fraction["tonnes"] == "0.123456789123456789"


def _required(operation: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The query of a call: the largest page, and every required query parameter."""
    params = operation.get("parameters", [])
    query = {"limit": 100} if any(p["name"] == "limit" for p in params) else {}
    return query | {p["name"]: values[p["name"]] for p in params if p["in"] == "query" and p.get("required")}


def test_the_walk_catches_what_it_must() -> None:
    assert _problems({"a": [2**53 + 1]}) == ["$.a[0]: the number 9007199254740993 is past 2^53"]
    assert _problems({"token": "0x9684b86e42f97d5126b52c0ae2aec57e56d0b448"})
    assert (
        _problems(
            {"ok": True, "n": 2**53 - 1, "id": "0x" + "ab" * 32, "t": "0x9684B86e42F97d5126b52c0ae2aec57E56d0B448"}
        )
        == []
    )
