"""The operation table is the one declaration: every operation in it is reachable, and answers the same,
through ``Registry``, ``Registry.execute``, both clients (keyword fields or a ready request model) and
the HTTP API; a bad field is refused alike everywhere.

Each path runs the same request on a fresh registry with the same history and clock, so the same result
means the very same journal entry too (its hash included)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from api_factories import CLIENT_KINDS, PREFIX, Keys, connector, issue_keys, serving
from bridge.registry.api import create_registry_app
from bridge.registry.client import RegistryClient
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import (
    OPERATIONS,
    REQUESTED,
    Access,
    Operation,
    OperationMethod,
    OperationMethods,
)
from bridge.registry.requests import BlockSelection, InitRequest
from registry_factories import TOKEN, World, build_world

C = RegistryErrorCode


@dataclass(frozen=True)
class Sample:
    """A valid request of one operation in the ``prepared`` world, and who makes it."""

    actor: str  # "custodian", "trust" or "operator"
    fields: dict[str, Any]


def _samples(world: World) -> dict[str, Sample]:
    custodian, trader, trust = world.custodian, world.trader, world.trust
    units = {"issuance_id": 1, "quantity": 5}
    return {
        "transfer": Sample("custodian", {**units, "to_account": trader}),
        "retire": Sample("custodian", {**units, "beneficiary": "Acme Airlines", "reason": "2024 claim"}),
        "cancel": Sample("custodian", {**units, "reason": "used for an NDC transfer"}),
        "move_to_buffer": Sample("custodian", {**units}),
        "immobilize": Sample(
            "custodian",
            {**units, "trust_account": trust, "marketplace": "bridge", "marketplace_identifier": TOKEN.model_dump()},
        ),
        "immobilize_many": Sample(
            "custodian",
            {
                "trust_account": trust,
                "marketplace": "bridge",
                "locks": [
                    {**units, "marketplace_identifier": TOKEN.model_dump()},
                    {"issuance_id": 1, "quantity": 3, "marketplace_identifier": TOKEN.model_dump()},
                ],
            },
        ),
        "release": Sample("trust", {**units, "to_account": trader}),
        "retire_from_trust": Sample(
            "trust", {**units, "beneficiary": "Fabrikam", "reason": "token retired", "settles": ["31337:cert:1"]}
        ),
        "create_program": Sample("operator", {"code": "ACR", "category": "independent", "corsia_phases": ["first"]}),
        "create_project": Sample(
            "operator",
            {
                "program": "PURO",
                "project_id": "p-2",
                "name": "Biochar 2",
                "methodology_id": "PURO-BIOCHAR-2022",
                "methodology_category": "Biochar",
                "sector": "Carbon removal",
                "sectoral_scope": "biochar",
                "host_country": "FI",
                "mitigation_type": "removal",
                "sdg_goals": [13, 9],
            },
        ),
        "create_account": Sample("operator", {"kind": "holding", "owner": "Northwind Traders"}),
        "close_account": Sample("operator", {"account_id": 7}),
        "issue": Sample(
            "operator",
            {
                "program": "VCS",
                "project_id": "1477",
                "to_account": custodian,
                "quantity": 10,
                "vintage_start": date(2020, 1, 1),
                "vintage_end": date(2020, 12, 31),
            },
        ),
        "freeze": Sample("operator", {**units, "from_account": custodian, "reason": "issued in error"}),
        "unfreeze": Sample("operator", {**units, "reason": "review closed"}),
    }


def prepared(registry: Registry) -> World:
    """The test world with units in every state a sample needs: held, immobilized, frozen, an empty account."""
    world = build_world(registry)
    world.issue(1_000)
    registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        issuance_id=1,
        quantity=100,
    )
    registry.freeze(issuance_id=1, quantity=10, from_account=world.custodian, reason="under review")
    assert registry.create_account(kind="holding", owner="Spare").id == 7
    return world


def _actor(world: World, sample: Sample) -> int | None:
    return {"custodian": world.custodian, "trust": world.trust, "operator": None}[sample.actor]


def _key(keys: Keys, sample: Sample) -> str:
    return {"custodian": keys.custodian, "trust": keys.trust, "operator": keys.operator}[sample.actor]


def _through_ledger(op: Operation[Any, Any], registry: Registry, world: World, sample: Sample) -> Any:
    actor = {"actor_account": _actor(world, sample)} if op.access is Access.HOLDER else {}
    return getattr(registry, op.name)(**actor, **sample.fields).model_dump(mode="json")


def _through_execute(op: Operation[Any, Any], registry: Registry, world: World, sample: Sample) -> Any:
    request = op.request.model_validate(sample.fields)
    return registry.execute(request, actor_account=_actor(world, sample)).model_dump(mode="json")


def _through_client(kind: str, *, model: bool) -> Callable[..., Any]:
    def run(op: Operation[Any, Any], registry: Registry, world: World, sample: Sample) -> Any:
        with connector(kind, registry) as connect:
            client = connect(_key(issue_keys(world), sample))
            method = getattr(client, op.name)
            result = method(op.request.model_validate(sample.fields)) if model else method(**sample.fields)
            return result.model_dump(mode="json")

    return run


def _through_http(op: Operation[Any, Any], registry: Registry, world: World, sample: Sample) -> Any:
    body = op.request.model_validate(sample.fields).model_dump(mode="json")
    path = op.path.format(**{name: body.pop(name) for name in op.path_fields})
    with serving(registry) as http:
        response = http.post(PREFIX + path, json=body or None, headers={"X-API-Key": _key(issue_keys(world), sample)})
    assert response.status_code == (201 if op.created else 200), response.json()
    return response.json()


PATHS: dict[str, Callable[..., Any]] = {
    "execute": _through_execute,
    **{f"{kind}_client": _through_client(kind, model=False) for kind in CLIENT_KINDS},
    **{f"{kind}_client_model": _through_client(kind, model=True) for kind in CLIENT_KINDS},
    "http": _through_http,
}


def test_every_requested_operation_has_a_sample_here(registry: Registry) -> None:
    assert set(_samples(prepared(registry))) == {op.name for op in REQUESTED}
    assert {op.name for op in REQUESTED} == set(OPERATIONS) - {"init_registry"}


@pytest.mark.parametrize("op", REQUESTED, ids=lambda op: op.name)
def test_every_operation_is_a_method_of_the_ledger_and_of_the_client(op: Operation[Any, Any]) -> None:
    method = OperationMethods.__dict__[op.name]
    assert isinstance(method, OperationMethod) and method.operation is op
    for owner in (Registry, RegistryClient):
        assert issubclass(owner, OperationMethods) and getattr(owner, op.name) is method, owner


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("op", REQUESTED, ids=lambda op: op.name)
def test_every_operation_answers_alike_on_every_path(
    new_registry: Callable[..., Registry], op: Operation[Any, Any], path: str
) -> None:
    reference = new_registry()
    world = prepared(reference)
    sample = _samples(world)[op.name]
    expected = _through_ledger(op, reference, world, sample)

    registry = new_registry()
    other = prepared(registry)
    assert PATHS[path](op, registry, other, sample) == expected
    assert registry.journal_head() == reference.journal_head(), "the very same journal entry"
    assert registry.snapshot() == reference.snapshot()


@pytest.mark.parametrize("op", REQUESTED, ids=lambda op: op.name)
def test_an_unknown_field_is_refused_alike_everywhere_naming_it(registry: Registry, op: Operation[Any, Any]) -> None:
    world = prepared(registry)
    keys = issue_keys(world)
    sample = _samples(world)[op.name]
    fields = {**sample.fields, "colour": "green"}
    before = registry.snapshot()
    _assert_invalid(getattr(registry, op.name), fields, "colour")
    for kind in CLIENT_KINDS:
        with connector(kind, registry) as connect:
            _assert_invalid(getattr(connect(_key(keys, sample)), op.name), fields, "colour")
    if op.body_fields:
        body = {**op.request.model_validate(sample.fields).model_dump(mode="json"), "colour": "green"}
        with serving(registry) as http:
            response = http.post(PREFIX + op.path, json=body, headers={"X-API-Key": _key(keys, sample)})
        error = response.json()
        assert (response.status_code, error["code"], error["field"]) == (422, "invalid_request", "body.colour")
    assert registry.snapshot() == before


def _assert_invalid(method: Callable[..., object], fields: dict[str, Any], field: str) -> None:
    with pytest.raises(RegistryError) as caught:
        method(**fields)
    assert (caught.value.code, caught.value.field) == (C.INVALID_REQUEST, field), caught.value


def test_a_ready_request_model_of_another_operation_is_refused(world: World) -> None:
    keys = issue_keys(world)
    selection = {"issuance_id": 1, "quantity": 1}
    world.issue(10)
    release = OPERATIONS["release"].request.model_validate({**selection, "to_account": world.trader})
    with pytest.raises(RegistryError) as caught:
        world.registry.transfer(release, actor_account=world.custodian)
    assert caught.value.code is C.INVALID_REQUEST
    with connector("in_process", world.registry) as connect, pytest.raises(RegistryError):
        connect(keys.custodian).transfer(release)
    assert isinstance(release, BlockSelection)


def test_an_operator_operation_takes_no_acting_account_and_nobody_asks_for_the_genesis(world: World) -> None:
    head = world.registry.journal_head()
    with pytest.raises(RegistryError) as caught:
        world.registry.create_account(actor_account=world.custodian, kind="holding", owner="x")
    assert (caught.value.code, caught.value.field) == (C.INVALID_REQUEST, "actor_account")
    with pytest.raises(RegistryError) as caught:
        world.registry.execute(InitRequest(registry_name="Another registry"))
    assert caught.value.code is C.INVALID_REQUEST
    assert world.registry.journal_head() == head


@pytest.mark.parametrize("op", REQUESTED, ids=lambda op: op.name)
def test_the_openapi_document_declares_each_operation_as_the_table_does(
    registry: Registry, op: Operation[Any, Any]
) -> None:
    document = create_registry_app(registry).openapi()
    endpoint = document["paths"][op.path]["post"]
    assert endpoint["operationId"].startswith(op.name + "_")
    assert endpoint["summary"] == op.summary
    assert ("201" if op.created else "200") in endpoint["responses"]
    if op.body_fields:
        schema = endpoint["requestBody"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/" + op.request.__name__), "the body is the request model"
        assert set(document["components"]["schemas"][op.request.__name__]["properties"]) == set(op.body_fields)
    else:
        assert "requestBody" not in endpoint
