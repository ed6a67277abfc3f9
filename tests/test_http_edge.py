"""The HTTP edge (``bridge.http_edge``) in front of a small app: the key is checked before a byte of the body
is read, bodies are capped by Content-Length and as they stream, and keys and failing addresses are rate
limited with coded 413/429 answers."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import pytest
from fastapi import Body, FastAPI, Security
from fastapi.security import APIKeyHeader
from fastapi.testclient import TestClient
from pydantic import ValidationError

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


def call(app: FastAPI, path: str, headers: dict[str, str], chunks: list[bytes], client: str = "10.0.0.1") -> Any:
    """One request through the ASGI app; the answer, and how many body chunks the app asked for."""
    received: list[int] = []
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        index = len(received)
        received.append(index)
        if index < len(chunks):
            return {"type": "http.request", "body": chunks[index], "more_body": index < len(chunks) - 1}
        await asyncio.sleep(3600)  # a client that never sends more
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in {"Content-Type": "application/json", **headers}.items()
        ],
        "client": (client, 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    answer_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], json.loads(body), answer_headers, len(received)


def test_an_unknown_key_is_refused_before_a_byte_of_the_body_is_read() -> None:
    app, seen = make_app()
    status, body, _, reads = call(app, "/keyed", {"X-API-Key": "wrong", "Content-Length": "5000"}, [b"{" * 5000])
    assert (status, body["code"], reads, seen) == (401, "unauthorized", 0, [])


def test_a_declared_body_over_the_cap_is_refused_unread() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    headers = {"X-API-Key": "good-key-1", "Content-Length": "2049"}
    status, body, _, reads = call(app, "/keyed", headers, [b"x" * 2049])
    assert (status, body["code"], body["details"], reads, seen) == (
        413,
        "body_too_large",
        {"max_body_bytes": 2048},
        0,
        [],
    )


def test_a_streamed_body_is_refused_the_moment_it_passes_the_cap() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    chunks = [b" " * 1_000] * 10  # no Content-Length: chunked
    status, body, _, reads = call(app, "/public", {}, chunks)
    assert (status, body["code"], seen) == (413, "body_too_large", [])
    assert reads == 3, "reading stops at the chunk that passes the cap"


def test_a_body_within_the_cap_reaches_the_route_whole() -> None:
    app, seen = make_app(max_body_bytes=2_048)
    payload = json.dumps({"text": "y" * 1_500}).encode()
    chunks = [payload[:700], payload[700:1400], payload[1400:]]
    status, body, _, _ = call(app, "/keyed", {"X-API-Key": "good-key-1"}, chunks)
    assert (status, body, seen) == (200, {"ok": True, "size": len(payload)}, [{"text": "y" * 1_500}])


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
    assert [t[0] for t in tries] == [401] * 5 + [429] * 2
    assert "Retry-After" in {k.title() for k in tries[-1][2]}
    status, body, _, reads = call(app, "/keyed", {"X-API-Key": "good-key-1"}, [b"{}"])
    assert (status, body["code"], reads) == (429, "rate_limited", 0), "no oracle for the right key"
    assert call(app, "/keyed", {"X-API-Key": "good-key-1"}, [b"{}"], client="10.0.0.2")[0] == 200
    assert len(seen) == 1


def test_public_routes_need_no_key() -> None:
    app, _ = make_app()
    assert call(app, "/public", {"X-API-Key": "whatever"}, [b"{}"])[0] == 200


def test_the_openapi_document_says_what_the_edge_answers() -> None:
    app, _ = make_app()
    responses = app.openapi()["paths"]["/keyed"]["post"]["responses"]
    assert {"413", "429"} <= set(responses) and "Retry-After" in responses["429"]["headers"]
    assert "429" not in app.openapi()["paths"]["/public"]["post"]["responses"]


@pytest.mark.parametrize("field", ["requests_per_key", "failed_auth_per_address"])
def test_a_rate_that_is_not_one_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        EdgeLimits(**{field: "lots"})
