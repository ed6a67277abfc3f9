"""Bad input changes nothing and says why: each request below is refused with its code, a 4xx status,
and the registry, the engine's database and the chain are exactly as they were before."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from api_world import SETUP_KEY, ApiWorld

VALID_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BAD_CHECKSUM = "0x70997970c51812DC3A010C7d01b50e0d17dc79C8"


@dataclass(frozen=True)
class Bad:
    """One bad tokenization request: changes to a valid body/headers, and the code expected back."""

    code: str
    status: int
    body: dict[str, Any] = field(default_factory=dict)  # merged into a valid body (None values: removed)
    headers: dict[str, str | None] = field(default_factory=dict)  # merged into valid headers (None: removed)
    raw: str | None = None  # send this text as the body instead
    key: str = "custodian"
    field: str | None = None


def _serial(world: ApiWorld, name: str) -> str:
    serials = {
        "free": world.free_serial,
        "trader": world.trader_serial,
        "bridged": world.bridged_serial,
        "frozen": "CCER-53-421237-542800",
    }
    return serials.get(name, name)


BAD_TOKENIZATIONS: dict[str, Bad] = {
    "missing idempotency key": Bad("invalid_request", 422, headers={"Idempotency-Key": None}, field="Idempotency-Key"),
    "empty idempotency key": Bad("invalid_request", 422, headers={"Idempotency-Key": ""}),
    "short idempotency key": Bad("invalid_request", 422, headers={"Idempotency-Key": "abc"}, field="Idempotency-Key"),
    "idempotency key with spaces": Bad("invalid_request", 422, headers={"Idempotency-Key": "bad key with spaces"}),
    "oversized idempotency key": Bad("invalid_request", 422, headers={"Idempotency-Key": "k" * 300}),
    "129-character idempotency key": Bad("invalid_request", 422, headers={"Idempotency-Key": "k" * 129}),
    "replayed idempotency key, different body": Bad(
        "idempotency_conflict",
        409,
        headers={"Idempotency-Key": SETUP_KEY},
        body={"recipient": VALID_ADDRESS},
        field="Idempotency-Key",
    ),
    "body is not JSON": Bad("invalid_request", 422, raw="{not json"),
    "body is a JSON array": Bad("invalid_request", 422, raw="[1, 2]"),
    "body is a JSON string": Bad("invalid_request", 422, raw='"serial"'),
    "empty body": Bad("invalid_request", 422, raw="{}"),
    "extra field": Bad("invalid_request", 422, body={"price": 12}, field="price"),
    "serial of the wrong type": Bad("invalid_request", 422, body={"serial": 12345}, field="serial"),
    "serial as a list": Bad("invalid_request", 422, body={"serial": ["a", "b"]}, field="serial"),
    "empty serial": Bad("invalid_request", 422, body={"serial": ""}, field="serial"),
    "oversized serial": Bad("invalid_request", 422, body={"serial": "VCS-" + "1" * 300}, field="serial"),
    "malformed serial": Bad("invalid_request", 400, field="serial", body={"serial": "not-a-serial"}),
    "serial of an unknown program": Bad("invalid_request", 400, field="serial", body={"serial": "XYZ-1-100"}),
    # found by tests/api/test_openapi_fuzz.py: these were 500s (driver overflow, int conversion limit)
    "serial with unit numbers past 64 bits": Bad(
        "invalid_request", 400, field="serial", body={"serial": f"ACCU-14-6445-1-{2**63}"}
    ),
    "serial with a 200-digit unit number": Bad(
        "invalid_request", 400, field="serial", body={"serial": "ACCU-14-6445-1-" + "9" * 200}
    ),
    "unknown serial, well formed": Bad(
        "block_not_available", 409, field="serial", body={"serial": "ACCU-14-99000000-99000010"}
    ),
    "block held by another account": Bad("block_not_available", 409, field="serial", body={"serial": "trader"}),
    "block already bridged (its rest is in trust)": Bad(
        "block_not_available", 409, field="serial", body={"serial": "bridged"}
    ),
    "frozen block": Bad("block_not_available", 409, field="serial", body={"serial": "frozen"}, key="trader"),
    "zero quantity": Bad("invalid_request", 422, body={"quantity": 0}, field="quantity"),
    "negative quantity": Bad("invalid_request", 422, body={"quantity": -5}, field="quantity"),
    "fractional quantity": Bad("invalid_request", 422, body={"quantity": 1.5}, field="quantity"),
    "quantity as words": Bad("invalid_request", 422, body={"quantity": "ten"}, field="quantity"),
    "quantity beyond the maximum": Bad("invalid_request", 422, body={"quantity": 10**13}, field="quantity"),
    "quantity beyond the block": Bad("invalid_request", 400, field="quantity", body={"quantity": 10**9}),
    "missing recipient": Bad("invalid_request", 422, body={"recipient": None}, field="recipient"),
    "short address": Bad("invalid_request", 422, body={"recipient": "0x1234"}, field="recipient"),
    "address without 0x": Bad("invalid_request", 422, body={"recipient": VALID_ADDRESS[2:] + "zz"}),
    "non-hex address": Bad("invalid_request", 422, body={"recipient": "0x" + "zz" * 20}, field="recipient"),
    "bad checksum": Bad("invalid_request", 422, body={"recipient": BAD_CHECKSUM}, field="recipient"),
    "recipient is the bridge contract": Bad(
        "invalid_request", 400, body={"recipient": "the bridge"}, field="recipient"
    ),
    "zero address": Bad("invalid_request", 422, body={"recipient": "0x" + "0" * 40}, field="recipient"),
    "recipient as a number": Bad("invalid_request", 422, body={"recipient": 12345}, field="recipient"),
    "oversized recipient": Bad("invalid_request", 422, body={"recipient": "0x" + "a" * 100}, field="recipient"),
    "serial and issuance both": Bad("invalid_request", 422, body={"issuance_id": 1, "quantity": 1}),
    "issuance without quantity": Bad("invalid_request", 422, body={"serial": None, "issuance_id": 1}),
    "issuance id zero": Bad("invalid_request", 422, body={"serial": None, "issuance_id": 0, "quantity": 1}),
    "unknown issuance": Bad(
        "block_not_available", 409, field="issuance_id", body={"serial": None, "issuance_id": 999999, "quantity": 1}
    ),
    "neither serial nor issuance": Bad("invalid_request", 422, body={"serial": None}),
    "custodian account zero": Bad("invalid_request", 422, body={"custodian_account": 0}, field="custodian_account"),
    "custodian account as text": Bad("invalid_request", 422, body={"custodian_account": "four"}),
    "custodian account of someone else": Bad(
        "forbidden", 403, body={"custodian_account": 5}, field="custodian_account"
    ),
    "no API key": Bad("unauthorized", 401, key=""),
    "unknown API key": Bad("unauthorized", 401, key="bogus"),
    "verifier key": Bad("forbidden", 403, key="verifier"),
}


def _request(world: ApiWorld, bad: Bad) -> Any:
    body: dict[str, Any] = {"serial": world.free_serial, "recipient": world.helper.holder.address}
    for name, value in bad.body.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = _serial(world, value) if name == "serial" and isinstance(value, str) else value
    if body.get("recipient") == "the bridge":
        body["recipient"] = world.service.onchain.deployment.address
    headers: dict[str, str] = {"Idempotency-Key": "bad-input-never-stored-0001"}
    if bad.key == "bogus":
        headers["X-API-Key"] = "bak_not_a_key"
    elif bad.key:
        headers["X-API-Key"] = world.service.api_key(bad.key)
    for name, value in bad.headers.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    if bad.raw is not None:
        headers["Content-Type"] = "application/json"
        return world.api.post("/v1/tokenizations", content=bad.raw, headers=headers)
    return world.api.post("/v1/tokenizations", json=body, headers=headers)


@pytest.mark.parametrize("case", list(BAD_TOKENIZATIONS), ids=list(BAD_TOKENIZATIONS))
def test_bad_tokenization_request_is_refused_and_changes_nothing(world: ApiWorld, case: str) -> None:
    bad = BAD_TOKENIZATIONS[case]
    before = world.state()
    response = _request(world, bad)
    after = world.state()
    body = response.json()
    assert body["code"] == bad.code, body
    assert response.status_code == bad.status
    assert set(body) <= {"code", "message", "field", "details"}
    assert body["message"]
    if bad.field is not None:
        assert body.get("field") == bad.field, body
    assert after == before


BAD_READS: dict[str, tuple[str, str, str, int]] = {
    "tokenization id zero": ("GET", "/v1/tokenizations/0", "invalid_request", 422),
    "tokenization id not a number": ("GET", "/v1/tokenizations/abc", "invalid_request", 422),
    "tokenization id too large": ("GET", f"/v1/tokenizations/{2**70}", "invalid_request", 422),
    "unknown tokenization": ("GET", "/v1/tokenizations/999999", "not_found", 404),
    "page size zero": ("GET", "/v1/tokenizations?limit=0", "invalid_request", 422),
    "page size over the maximum": ("GET", "/v1/tokenizations?limit=101", "invalid_request", 422),
    "negative offset": ("GET", "/v1/tokenizations?offset=-1", "invalid_request", 422),
    "page size not a number": ("GET", "/v1/batches?limit=ten", "invalid_request", 422),
    "unknown step filter": ("GET", "/v1/tokenizations?step=bogus", "invalid_request", 422),
    "malformed class id filter": ("GET", "/v1/batches?class_id=0x12", "invalid_request", 422),
    "classes page over the maximum": ("GET", "/v1/classes?limit=1000", "invalid_request", 422),
    "unknown redemption": ("GET", "/v1/redemptions/999999", "not_found", 404),
    "negative redemption id": ("GET", "/v1/redemptions/-1", "invalid_request", 422),
    "redemption id beyond uint256": ("GET", f"/v1/redemptions/{2**256}", "invalid_request", 422),
    "unknown certificate": ("GET", "/v1/retirements/999999", "not_found", 404),
    "certificate id not a number": ("GET", "/v1/retirements/first", "invalid_request", 422),
    "oversized beneficiary filter": ("GET", "/v1/retirements?beneficiary=" + "b" * 300, "invalid_request", 422),
    "settlements offset beyond the maximum": ("GET", f"/v1/settlements?offset={10**10}", "invalid_request", 422),
    "unknown endpoint": ("GET", "/v1/nothing-here", "route_not_found", 404),
    "wrong method": ("DELETE", "/v1/tokenizations/1", "method_not_allowed", 405),
}


@pytest.mark.parametrize("case", list(BAD_READS), ids=list(BAD_READS))
def test_bad_read_is_refused_and_changes_nothing(world: ApiWorld, case: str) -> None:
    method, path, code, status = BAD_READS[case]
    before = world.state()
    response = world.api.request(method, path)
    assert (response.json()["code"], response.status_code) == (code, status), response.json()
    assert world.state() == before


def test_a_block_being_bridged_cannot_be_bridged_again_under_another_key(world: ApiWorld) -> None:
    serial = world.helper.held_blocks("custodian")[2].serial
    headers = world.key("custodian") | {"Idempotency-Key": "first-request-for-this-block"}
    body = {"serial": serial, "recipient": world.helper.holder.address}
    assert world.api.post("/v1/tokenizations", json=body, headers=headers).status_code == 202
    before = world.state()

    again = world.api.post(
        "/v1/tokenizations", json=body, headers=headers | {"Idempotency-Key": "second-request-same-block"}
    )

    assert (again.status_code, again.json()["code"]) == (409, "already_bridged")
    assert world.state() == before


def test_a_replayed_request_returns_the_first_answer_and_changes_nothing(world: ApiWorld) -> None:
    before = world.state()
    body = {"serial": world.tokenization["serial"], "recipient": world.tokenization["recipient"]}
    again = world.api.post(
        "/v1/tokenizations", json=body, headers=world.key("custodian") | {"Idempotency-Key": SETUP_KEY}
    )
    assert again.status_code == 202
    assert again.json()["id"] == world.tokenization["id"]
    assert world.state() == before
