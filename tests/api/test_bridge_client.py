"""The Python SDK against the API: typed results, and errors rebuilt as the layer's CodedError."""

from __future__ import annotations

import httpx
import pytest
from api_world import SETUP_KEY, ApiWorld

from bridge.api.errors import ApiError, ApiErrorCode
from bridge.client import BridgeClient, error_from_response
from bridge.engine.errors import BridgeError, BridgeErrorCode

pytestmark = pytest.mark.sqlite_only  # the SDK's calls: the same on every engine database


@pytest.fixture
def client(world: ApiWorld) -> BridgeClient:
    return BridgeClient(http=world.api, api_key=world.service.api_key("custodian"))


def test_reads_come_back_typed(world: ApiWorld, client: BridgeClient) -> None:
    assert client.health().status == "ok"
    assert client.get_tokenization(world.tokenization["id"]).step == "completed"
    assert client.list_tokenizations(limit=1).total >= 1
    assert client.list_batches().items[0].class_id == world.tokenization["class_id"]
    assert client.list_classes().items[0].attributes["program"] == "ACCU"
    assert client.get_redemption(world.redemption_id).tonnes == 5
    assert client.get_retirement(world.certificate_id).beneficiary == "Acme Airlines"
    assert client.list_retirements().total == 1
    assert client.list_settlements().items[0].step == "completed"
    assert client.reserves().ok
    assert len(client.verifiers().verifiers) == 3


def test_a_replayed_tokenization_returns_the_first(world: ApiWorld, client: BridgeClient) -> None:
    again = client.tokenize(
        idempotency_key=SETUP_KEY, serial=world.tokenization["serial"], recipient=world.tokenization["recipient"]
    )
    assert again.id == world.tokenization["id"]


def test_engine_errors_come_back_as_bridge_errors(world: ApiWorld, client: BridgeClient) -> None:
    with pytest.raises(BridgeError) as caught:
        client.get_tokenization(999999)
    assert caught.value.code is BridgeErrorCode.NOT_FOUND
    assert caught.value.field == "tokenization_id"
    with pytest.raises(BridgeError) as conflict:
        client.tokenize(idempotency_key=SETUP_KEY, serial=world.free_serial, recipient=world.tokenization["recipient"])
    assert conflict.value.code is BridgeErrorCode.IDEMPOTENCY_CONFLICT


def test_edge_errors_come_back_as_api_errors(world: ApiWorld, client: BridgeClient) -> None:
    with pytest.raises(ApiError) as forbidden:
        client.run_engine()
    assert forbidden.value.code is ApiErrorCode.FORBIDDEN
    with pytest.raises(ApiError) as invalid:
        client.list_tokenizations(limit=0)
    assert (invalid.value.code, invalid.value.field) == (ApiErrorCode.INVALID_REQUEST, "limit")
    with pytest.raises(ApiError) as bad_address:
        client.tokenize(idempotency_key="sdk-bad-address-01", serial=world.free_serial, recipient="0x1234")
    assert bad_address.value.field == "recipient"


def test_the_operator_client_drives_and_enforces(world: ApiWorld, client: BridgeClient) -> None:
    operator = client.with_key(world.service.api_key("operator"))
    assert operator.run_engine().moved >= 0
    assert operator.enforce_reserves().ok


def test_a_body_that_is_not_an_error_body_is_an_internal_error() -> None:
    error = error_from_response(httpx.Response(502, text="<html>bad gateway</html>"))
    assert isinstance(error, ApiError) and error.code is ApiErrorCode.INTERNAL_ERROR
    unknown = error_from_response(httpx.Response(418, json={"code": "teapot", "message": "short and stout"}))
    assert unknown.code is ApiErrorCode.INTERNAL_ERROR


def test_an_unreachable_bridge_is_a_coded_error_not_a_traceback() -> None:
    import pytest

    from bridge.api.errors import ApiError
    from bridge.client import BridgeClient

    with BridgeClient("http://127.0.0.1:9", api_key=None) as client, pytest.raises(ApiError) as info:
        client.health()
    assert (info.value.code, info.value.http_status) == ("bridge_unavailable", 503)
