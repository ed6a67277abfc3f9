"""The HTTP edge (``bridge.http_edge``) in front of a small app: the key is checked before a byte of the body
is read, bodies are capped by Content-Length and as they stream, and keys and failing addresses are rate
limited with coded 413/429 answers."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from fastapi import Body, FastAPI, Security
from fastapi.security import APIKeyHeader
from fastapi.testclient import TestClient
from pydantic import ValidationError

from asgi_calls import call
from bridge.errors import CodedError, ErrorCode
from bridge.http_edge import EdgeLimits, install_http_edge

scheme = APIKeyHeader(name="X-API-Key", scheme_name="TestKey", auto_error=False)
GOOD = {"good-key-1", "good-key-2"}


class _Code(ErrorCode):
    UNAUTHORIZED = ("unauthorized", 401, "no key")


def check(key: str | None) -> str:
    if key not in GOOD:
        raise CodedError("the API key is not valid", code=_Code.UNAUTHORIZED)
    return key


def make_app(**limits: Any) -> tuple[FastAPI, list[Any]]:
    app = FastAPI()
    seen: list[Any] = []

    @app.post("/keyed")
    def keyed(body: Annotated[dict[str, Any], Body()], key: Annotated[str | None, Security(scheme)] = None) -> dict:
        seen.append(body)
        return {"ok": True, "size": len(json.dumps(body))}

    @app.post("/public")
    def public(body: Annotated[dict[str, Any], Body()]) -> dict:
        seen.append(body)
        return {"ok": True}

    install_http_edge(app, EdgeLimits(**limits), {"TestKey": check})
    return app, seen


def test_an_unknown_key_is_refused_before_a_byte_of_the_body_is_read() -> None:
    app, seen = make_app()
    answer = call(app, "/keyed", {"X-API-Key": "wrong", "Content-Length": "5000"}, [b"{" * 5000])
    assert (answer.status, answer.body["code"], answer.chunks_read, seen) == (401, "unauthorized", 0, [])


def test_a_declared_body_over_the_cap_is_refused_unread() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    answer = call(app, "/keyed", {"X-API-Key": "good-key-1", "Content-Length": "2049"}, [b"x" * 2049])
    assert (answer.status, answer.body["code"], answer.chunks_read, seen) == (413, "body_too_large", 0, [])
    assert answer.body["details"] == {"max_body_bytes": 2048}


def test_a_streamed_body_is_refused_the_moment_it_passes_the_cap() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    answer = call(app, "/public", {}, [b" " * 1_000] * 10)  # no Content-Length: chunked
    assert (answer.status, answer.body["code"], seen) == (413, "body_too_large", [])
    assert answer.chunks_read == 3, "reading stops at the chunk that passes the cap"


def test_a_body_within_the_cap_reaches_the_route_whole() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    payload = json.dumps({"text": "y" * 1_500}).encode()
    answer = call(app, "/keyed", {"X-API-Key": "good-key-1"}, [payload[:700], payload[700:1400], payload[1400:]])
    assert (answer.status, answer.body, seen) == (200, {"ok": True, "size": len(payload)}, [{"text": "y" * 1_500}])


def test_each_key_has_its_own_rate() -> None:
    app, _ = make_app(requests_per_key="3/minute")
    with TestClient(app) as http:
        answers = [http.post("/keyed", json={}, headers={"X-API-Key": "good-key-1"}) for _ in range(4)]
        other = http.post("/keyed", json={}, headers={"X-API-Key": "good-key-2"})
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert other.status_code == 200


def test_an_address_that_tries_too_many_wrong_keys_is_refused_whatever_key_it_sends_next() -> None:
    app, seen = make_app(failed_auth_per_address="5/minute")
    tries = [call(app, "/keyed", {"X-API-Key": f"guess-{i}"}, [b"{}"]) for i in range(7)]
    assert [t.status for t in tries] == [401] * 5 + [429] * 2
    assert "retry-after" in tries[-1].headers
    right = call(app, "/keyed", {"X-API-Key": "good-key-1"}, [b"{}"])
    assert (right.status, right.body["code"], right.chunks_read) == (429, "rate_limited", 0), "no oracle for a key"
    assert call(app, "/keyed", {"X-API-Key": "good-key-1"}, [b"{}"], client="10.0.0.2").status == 200
    assert len(seen) == 1


def test_public_routes_need_no_key() -> None:
    app, _ = make_app()
    assert call(app, "/public", {"X-API-Key": "whatever"}, [b"{}"]).status == 200


def test_the_openapi_document_says_what_the_edge_answers() -> None:
    app, _ = make_app()
    responses = app.openapi()["paths"]["/keyed"]["post"]["responses"]
    assert {"413", "429"} <= set(responses) and "Retry-After" in responses["429"]["headers"]
    assert "429" not in app.openapi()["paths"]["/public"]["post"]["responses"]


@pytest.mark.parametrize("field", ["requests_per_key", "failed_auth_per_address"])
def test_a_rate_that_is_not_one_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        EdgeLimits(**{field: "lots"})
