"""Inputs at the edge of what the registry stores are refused with a coded 4xx naming the field, never
a 500: serials naming unit numbers past 64 bits (the database driver overflowed) or printing numbers
too long to convert (Python's int conversion limit), ids below the id column (driver overflow), and a
retirement date filter on the last day of the calendar (date overflow). All found by the OpenAPI fuzz
test (tests/api/test_openapi_fuzz.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api_factories import PREFIX, Keys, issue_keys, serving
from bridge.registry import serials
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError
from registry_factories import World

C = RegistryErrorCode
MAX_UNIT = 2**63 - 1
ACR = "ACR-US-412-2019-1203-1 to {end}"
VERRA = "7201-{start}-{end}-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"
# (serial, field at fault, words of the message)
UNSTORABLE = [
    (ACR.format(end=MAX_UNIT + 1), "end", f"end {MAX_UNIT + 1} is above {MAX_UNIT}"),
    (VERRA.format(start=MAX_UNIT + 1, end=MAX_UNIT + 2), "start", f"is above {MAX_UNIT}"),
    ("CCER-B7-1-" + "9" * 25, "end", "end has 25 digits, more than 19"),
    ("CN-5-0-1-" + "9" * 20 + "-2-2-1234", "end", "end has 20 digits"),
    (ACR.format(end="9" * 5000), "end", "end has 5000 digits, more than 19"),  # past int("...")'s limit
]
IDS_BEYOND_THE_COLUMN = [-(2**63) - 1, -(2**31), 2**31, 2**63]


def _id(serial: str) -> str:
    return serial if len(serial) < 80 else f"{serial[:40]}...({len(serial)} characters)"


@pytest.fixture
def keys(world: World) -> Keys:
    return issue_keys(world)


@pytest.fixture
def http(world: World) -> Iterator[TestClient]:
    with serving(world.registry) as client:
        yield client


def url(path: str) -> str:
    return PREFIX + path


def assert_error(response: Any, status: int, code: RegistryErrorCode, field: str) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code.value, body
    assert body.get("field") == field, body
    return dict(body)


@pytest.mark.parametrize(("serial", "field", "words"), UNSTORABLE, ids=[_id(u[0]) for u in UNSTORABLE])
def test_a_serial_naming_unstorable_unit_numbers_is_malformed(serial: str, field: str, words: str) -> None:
    with pytest.raises(SerialFormatError) as raised:
        serials.parse(serial)
    assert raised.value.code is C.SERIAL_MALFORMED
    assert raised.value.field == field
    assert words in raised.value.message


def test_the_largest_storable_unit_number_still_parses() -> None:
    block = serials.parse(ACR.format(end=MAX_UNIT))
    assert block.end == MAX_UNIT
    assert serials.format(block) == ACR.format(end=MAX_UNIT)


@pytest.mark.parametrize(("serial", "field", "words"), UNSTORABLE, ids=[_id(u[0]) for u in UNSTORABLE])
def test_lookups_and_operations_by_such_a_serial_are_refused_not_failed(
    world: World, http: TestClient, keys: Keys, serial: str, field: str, words: str
) -> None:
    world.issue(1_000)
    before = world.registry.snapshot()
    assert_error(http.get(url(f"/credits/{quote(serial)}")), 422, C.SERIAL_MALFORMED, field)
    assert_error(http.get(url("/credits"), params={"serial": serial[:300]}), 422, C.SERIAL_MALFORMED, field)
    custodian = {"X-API-Key": keys.custodian}
    transfer = {"serial": serial[:300], "to_account": world.trader}
    assert_error(http.post(url("/transfers"), json=transfer, headers=custodian), 422, C.SERIAL_MALFORMED, field)
    retire = {"serial": serial[:300], "beneficiary": "Acme Airlines", "reason": "2024 claim"}
    assert_error(http.post(url("/retirements"), json=retire, headers=custodian), 422, C.SERIAL_MALFORMED, field)
    if len(serial) > 300:  # longer than any serial: the body itself is malformed
        too_long = {**transfer, "serial": serial}
        response = http.post(url("/transfers"), json=too_long, headers=custodian)
        assert_error(response, 422, C.INVALID_REQUEST, "body.serial")
    assert world.registry.snapshot() == before


@pytest.mark.parametrize("row_id", IDS_BEYOND_THE_COLUMN)
def test_ids_beyond_the_id_column_are_refused_naming_the_field(
    world: World, http: TestClient, keys: Keys, row_id: int
) -> None:
    reads = {
        f"/blocks/{row_id}": "block_id",
        f"/accounts/{row_id}": "account_id",
        f"/accounts/{row_id}/balance": "account_id",
        f"/issuances/{row_id}": "issuance_id",
        f"/issuances/{row_id}/totals": "issuance_id",
    }
    for path, field in reads.items():
        assert_error(http.get(url(path)), 400, C.INVALID_REQUEST, field)
    operator = {"X-API-Key": keys.operator}
    assert_error(http.delete(url(f"/api-keys/{row_id}"), headers=operator), 400, C.INVALID_REQUEST, "key_id")
    close = http.post(url(f"/accounts/{row_id}/close"), headers=operator)
    assert_error(close, 400, C.INVALID_REQUEST, "account_id")
    with pytest.raises(RegistryError) as raised:
        world.registry.get_block(row_id)
    assert raised.value.code is C.INVALID_REQUEST
    assert raised.value.field == "block_id"


def test_ids_no_row_can_have_are_still_unknown(http: TestClient) -> None:
    assert_error(http.get(url("/accounts/0")), 404, C.UNKNOWN_ACCOUNT, "account_id")
    assert_error(http.get(url("/blocks/-1")), 404, C.BLOCK_NOT_FOUND, "block_id")


def test_retired_to_the_last_day_of_the_calendar_bounds_nothing(world: World, http: TestClient) -> None:
    block = world.issue(1_000).block
    world.registry.retire(actor_account=world.custodian, serial=block.serial, beneficiary="Acme", reason="claim")
    everything = http.get(url("/retirements")).json()
    assert everything["total"] == 1
    to_the_end = http.get(url("/retirements"), params={"retired_to": "9999-12-31"})
    assert to_the_end.status_code == 200, to_the_end.json()
    assert to_the_end.json() == everything
    from_the_start = http.get(url("/retirements"), params={"retired_from": "0001-01-01", "retired_to": "9999-12-30"})
    assert from_the_start.json() == everything
