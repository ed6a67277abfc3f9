"""The registry's HTTP API: pagination, search filters, status codes and error bodies, the OpenAPI document.

What both clients share (operations, auth, idempotency) is in ``test_client_contract``; here is what
only HTTP has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_factories import PREFIX, Keys, issue_keys, serving
from bridge.registry.api import READ_ONLY, create_registry_app, install_registry_api
from bridge.registry.auth import issue_api_key
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.ledger import Registry
from registry_factories import TOKEN, World

C = RegistryErrorCode


@pytest.fixture
def keys(world: World) -> Keys:
    return issue_keys(world)


@pytest.fixture
def http(world: World) -> Iterator[TestClient]:
    with serving(world.registry) as client:
        yield client


def url(path: str) -> str:
    return PREFIX + path


def key(value: str) -> dict[str, str]:
    return {"X-API-Key": value}


def add_acr(world: World) -> str:
    """An ACR program, project and issuance: ACR serials contain spaces (``... 1 to 2500``)."""
    registry = world.registry
    registry.create_program(code="ACR", category="independent", ccp_eligible=True, corsia_phases=["first"])
    registry.create_project(
        program="ACR",
        project_id="412",
        name="Mississippi Valley Afforestation",
        methodology_id="ACR-AR",
        methodology_category="Afforestation",
        sector="Agriculture, Forestry and Other Land Use",
        sectoral_scope="14",
        host_country="US",
        mitigation_type="removal",
        corsia_eligible=True,
        corsia_phase="first",
    )
    issued = registry.issue(
        program="ACR",
        project_id="412",
        to_account=world.custodian,
        quantity=2_500,
        vintage_start=date(2019, 1, 1),
        vintage_end=date(2019, 12, 31),
    )
    return issued.block.serial


def assert_error(response: Any, status: int, code: RegistryErrorCode, field: str | None = None) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code.value, body
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert body.get("field") == field, body
    return body


# --- pagination ------------------------------------------------------------------------------------


def test_lists_are_pages_with_total_limit_and_offset(world: World, http: TestClient) -> None:
    issued = world.issue(100)
    for _ in range(6):
        world.registry.transfer(
            actor_account=world.custodian, to_account=world.trader, issuance_id=issued.issuance.id, quantity=3
        )
    everything = http.get(url("/blocks")).json()
    assert (everything["total"], everything["limit"], everything["offset"]) == (7, 50, 0)
    page = http.get(url("/blocks"), params={"limit": 2, "offset": 3}).json()
    assert (page["total"], page["limit"], page["offset"]) == (7, 2, 3)
    assert page["items"] == everything["items"][3:5]
    beyond = http.get(url("/blocks"), params={"offset": 50}).json()
    assert (beyond["items"], beyond["total"]) == ([], 7)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 501}, "query.limit"), ({"limit": 0}, "query.limit"), ({"offset": -1}, "query.offset")],
)
def test_page_bounds_are_enforced(http: TestClient, world: World, params: dict[str, int], field: str) -> None:
    assert_error(http.get(url("/projects"), params=params), 422, C.INVALID_REQUEST, field)


# --- public search ---------------------------------------------------------------------------------


def test_public_search_needs_no_key(world: World, http: TestClient) -> None:
    serial = world.issue(10).block.serial
    for path in (
        "/programs",
        "/programs/VCS",
        "/projects",
        "/projects/PURO/helsinki-bc-1",
        "/issuances",
        "/issuances/1",
        "/issuances/1/totals",
        "/blocks",
        "/blocks/1",
        "/retirements",
        "/accounts",
        "/accounts/4",
        "/accounts/4/balance",
        "/journal",
        "/journal/head",
        "/journal/verify",
        "/integrity",
    ):
        assert http.get(url(path)).status_code == 200, path
    assert http.get(url("/credits"), params={"serial": serial}).json()["block"]["serial"] == serial


def test_projects_are_searched_by_program_country_methodology_category_and_labels(
    world: World, http: TestClient
) -> None:
    add_acr(world)

    def ids(**params: Any) -> list[str]:
        page = http.get(url("/projects"), params=params).json()
        return [project["project_id"] for project in page["items"]]

    assert ids() == ["1477", "helsinki-bc-1", "000731", "412"]
    assert ids(program="acr") == ["412"]
    assert ids(country="US") == ["412"]
    assert ids(methodology="vm0007") == ["1477"]
    assert ids(category="REDD+") == ["1477"]
    assert ids(removal="true") == ["helsinki-bc-1", "412"]
    assert ids(removal="false") == ["1477", "000731"]
    assert ids(mitigation_type="removal", corsia_eligible="true") == ["412"]
    assert ids(ccp_approved="true") == ["1477"]
    assert ids(corsia_phase="first") == ["1477", "412"]
    assert ids(article6_authorized="true") == ["000731"]
    assert ids(corresponding_adjustment="Pending") == ["000731"]
    assert ids(sdg=13) == ["1477"]
    assert ids(certification="CCB") == ["1477"]
    assert ids(name="offshore") == ["000731"]
    assert http.get(url("/projects"), params={"removal": "true", "offset": 1}).json()["total"] == 2
    assert http.get(url("/projects"), params={"sdg": 13, "offset": 1}).json() == {
        "items": [],
        "total": 1,
        "limit": 50,
        "offset": 1,
    }


def test_programs_issuances_and_accounts_are_filtered(world: World, http: TestClient) -> None:
    world.issue(10, vintage_start=date(2017, 1, 1), vintage_end=date(2017, 12, 31))
    world.issue(10, vintage_start=date(2020, 1, 1), vintage_end=date(2021, 6, 30))
    world.issue(10, program="CCER", vintage_start=date(2024, 1, 1), vintage_end=date(2024, 12, 31))

    def items(path: str, **params: Any) -> list[dict[str, Any]]:
        return list(http.get(url(path), params=params).json()["items"])

    assert [p["code"] for p in items("/programs", category="government")] == ["CCER"]
    assert [p["code"] for p in items("/programs", corsia_phase="first")] == ["VCS"]
    assert [i["vintage_start"] for i in items("/issuances", vintage=2021)] == ["2020-01-01"]
    assert [i["vintage_start"] for i in items("/issuances", vintage_from=2018, program="VCS")] == ["2020-01-01"]
    assert [i["program"] for i in items("/issuances", country="CN")] == ["CCER"]
    assert [i["project_id"] for i in items("/issuances", project_id="1477")] == ["1477", "1477"]
    assert [a["owner"] for a in items("/accounts", kind="holding")] == ["Acme Custody", "Blue Trading"]
    assert [a["id"] for a in items("/accounts", owner="bridge")] == [world.trust]
    assert set(items("/accounts")[0]) == {"id", "kind", "owner", "name", "status", "system", "created_at", "closed_at"}


def test_blocks_are_searched_by_status_account_issuance_program_and_serial(
    world: World, http: TestClient, keys: Keys
) -> None:
    vcs = world.issue(100)
    world.issue(50, program="PURO")
    world.registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        serial=vcs.block.serial,
        quantity=10,
    )

    def serials(**params: Any) -> list[str]:
        return [b["serial"] for b in http.get(url("/blocks"), params=params).json()["items"]]

    assert len(serials()) == 3
    assert (
        serials(status="immobilized") == serials(account_id=world.trust) == [vcs.block.serial.replace("-100-", "-10-")]
    )
    assert len(serials(issuance_id=vcs.issuance.id)) == 2
    assert serials(program="puro")[0].startswith("PURO_PR_CORC100+_FI")
    assert serials(serial="corc100+") == serials(program="PURO")
    assert serials(project_id="helsinki-bc-1") == serials(program="PURO")
    assert serials(frozen="true") == []
    assert_error(http.get(url("/blocks"), params={"status": "lost"}), 422, C.INVALID_REQUEST, "query.status")
    assert_error(http.get(url("/blocks"), params={"colour": "green"}), 422, C.INVALID_REQUEST, "query.colour")


def test_retirements_show_beneficiaries_and_are_searched_by_name_date_and_program(
    world: World, http: TestClient
) -> None:
    registry = world.registry
    issued = world.issue(100)
    registry.retire(
        actor_account=world.custodian,
        issuance_id=issued.issuance.id,
        quantity=4,
        beneficiary="Northwind Airlines",
        reason="CORSIA first phase",
        details="2024 flights",
    )
    registry.retire(
        actor_account=world.custodian,
        issuance_id=issued.issuance.id,
        quantity=6,
        beneficiary="Contoso",
        reason="net zero",
    )
    page = http.get(url("/retirements")).json()
    assert page["total"] == 2
    newest = page["items"][0]
    assert (newest["beneficiary"], newest["quantity"], newest["program"], newest["project_id"]) == (
        "Contoso",
        6,
        "VCS",
        "1477",
    )
    assert {"beneficiary", "reason", "details", "retired_at", "settles", "serial", "vintage_start"} <= set(newest)
    found = http.get(url("/retirements"), params={"beneficiary": "NORTHWIND"}).json()["items"]
    assert [(r["beneficiary"], r["details"], r["reason"]) for r in found] == [
        ("Northwind Airlines", "2024 flights", "CORSIA first phase")
    ]
    day = newest["retired_at"][:10]
    assert http.get(url("/retirements"), params={"retired_from": day, "retired_to": day}).json()["total"] == 2
    assert http.get(url("/retirements"), params={"retired_from": "2030-01-01"}).json()["total"] == 0
    assert http.get(url("/retirements"), params={"program": "PURO"}).json()["total"] == 0
    assert http.get(url("/retirements"), params={"reason": "net"}).json()["total"] == 1
    assert_error(
        http.get(url("/retirements"), params={"retired_from": "yesterday"}),
        422,
        C.INVALID_REQUEST,
        "query.retired_from",
    )


def test_a_credit_is_found_by_serial_in_the_path_or_the_query(world: World, http: TestClient) -> None:
    acr = add_acr(world)
    puro = world.issue(20, program="PURO").block.serial
    vcs = world.issue(20).block.serial
    assert " to " in acr and "+" in puro
    for serial in (acr, puro, vcs):
        by_query = http.get(url("/credits"), params={"serial": serial})
        by_path = http.get(url("/credits/") + serial.replace(" ", "%20"))
        assert by_query.status_code == by_path.status_code == 200, (serial, by_query.json(), by_path.json())
        assert by_query.json() == by_path.json()
        assert by_query.json()["block"]["serial"] == serial
    credit = http.get(url("/credits"), params={"serial": acr}).json()
    assert (credit["program"]["code"], credit["project"]["mitigation_type"], credit["issuance"]["quantity"]) == (
        "ACR",
        "removal",
        2_500,
    )
    assert_error(http.get(url("/credits"), params={"serial": acr.replace("2500", "2501")}), 404, C.BLOCK_NOT_FOUND)
    assert_error(http.get(url("/credits/ACR-US-412-2019-1-1 to 0")), 422, C.SERIAL_MALFORMED)
    assert_error(http.get(url("/credits")), 422, C.INVALID_REQUEST, "query.serial")


def test_journal_pages_and_verification(world: World, http: TestClient) -> None:
    page = http.get(url("/journal"), params={"after_seq": 2, "limit": 3}).json()
    assert [entry["seq"] for entry in page["items"]] == [3, 4, 5]
    assert page["total"] == world.registry.journal_head().seq - 2
    projects = http.get(url("/journal"), params={"operation": "create_project"}).json()
    assert projects["total"] == 3
    head = http.get(url("/journal/head")).json()
    assert http.get(url("/journal/verify"), params=head).json()["ok"] is True
    forged = http.get(url("/journal/verify"), params={**head, "hash": "0" * 64}).json()
    assert (forged["ok"], forged["first_bad_seq"]) == (False, head["seq"])
    assert_error(http.get(url("/journal/verify"), params={"seq": 3}), 400, C.INVALID_REQUEST, "query.hash")
    assert_error(http.get(url("/journal/verify"), params={**head, "hash": "xyz"}), 422, C.INVALID_REQUEST, "query.hash")
    assert http.get(url("/integrity")).json()["ok"] is True


# --- operations over HTTP --------------------------------------------------------------------------


def test_the_idempotency_key_header_is_the_ledger_request_id(world: World, http: TestClient, keys: Keys) -> None:
    serial = world.issue(100).block.serial
    body = {"serial": serial, "quantity": 5, "to_account": world.trader}
    headers = {**key(keys.custodian), "Idempotency-Key": "order-8812"}
    first = http.post(url("/transfers"), json=body, headers=headers)
    again = http.post(url("/transfers"), json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert world.registry.journal_entries()[-1].request_id == "order-8812"
    other = http.post(url("/transfers"), json={**body, "quantity": 6}, headers=headers)
    assert_error(other, 409, C.IDEMPOTENCY_CONFLICT, "request_id")


def test_creating_returns_201_and_operations_200(world: World, http: TestClient, keys: Keys) -> None:
    operator = key(keys.operator)
    created = http.post(url("/accounts"), json={"kind": "holding", "owner": "Contoso"}, headers=operator)
    assert created.status_code == 201 and created.json()["owner"] == "Contoso"
    issued = http.post(
        url("/issuances"),
        json={
            "program": "VCS",
            "project_id": "1477",
            "to_account": created.json()["id"],
            "quantity": 10,
            "vintage_start": "2020-01-01",
            "vintage_end": "2020-12-31",
        },
        headers=operator,
    )
    assert issued.status_code == 201, issued.json()
    closing = http.post(url(f"/accounts/{world.trader}/close"), headers=operator)
    assert closing.status_code == 200 and closing.json()["status"] == "closed"


def test_missing_or_unknown_keys_are_401_and_foreign_accounts_403(world: World, http: TestClient, keys: Keys) -> None:
    serial = world.issue(100, to=world.trader).block.serial
    body = {"serial": serial, "to_account": world.custodian}
    before = world.registry.snapshot()
    assert_error(http.post(url("/transfers"), json=body), 401, C.UNAUTHORIZED)
    assert_error(http.post(url("/transfers"), json=body, headers=key("crk_guess")), 401, C.UNAUTHORIZED)
    assert_error(http.post(url("/transfers"), json=body, headers=key(keys.custodian)), 403, C.FORBIDDEN, "serial")
    assert_error(
        http.post(url("/programs"), json={"code": "GS", "category": "independent"}, headers=key(keys.trader)),
        403,
        C.FORBIDDEN,
    )
    assert_error(http.get(url("/api-keys")), 401, C.UNAUTHORIZED)
    assert_error(http.get(url("/api-keys"), headers=key(keys.trader)), 403, C.FORBIDDEN)
    # a missing key is reported before a malformed body
    assert_error(http.post(url("/transfers"), json={"quantity": "lots"}), 401, C.UNAUTHORIZED)
    assert world.registry.snapshot() == before


def test_api_keys_are_created_once_and_never_shown_again(world: World, http: TestClient, keys: Keys) -> None:
    operator = key(keys.operator)
    created = http.post(url("/api-keys"), json={"accounts": [world.trader], "label": "desk"}, headers=operator)
    assert created.status_code == 201
    secret = created.json()["key"]
    listing = http.get(url("/api-keys"), headers=operator)
    assert secret not in listing.text
    me = http.get(url("/api-keys/me"), headers=key(secret)).json()
    assert (me["label"], me["accounts"]) == ("desk", [world.trader])
    revoked = http.delete(url(f"/api-keys/{me['id']}"), headers=operator)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_error(http.get(url("/api-keys/me"), headers=key(secret)), 401, C.UNAUTHORIZED)


# --- malformed requests: 422 naming the field, nothing changes ---------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/transfers", {"serial": "x", "quantity": "ten", "to_account": 5}, "body.quantity"),
        ("/transfers", {"serial": "x", "quantity": True, "to_account": 5}, "body.quantity"),
        ("/transfers", {"serial": "x"}, "body.to_account"),
        ("/transfers", {"serial": "x", "to_account": 5, "colour": "green"}, "body.colour"),
        ("/transfers", [1, 2], "body"),
        ("/retirements", {"serial": 7, "beneficiary": "b", "reason": "r"}, "body.serial"),
        ("/immobilizations", {"serial": "x", "trust_account": 6, "marketplace": "m", "marketplace_identifier": {}},
         "body.marketplace_identifier.chain_id"),
        ("/trust-retirements", {"serial": "x", "beneficiary": "b", "reason": "r", "settles": "c"}, "body.settles"),
        ("/accounts", {"kind": "piggy bank", "owner": "x"}, "body.kind"),
        ("/issuances", {"program": "VCS", "project_id": "1477", "to_account": 4, "quantity": 1,
                        "vintage_start": "2019-13-01", "vintage_end": "2019-12-31"}, "body.vintage_start"),
    ],
)  # fmt: skip
def test_a_malformed_body_is_422_invalid_request_naming_the_field(
    world: World, http: TestClient, keys: Keys, path: str, body: Any, field: str
) -> None:
    before = world.registry.snapshot()
    response = http.post(url(path), json=body, headers=key(keys.operator))
    error = assert_error(response, 422, C.INVALID_REQUEST, field)
    assert error["message"].startswith(field)
    assert world.registry.snapshot() == before


def test_a_body_that_is_not_json_is_422(world: World, http: TestClient, keys: Keys) -> None:
    response = http.post(
        url("/transfers"), content=b"{not json", headers={**key(keys.custodian), "Content-Type": "application/json"}
    )
    assert_error(response, 422, C.INVALID_REQUEST, "body")


def test_bad_path_parameters_are_refused_with_a_code(world: World, http: TestClient) -> None:
    assert_error(http.get(url("/blocks/abc")), 422, C.INVALID_REQUEST, "path.block_id")
    assert_error(http.get(url("/blocks/99999999999999999999999")), 400, C.INVALID_REQUEST, "block_id")
    assert_error(http.get(url("/accounts/0")), 404, C.UNKNOWN_ACCOUNT)
    assert_error(http.get(url("/projects/VCS/nope")), 404, C.UNKNOWN_PROJECT)


def test_unknown_routes_and_methods_have_coded_errors(http: TestClient, world: World) -> None:
    assert_error(http.get(url("/nowhere")), 404, C.ROUTE_NOT_FOUND)
    assert_error(http.get("/not-the-registry"), 404, C.ROUTE_NOT_FOUND)
    assert_error(http.delete(url("/programs")), 405, C.METHOD_NOT_ALLOWED)
    assert_error(http.put(url("/transfers"), json={}), 405, C.METHOD_NOT_ALLOWED)


_ENDPOINTS = [
    "/transfers",
    "/retirements",
    "/cancellations",
    "/buffer-deposits",
    "/immobilizations",
    "/releases",
    "/trust-retirements",
    "/freezes",
    "/unfreezes",
    "/programs",
    "/projects",
    "/accounts",
    "/issuances",
    "/api-keys",
]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 4, 5, 6, 7, 10**15, 10**16]),
    st.text(max_size=12),
    st.sampled_from(["VCS", "1477", "holding", "trust", "2019-01-01", "independent", "removal", "\x00"]),
    st.lists(st.integers(min_value=-3, max_value=20), max_size=3),
    st.dictionaries(st.sampled_from(["chain_id", "token_address", "batch_id"]), st.integers() | st.text(max_size=5)),
)
_FIELDS = st.sampled_from(
    [
        "serial", "issuance_id", "quantity", "from_account", "to_account", "beneficiary", "reason", "settles",
        "trust_account", "marketplace", "marketplace_identifier", "code", "category", "kind", "owner", "program",
        "project_id", "vintage_start", "vintage_end", "accounts", "operator", "retirement_account", "first_unit",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_ENDPOINTS), body=st.dictionaries(_FIELDS, _VALUES, max_size=6), operator=st.booleans())
def test_no_request_body_makes_the_api_fail_or_change_what_it_refused(
    world: World, keys: Keys, path: str, body: dict[str, Any], operator: bool
) -> None:
    registry = world.registry
    if not registry.list_blocks():
        world.issue(1_000)
    with serving(registry) as http:
        before = registry.snapshot()
        response = http.post(url(path), json=body, headers=key(keys.operator if operator else keys.custodian))
        assert response.status_code < 500, response.json()
        payload = response.json()
        if response.status_code >= 400:
            assert set(payload) >= {"code", "message"} and C(payload["code"]), payload
            assert registry.snapshot() == before, (path, body, payload)


# --- mounting and the OpenAPI document -------------------------------------------------------------


def test_the_router_mounts_under_a_prefix_in_another_app(registry: Registry) -> None:
    app = FastAPI(title="the bridge")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    install_registry_api(app, registry, prefix="/registry/v1")
    with TestClient(app) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/registry/v1/accounts/1").json()["kind"] == "retirement"
        assert_error(http.get("/registry/v1/accounts/99"), 404, C.UNKNOWN_ACCOUNT, "account_id")


def test_the_standalone_app_serves_its_registry(registry: Registry) -> None:
    with TestClient(create_registry_app(registry)) as http:
        assert http.get("/journal/head").json()["seq"] == 1
        assert http.get("/openapi.json").status_code == 200


def test_the_openapi_document_has_an_example_for_every_operation_and_documents_errors(registry: Registry) -> None:
    schema = create_registry_app(registry).openapi()
    assert schema["components"]["securitySchemes"]["RegistryApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": schema["components"]["securitySchemes"]["RegistryApiKey"]["description"],
    }
    posts, reads = 0, []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("summary"), (method, path)
            assert "200" in operation["responses"] or "201" in operation["responses"], (method, path)
            if method != "post" or "requestBody" not in operation:
                continue
            examples = operation["requestBody"]["content"]["application/json"].get("examples")
            assert examples, f"POST {path} has no example"
            assert all(example["value"] for example in examples.values())
            if operation.get(READ_ONLY):
                reads.append(path)
                continue
            posts += 1
            assert {"401", "403", "422"} <= set(operation["responses"]), path
            assert operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "ErrorResponse"
            )
            if path != "/api-keys":
                headers = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
                assert ("Idempotency-Key", "header") in headers, path
    assert posts == 15
    assert reads == ["/credits/read-many"]


def test_a_post_marked_read_only_answers_anyone_and_changes_nothing(registry: Registry) -> None:
    schema = create_registry_app(registry).openapi()
    marked = [(path, ops["post"]) for path, ops in schema["paths"].items() if ops.get("post", {}).get(READ_ONLY)]
    assert marked
    before = registry.snapshot_digest()
    with TestClient(create_registry_app(registry)) as http:
        for path, operation in marked:
            for example in operation["requestBody"]["content"]["application/json"]["examples"].values():
                response = http.post(path, json=example["value"])  # no API key, no Idempotency-Key
                assert response.status_code == 200, (path, response.text)
    assert registry.snapshot_digest() == before


def test_the_openapi_examples_are_valid_request_bodies(registry: Registry) -> None:
    """Every example passes the API's own body checks (the ledger may still refuse its values here)."""
    app = create_registry_app(registry)
    schema = app.openapi()
    headers = key(issue_api_key(registry, operator=True))
    with TestClient(app) as http:
        for path, methods in schema["paths"].items():
            operation = methods.get("post")
            if not operation or "requestBody" not in operation:
                continue
            for name, example in operation["requestBody"]["content"]["application/json"]["examples"].items():
                response = http.post(path, json=example["value"], headers=headers)
                body = response.json()
                assert response.status_code < 500, (path, name, body)
                assert not (response.status_code == 422 and body["code"] == "invalid_request"), (path, name, body)
