"""The read side: redemptions by holder, class and status; classes by id, token or name, with filters that
work; a holder's balances; the event feed (transfers made directly on-chain included); cursors on every
list; an unknown query parameter refused everywhere; and bad inputs refused with a code, changing nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_world import TONNE, ApiWorld
from eth_account.signers.local import LocalAccount

from bridge.chain.retirement import PersonalData, Purpose, RetirementDetails

SALT = "0x" + "5a" * 32
PRIVATE = PersonalData(salt=SALT, beneficiary_name="Jane Doe", retiring_entity="Doe Family Office")


@pytest.fixture(scope="module")
def history(world: ApiWorld) -> dict[str, Any]:
    """More than the shared world: a transfer made directly on-chain, several beneficiaries in one call,
    and a retirement whose names are on-chain only as a hash (1 t: whole, so only the names hold it back)."""
    helper, service = world.helper, world.service
    class_id = world.tokenization["class_id"]
    other: LocalAccount = service.onchain.users[1]
    token = service.onchain.deployment.token_at(world.tokenization["token_address"])
    service.onchain.sender(helper.holder).transact(token.functions.transfer(other.address, 2 * TONNE))
    complete = RetirementDetails(
        beneficiary_name="Contoso Ltd",
        beneficiary_address=other.address,
        retiring_entity="Contoso Treasury",
        purpose=Purpose.CORSIA,
        consumption_country="FR",
        consumption_start=date(2025, 1, 1),
        consumption_end=date(2025, 6, 30),
        claim_jurisdiction="FR-IDF",
        reason="CORSIA first phase",
    )
    bridge = service.onchain.bridge
    many = bridge.functions.retireMany(
        bytes.fromhex(class_id[2:]),
        [TONNE // 2, TONNE // 2],
        [complete.as_tuple(), RetirementDetails(beneficiary_name="Fabrikam", purpose="other").as_tuple()],
    )
    service.onchain.sender(helper.holder).transact(many)
    hashed = helper.retire(
        class_id=class_id,
        amount=TONNE,
        details=RetirementDetails(personal_data_hash=PRIVATE.digest(), purpose=Purpose.EVENT_CLAIM),
    )
    service.ensure_preset_pools()
    helper.drive()
    return {"class_id": class_id, "other": other.address, "hashed": hashed, "complete": hashed - 2}


def _ok(world: ApiWorld, path: str, **params: Any) -> Any:
    response = world.api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _refused(
    world: ApiWorld,
    path: str,
    code: str,
    status: int,
    field: str | None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    before = world.state()
    response = world.api.get(path, params=params or {}, headers=headers or {})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    assert world.state() == before


# --- redemptions -------------------------------------------------------------------------------------


def test_redemptions_list_by_holder_class_and_status(world: ApiWorld, history: dict[str, Any]) -> None:
    holder = world.helper.holder.address
    every = _ok(world, "/v1/redemptions")
    assert [r["id"] for r in every["items"]] == [world.redemption_id]
    (mine,) = _ok(world, "/v1/redemptions", holder=holder.lower())["items"]  # any case in, checksummed out
    assert mine["holder"] == holder and mine["step"] == "completed"
    assert [e["step"] for e in mine["history"]] == ["seen", "releasing", "released", "completed"]
    assert _ok(world, "/v1/redemptions", holder=history["other"])["items"] == []
    assert _ok(world, "/v1/redemptions", class_id=history["class_id"], status="completed")["total"] == 1
    assert _ok(world, "/v1/redemptions", status="cancelled")["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"holder": "0x1234"}, "holder"),
        ({"holder": "0x70997970c51812DC3A010C7d01b50e0d17dc79C8"}, "holder"),  # a wrong checksum
        ({"status": "finished"}, "status"),
        ({"class_id": "VCS"}, "class_id"),
        ({"limit": 0}, "limit"),
        ({"cursor": "not a cursor!"}, "cursor"),
    ],
)
def test_bad_redemption_filters_are_refused(world: ApiWorld, params: dict[str, Any], field: str) -> None:
    _refused(world, "/v1/redemptions", "invalid_request", 422, field, params)


# --- classes -----------------------------------------------------------------------------------------


def test_a_class_is_found_by_its_id_its_token_or_its_name(world: ApiWorld, history: dict[str, Any]) -> None:
    (listed,) = _ok(world, "/v1/classes")["items"]
    assert listed["project_name"] and listed["project_name"] in listed["name"]
    assert listed["name"].startswith(f"{listed['attributes']['program']} {listed['attributes']['project_id']} ")
    assert listed["retirements"] == 4 and int(listed["retired"]) == 3 * TONNE + TONNE // 2
    for reference in (
        listed["class_id"],
        listed["class_id"].upper().replace("0X", "0x"),
        listed["token_address"],
        listed["token_address"].lower(),
        listed["name"],
        listed["name"].upper(),
        listed["project_name"],
    ):
        assert _ok(world, f"/v1/classes/{reference}")["class_id"] == listed["class_id"], reference


def test_unknown_classes_are_a_coded_404(world: ApiWorld) -> None:
    _refused(world, "/v1/classes/No Such Project 1999", "not_found", 404, "class_id")
    _refused(world, "/v1/classes/0x" + "ab" * 32, "not_found", 404, "class_id")


def test_class_filters_work(world: ApiWorld, history: dict[str, Any]) -> None:
    (listed,) = _ok(world, "/v1/classes")["items"]
    attrs = listed["attributes"]
    year = attrs["vintage_start"] // 10_000
    assert _ok(world, "/v1/classes", program=attrs["program"])["total"] == 1
    assert _ok(world, "/v1/classes", program=attrs["program"].lower())["total"] == 1
    assert _ok(world, "/v1/classes", program="NOPE")["total"] == 0
    assert _ok(world, "/v1/classes", vintage=year)["total"] == 1
    assert _ok(world, "/v1/classes", vintage=year - 1)["total"] == 0
    assert _ok(world, "/v1/classes", name=listed["project_name"][:6].lower())["total"] == 1
    for label in ("ccp_approved", "corsia_eligible", "removal", "article6_authorized"):
        expected = 1 if label in listed["labels"] else 0
        assert _ok(world, "/v1/classes", label=label)["total"] == expected, label


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"label": "green"}, "label"),
        ({"vintage": 12}, "vintage"),
        ({"vintage": "2019a"}, "vintage"),
        ({"program": ""}, "program"),
    ],
)
def test_bad_class_filters_are_refused(world: ApiWorld, params: dict[str, Any], field: str) -> None:
    _refused(world, "/v1/classes", "invalid_request", 422, field, params)


# --- balances ----------------------------------------------------------------------------------------


def test_a_holder_sees_what_it_holds_at_one_block(world: ApiWorld, history: dict[str, Any]) -> None:
    other = _ok(world, f"/v1/holders/{history['other'].lower()}/balances")
    assert other["address"] == history["other"] and other["block_number"] > 0
    (held,) = other["balances"]
    assert held == {
        "kind": "class",
        "token": world.tokenization["token_address"],
        "class_id": history["class_id"],
        "name": held["name"],
        "balance": str(2 * TONNE),
        "tonnes": "2",
    }
    nobody = _ok(world, "/v1/holders/0x000000000000000000000000000000000000dEaD/balances")
    assert nobody["balances"] == []
    _refused(world, "/v1/holders/0x1234/balances", "invalid_request", 422, "address")
    _refused(
        world, "/v1/holders/0x0000000000000000000000000000000000000000/balances", "invalid_request", 422, "address"
    )


# --- the event feed ----------------------------------------------------------------------------------


def test_the_feed_shows_a_transfer_made_directly_on_chain(world: ApiWorld, history: dict[str, Any]) -> None:
    transfers = _ok(world, "/v1/events", name="Transfer", limit=100)["items"]
    direct = [e for e in transfers if e["args"]["to"] == history["other"]]
    assert len(direct) == 1
    assert direct[0]["args"] == {"from": world.helper.holder.address, "to": history["other"], "amount": str(2 * TONNE)}
    assert direct[0]["class_id"] == history["class_id"]
    retired = _ok(world, "/v1/events", name="Retired", limit=100)["items"]
    assert {int(e["args"]["certificateId"]) for e in retired} == {
        world.certificate_id,
        history["complete"],
        history["complete"] + 1,
        history["hashed"],
    }
    (mint,) = [e for e in transfers if e["args"]["from"] == "0x" + "00" * 20]
    assert mint["args"]["amount"] == str(world.tokenization["quantity"] * TONNE)


def test_the_feed_is_followed_with_its_cursor(world: ApiWorld, history: dict[str, Any]) -> None:
    seen: list[int] = []
    page = _ok(world, "/v1/events", limit=3)
    while page["items"]:
        seen += [e["id"] for e in page["items"]]
        page = _ok(world, "/v1/events", limit=3, cursor=page["next_cursor"])
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == _ok(world, "/v1/events")["total"]
    assert page["next_cursor"], "at the end, the cursor to poll for what comes next"
    world.service.onchain.sender(world.helper.holder).transact(
        world.service.onchain.deployment.token_at(world.tokenization["token_address"]).functions.transfer(
            history["other"], 1
        )
    )
    world.helper.drive()
    newer = _ok(world, "/v1/events", cursor=page["next_cursor"])["items"]
    assert [e["name"] for e in newer] == ["Transfer"] and newer[0]["args"]["amount"] == "1"


def test_a_cursor_from_another_list_or_edited_is_refused(world: ApiWorld, history: dict[str, Any]) -> None:
    other = _ok(world, "/v1/retirements", limit=1)["next_cursor"]
    _refused(world, "/v1/events", "invalid_request", 400, "cursor", {"cursor": other})
    _refused(world, "/v1/retirements", "invalid_request", 400, "cursor", {"cursor": "AAAA"})
    _refused(world, "/v1/retirements", "invalid_request", 400, "cursor", {"cursor": other, "offset": 1})


# --- cursors on every list ---------------------------------------------------------------------------

LISTS = (
    "/v1/tokenizations",
    "/v1/batches",
    "/v1/classes",
    "/v1/redemptions",
    "/v1/retirements",
    "/v1/settlements",
    "/v1/events",
    "/v1/pools",
)


@pytest.mark.parametrize("path", LISTS)
def test_every_list_walks_page_by_page_with_its_cursor(world: ApiWorld, history: dict[str, Any], path: str) -> None:
    everything = _ok(world, path, limit=100)["items"]
    walked: list[Any] = []
    page = _ok(world, path, limit=1)
    while True:
        walked += page["items"]
        feed_done = path == "/v1/events" and len(walked) >= len(everything)  # the feed's cursor never ends
        if page["next_cursor"] is None or not page["items"] or feed_done:
            break
        page = _ok(world, path, limit=1, cursor=page["next_cursor"])
    assert walked == everything


CLASS_LISTS = ("/v1/batches", "/v1/retirements", "/v1/redemptions", "/v1/settlements", "/v1/events")


@pytest.mark.parametrize("path", CLASS_LISTS)
def test_a_class_filter_in_upper_case_finds_the_same_rows(world: ApiWorld, history: dict[str, Any], path: str) -> None:
    lower = _ok(world, path, class_id=history["class_id"], limit=100)
    assert lower["total"] > 0
    assert _ok(world, path, class_id="0x" + history["class_id"][2:].upper(), limit=100) == lower


def test_the_explorer_s_pages_filter_as_the_api_does(world: ApiWorld, history: dict[str, Any]) -> None:
    holder = world.helper.holder.address
    pages: list[tuple[str, dict[str, str]]] = [
        ("/", {}),
        ("/classes", {"program": "accu", "vintage": "2020"}),
        (f"/classes/{history['class_id']}", {}),
        ("/retirements", {"beneficiary": "Fabrikam"}),
        ("/redemptions", {"holder": holder, "status": "completed"}),
        ("/events", {"name": "Retired"}),
        (f"/holders/{holder}", {}),
    ]
    for path, params in pages:
        assert world.api.get(path, params=params).status_code == 200, path
    refused = world.api.get("/events", params={"name": "Retired!"})  # no event is named so: the API refuses it
    assert refused.status_code == 422 and "invalid_request" in refused.text and "name" in refused.text
    assert world.api.get("/v1/events", params={"name": "Retired!"}).status_code == 422  # as the API does
    for path, params in [
        ("/classes", {"vintage": "1800"}),
        ("/classes", {"vintage": "20x0"}),
        ("/redemptions", {"status": "lost"}),
        ("/classes", {"label": "green"}),
    ]:
        refused = world.api.get(path, params=params)
        assert refused.status_code == 422 and "invalid_request" in refused.text, (path, params)


# --- certificates and their details -----------------------------------------------------------------


def test_a_certificate_carries_everything_the_retiree_stated(world: ApiWorld, history: dict[str, Any]) -> None:
    certificate = _ok(world, f"/v1/retirements/{history['complete']}")
    assert certificate["beneficiary"] == "Contoso Ltd"
    assert certificate["beneficiary_address"] == history["other"]
    assert certificate["retiring_entity"] == "Contoso Treasury"
    assert certificate["purpose"] == "corsia" and "CORSIA" in certificate["purpose_text"]
    assert (certificate["consumption_country"], certificate["consumption_country_name"]) == ("FR", "France")
    assert certificate["consumption_start"] == "2025-01-01" and certificate["consumption_end"] == "2025-06-30"
    assert certificate["claim_jurisdiction"] == "FR-IDF" and "France" in certificate["claim_jurisdiction_name"]
    assert certificate["class_name"] and certificate["tonnes"] == "0.5"
    listed = _ok(world, "/v1/retirements", class_id=history["class_id"], retiree=world.helper.holder.address)
    assert {c["certificate_id"] for c in listed["items"]} >= {history["complete"], history["complete"] + 1}


def test_hashed_names_wait_for_their_disclosure_then_reach_the_registry(
    world: ApiWorld, history: dict[str, Any]
) -> None:
    path = f"/v1/retirements/{history['hashed']}"
    waiting = _ok(world, path)
    assert waiting["status"] == "awaiting_disclosure" and not waiting["disclosed"]
    assert waiting["personal_data_hash"] == PRIVATE.digest()
    assert waiting["settled"] == "0", "a whole tonne, held back only by its names"

    before = world.state()
    wrong = PersonalData(salt=SALT, beneficiary_name="John Doe", retiring_entity="Doe Family Office")
    response = world.api.post(f"{path}/personal-data", json=wrong.model_dump())
    assert response.status_code == 422 and response.json()["code"] == "personal_data_mismatch"
    assert response.json()["field"] == "salt"
    response = world.api.post(f"{path}/personal-data", json={**PRIVATE.model_dump(), "extra": 1})
    assert response.status_code == 422 and response.json()["field"] == "extra"
    response = world.api.post(f"/v1/retirements/{history['complete']}/personal-data", json=PRIVATE.model_dump())
    assert response.status_code == 409 and response.json()["code"] == "personal_data_not_hashed"
    response = world.api.post("/v1/retirements/999/personal-data", json=PRIVATE.model_dump())
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert world.state() == before

    for _ in range(2):  # repeating it changes nothing
        disclosed = world.api.post(f"{path}/personal-data", json=PRIVATE.model_dump())
        assert disclosed.status_code == 200, disclosed.text
        assert (
            disclosed.json()["beneficiary"] == "Jane Doe" and disclosed.json()["retiring_entity"] == "Doe Family Office"
        )
    world.helper.drive()
    settled = _ok(world, path)
    # oldest first: the half tonne left of an earlier certificate, then half of this one (a whole tonne)
    assert settled["status"] == "partly_settled" and settled["settled"] == str(TONNE // 2), settled
    (settlement,) = settled["settlements"]
    assert settlement["registry_serials"]
    found = _ok(world, "/registry/retirements", limit=500)["items"]
    ours_ref = f"{world.service.chain_id}:{world.service.bridge_address}:certificate:{history['hashed']}"
    ours = [r for r in found if ours_ref in r["settles"]]
    assert len(ours) == 1, found
    line = next(x for x in ours[0]["details"].splitlines() if x.startswith(f"certificate {history['hashed']}:"))
    assert "Jane Doe" in line and "purpose event_claim" in line and "retired by Doe Family Office" in line


def test_the_registry_retirement_names_every_detail_of_a_settled_certificate(
    world: ApiWorld, history: dict[str, Any]
) -> None:
    found = _ok(world, "/registry/retirements", limit=500)["items"]
    details = "\n".join(r["details"] or "" for r in found)
    line = next(line for line in details.splitlines() if line.startswith(f"certificate {history['complete']}:"))
    for fact in (
        "Contoso Ltd",
        history["other"],
        "Contoso Treasury",
        "purpose corsia",
        "FR 2025-01-01..2025-06-30",
        "FR-IDF",
    ):
        assert fact in line, (fact, line)


# --- the rule for every endpoint ---------------------------------------------------------------------


def test_an_unknown_query_parameter_is_refused_on_every_endpoint(world: ApiWorld, history: dict[str, Any]) -> None:
    values = world.path_values(class_ref=history["class_id"])
    spec = world.api.get("/openapi.json").json()
    checked = 0
    for template, item in spec["paths"].items():
        if "get" not in item:
            continue
        path = template.format(**values)
        keyed = bool(item["get"].get("security"))
        if keyed:
            # a keyed read is refused at the edge before anything else looks at the request
            _refused(world, path, "unauthorized", 401, None, {"bogus": "1"})
        operator = (
            str(world.service.demo.keys["operator"])
            if path.startswith("/registry")
            else world.service.api_key("operator")
        )
        headers = {"X-API-Key": operator} if keyed else {}  # with a valid key, the query is judged
        _refused(world, path, "invalid_request", 422, "bogus", {"bogus": "1"}, headers)
        checked += 1
    for page in ("/", "/classes", "/retirements", "/reserves", "/docs"):  # the explorer's pages follow it too
        assert world.api.get(page, params={"bogus": "1"}).status_code == 422
    assert checked >= 30


def test_the_registry_landing_is_html_for_a_browser_and_json_otherwise(world: ApiWorld) -> None:
    index = world.api.get("/registry")
    assert index.headers["content-type"].startswith("application/json")
    body = index.json()
    assert "VCS" in body["programs"] and body["journal_head"]["seq"] > 0
    served = {(e["method"], e["path"]) for e in body["endpoints"]}
    assert {
        ("GET", "/registry/blocks"),
        ("GET", "/registry/credits/{serial}"),
        ("POST", "/registry/transfers"),
    } <= served
    page = world.api.get("/registry", headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "simulated registry" in page.text and "/registry/blocks" in page.text


def test_the_api_docs_load_only_this_server_s_files(world: ApiWorld) -> None:
    for path, asset in (
        ("/docs", "/assets/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/redoc", "/assets/vendor/redoc/redoc.standalone.js"),
    ):
        page = world.api.get(path)
        assert page.status_code == 200 and asset in page.text
        assert "https://" not in page.text and "default-src 'self'" in page.headers["content-security-policy"]
        assert world.api.get(asset).status_code == 200
