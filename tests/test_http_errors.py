"""One error-handler stack for both HTTP APIs: every error is a coded JSON body, and what differs between the
bridge API and the registry API is only their catalogue (codes, a few words, how a 422 names the field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.exc import OperationalError

from bridge.api.errors import HTTP_ERRORS as BRIDGE
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.http_errors import HttpErrorCatalogue, install_error_handlers
from bridge.registry import auth
from bridge.registry.api import HTTP_ERRORS as REGISTRY
from bridge.registry.api import create_registry_app, registry_router
from bridge.registry.ledger import Registry


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=1)
    note: str | None = None

    @model_validator(mode="after")
    def _no_shouting(self) -> Order:
        if self.note is not None and self.note.isupper():
            raise ValueError("the note shouts")
        return self


def app_with(catalogue: HttpErrorCatalogue) -> TestClient:
    app = FastAPI()

    @app.post("/orders")
    def create_order(body: Order, limit: int = Query(1, le=10)) -> dict[str, int]:
        return {"quantity": body.quantity}

    @app.get("/orders/{number}")
    def get_order(number: int) -> None:
        raise BridgeError(f"no order {number}", code=BridgeErrorCode.NOT_FOUND, field="number")

    @app.get("/bug")
    def bug() -> None:
        raise RuntimeError("a bug")

    @app.get("/database")
    def database() -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    install_error_handlers(app, catalogue)
    return TestClient(app, raise_server_exceptions=False)


def answer(client: TestClient, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = client.request(method, path, **kwargs)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("catalogue", "field", "query_field", "json_field", "prefix"),
    [(BRIDGE, "quantity", "limit", None, ""), (REGISTRY, "body.quantity", "query.limit", "body", "Value error, ")],
    ids=["bridge", "registry"],
)
def test_a_malformed_request_is_a_422_naming_the_field_in_the_apis_style(
    catalogue: HttpErrorCatalogue, field: str, query_field: str, json_field: str | None, prefix: str
) -> None:
    client = app_with(catalogue)
    status, body = answer(client, "POST", "/orders", json={"quantity": 0})
    assert (status, body["code"], body["field"]) == (422, "invalid_request", field)
    assert body["message"] == f"{field}: Input should be greater than or equal to 1"
    assert body["details"]["errors"] == [
        {"field": field, "message": "Input should be greater than or equal to 1", "type": "greater_than_equal"}
    ]
    status, body = answer(client, "POST", "/orders", params={"limit": 11}, json={"quantity": 1})
    assert (status, body["field"]) == (422, query_field)
    status, body = answer(client, "POST", "/orders", json={"quantity": 1, "colour": "green"})
    assert body["message"].endswith(": is not a field of this request")
    status, body = answer(client, "POST", "/orders", json={"quantity": 1, "note": "HELLO"})
    where = f"{json_field}: " if json_field else ""  # a model's own check has no field but the body
    assert (status, body.get("field"), body["message"]) == (422, json_field, f"{where}{prefix}the note shouts")
    status, body = answer(client, "POST", "/orders", content=b"{not json", headers={"content-type": "application/json"})
    assert (status, body["code"], body.get("field")) == (422, "invalid_request", json_field)
    assert body["details"]["errors"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(
    ("catalogue", "not_found", "bug", "unavailable"),
    [
        (
            BRIDGE,
            ("route_not_found", "no endpoint GET /nowhere"),
            ("internal_error", "the bridge failed unexpectedly (RuntimeError)"),
            ("database_unavailable", "a database the bridge needs cannot be reached; retry"),
        ),
        (
            REGISTRY,
            ("route_not_found", "no registry endpoint GET /nowhere"),
            ("registry_internal_error", "the registry failed unexpectedly (RuntimeError)"),
            ("registry_unavailable", "the registry database is unavailable"),
        ),
    ],
    ids=["bridge", "registry"],
)
def test_routing_bugs_and_databases_answer_with_the_apis_own_codes(
    catalogue: HttpErrorCatalogue, not_found: tuple[str, str], bug: tuple[str, str], unavailable: tuple[str, str]
) -> None:
    client = app_with(catalogue)
    assert answer(client, "GET", "/nowhere") == (404, dict(zip(("code", "message"), not_found, strict=True)))
    assert answer(client, "DELETE", "/bug") == (
        405,
        {"code": "method_not_allowed", "message": "/bug does not accept DELETE"},
    )
    assert answer(client, "GET", "/bug") == (500, dict(zip(("code", "message"), bug, strict=True)))
    assert answer(client, "GET", "/database") == (503, dict(zip(("code", "message"), unavailable, strict=True)))


@pytest.mark.parametrize("catalogue", [BRIDGE, REGISTRY], ids=["bridge", "registry"])
def test_a_coded_error_of_any_layer_keeps_its_code_status_and_field(catalogue: HttpErrorCatalogue) -> None:
    client = app_with(catalogue)
    assert answer(client, "GET", "/orders/4") == (
        404,
        {"code": "not_found", "message": "no order 4", "field": "number"},
    )


def test_a_validation_error_raised_in_a_route_names_the_field_as_the_client_sent_it() -> None:
    try:
        Order.model_validate({"quantity": "many"})
    except ValueError as exc:
        error = BRIDGE.invalid(exc, rename={"quantity": "Quantity-Header"})  # type: ignore[arg-type]
    assert (error.code, error.field, error.http_status) == ("invalid_request", "Quantity-Header", 422)
    assert error.message.startswith("Quantity-Header: Input should be a valid integer")


@pytest.fixture
def registry(tmp_path: Path) -> tuple[Registry, str]:
    registry = Registry.open(f"sqlite:///{tmp_path / 'registry.db'}")
    holder = registry.create_account(kind="holding", owner="Holder Ltd", name="holder").id
    return registry, auth.issue_api_key(registry, accounts=[holder], label="holder")


REGISTRY_REQUESTS = [
    ("GET", "/nowhere", {}, 404, "route_not_found", None),
    ("DELETE", "/programs", {}, 405, "method_not_allowed", None),
    ("GET", "/blocks", {"params": {"limit": 0}}, 422, "invalid_request", "query.limit"),
    ("GET", "/programs/NOPE", {}, 422, "unknown_program", "code"),
    ("POST", "/transfers", {"json": {"serial": "x", "quantity": 1, "to_account": 5}}, 401, "unauthorized", None),
    (
        "POST",
        "/transfers",
        {"json": {"serial": "x", "quantity": "ten", "to_account": 5}, "key": True},
        422,
        "invalid_request",
        "body.quantity",
    ),
    (
        "POST",
        "/transfers",
        {"json": {"serial": "x", "to_account": 5, "colour": "green"}, "key": True},
        422,
        "invalid_request",
        "body.colour",
    ),
    (
        "POST",
        "/transfers",
        {"content": b"{oops", "key": True, "headers": {"content-type": "application/json"}},
        422,
        "invalid_request",
        "body",
    ),
]


@pytest.mark.parametrize(("method", "path", "request_kwargs", "status", "code", "field"), REGISTRY_REQUESTS)
def test_the_registry_api_answers_every_error_through_the_shared_stack_with_its_catalogue(
    registry: tuple[Registry, str],
    method: str,
    path: str,
    request_kwargs: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    ledger, key = registry
    shared = FastAPI()
    shared.include_router(registry_router(ledger))
    install_error_handlers(shared, REGISTRY)
    kwargs = dict(request_kwargs)
    headers = dict(kwargs.pop("headers", {})) | ({"X-API-Key": key} if kwargs.pop("key", False) else {})
    own = TestClient(create_registry_app(ledger)).request(method, path, headers=headers, **kwargs)
    ours = TestClient(shared).request(method, path, headers=headers, **kwargs)
    assert (own.status_code, own.json()["code"], own.json().get("field")) == (status, code, field)
    assert (ours.status_code, ours.json()) == (own.status_code, own.json())
