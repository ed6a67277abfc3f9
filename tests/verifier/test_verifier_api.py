"""A verifier's HTTP API and its client: the engine's key is checked before the body is read, answers and
refusals are coded as everywhere else, and the engine minting through verifiers reached over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from verifying import locked

from bridge.http_edge import EdgeLimits
from bridge.verifier.api import create_verifier_app
from bridge.verifier.client import HttpVerifier
from bridge.verifier.errors import VerifierError
from bridge.verifier.schemas import AttestationRequest
from engine_harness import BridgeWorld, tokenize, tonnes

API_KEY = "vak_test_engine_key_for_this_verifier_0123456789"


@pytest.fixture
def api(bridge_world: BridgeWorld) -> Iterator[TestClient]:
    app = create_verifier_app(bridge_world.verifiers[0], api_key=API_KEY, limits=EdgeLimits(max_body_bytes=64_000))
    with TestClient(app) as client:
        yield client


def body(bw: BridgeWorld, *locks: object) -> dict[str, object]:
    return AttestationRequest.of(locks, deadline=bw.local.deadline()).model_dump(mode="json")  # type: ignore[arg-type]


def test_a_verifier_answers_its_signature_to_the_engines_key(bridge_world: BridgeWorld, api: TestClient) -> None:
    bw = bridge_world
    answer = api.post("/v1/attestations", json=body(bw, locked(bw)), headers={"X-API-Key": API_KEY})
    assert answer.status_code == 200, answer.text
    assert answer.json()["signer"] == bw.verifiers[0].address and answer.json()["locks"] == 1
    identity = api.get("/v1/identity").json()
    assert identity["address"] == bw.verifiers[0].address
    assert (identity["chain_id"], identity["trust_account"]) == (bw.local.chain.chain_id, bw.world.trust)
    assert api.get("/health").json() == {"status": "ok", "address": bw.verifiers[0].address}


def test_without_the_engines_key_nothing_is_read_or_signed(bridge_world: BridgeWorld, api: TestClient) -> None:
    bw = bridge_world
    for headers in ({}, {"X-API-Key": "vak_someone_else"}):
        refused = api.post("/v1/attestations", json=body(bw, locked(bw)), headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")
    assert len(bw.verifiers[0].memory) == 0
    huge = api.post("/v1/attestations", content=b"x" * 100_000, headers={"X-API-Key": API_KEY})
    assert (huge.status_code, huge.json()["code"]) == (413, "body_too_large")


def test_a_refusal_names_the_lock_and_a_malformed_request_its_field(bridge_world: BridgeWorld, api: TestClient) -> None:
    bw = bridge_world
    lock = locked(bw)
    inflated = lock.model_copy(update={"block_end": lock.block_end + 1})
    refused = api.post("/v1/attestations", json=body(bw, inflated), headers={"X-API-Key": API_KEY})
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("lock_refused", "leaves[0]")
    assert refused.json()["details"]["lock_id"] == lock.lock_id
    malformed = body(bw, lock) | {"leaves": [{**body(bw, lock)["leaves"][0], "class_index": 3}]}  # type: ignore[index]
    refused = api.post("/v1/attestations", json=malformed, headers={"X-API-Key": API_KEY})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_request")


def test_the_http_client_answers_and_refuses_as_the_service_does(bridge_world: BridgeWorld, api: TestClient) -> None:
    bw = bridge_world
    client = HttpVerifier(str(api.base_url), API_KEY, http=api)
    lock = locked(bw)
    request = AttestationRequest.of([lock], deadline=bw.local.deadline())
    assert client.attest(request).signer == bw.verifiers[0].address
    assert client.identity() == bw.verifiers[0].identity()
    with pytest.raises(VerifierError) as caught:
        client.attest(AttestationRequest.of([lock.model_copy(update={"lock_id": 77})], deadline=request.deadline))
    assert (caught.value.code, caught.value.field, caught.value.details["lock_id"]) == ("lock_refused", "leaves[0]", 77)
    unreachable = HttpVerifier("http://127.0.0.1:9", API_KEY, timeout=0.5)
    with pytest.raises(VerifierError) as caught:
        unreachable.identity()
    assert caught.value.code == "verifier_unavailable"


def test_the_engine_mints_with_verifiers_it_reaches_over_http(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    apps = [  # each at an address of its own: the engine knows verifiers by URL
        TestClient(create_verifier_app(v, api_key=f"{API_KEY}-{i}"), base_url=f"http://verifier-{i}")
        for i, v in enumerate(bw.verifiers)
    ]
    bw.engine.verifiers.clients = [
        HttpVerifier(str(app.base_url), f"{API_KEY}-{i}", http=app) for i, app in enumerate(apps)
    ]
    done = tokenize(bw, 25)
    assert bw.balance(done.token_address, bw.holder) == tonnes(25)
    assert len(done.attested_by or []) == 2
