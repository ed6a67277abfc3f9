"""Row 5 (medium): request bodies had no size limit and were parsed before the API key was checked; no rate
limits (a 24 MB unauthenticated body cost 1.4 s and +100 MB RSS; 300 wrong keys in 0.5 s met no 429).

Now, on both APIs, a keyed operation's key is checked before a byte of the body is read, a body over the
cap is refused (413 ``body_too_large``) unread, and failed keys per address and requests per key are rate
limited (429 ``rate_limited`` with ``Retry-After``).
"""

from __future__ import annotations

from typing import Any

import pytest

from asgi_calls import call
from bridge.api import create_app
from bridge.registry.api import create_registry_app
from bridge.service import BridgeService

HUGE = 24 * 1024 * 1024
CHUNK = b"{" * (1024 * 1024)


def state(service: BridgeService) -> tuple[str, int]:
    return service.registry.snapshot_digest(), service.engine.chain.head()


@pytest.fixture
def apps(bridge_service: BridgeService) -> dict[str, Any]:
    return {"bridge": create_app(bridge_service), "registry": create_registry_app(bridge_service.registry)}


@pytest.mark.parametrize(
    ("app", "path"), [("bridge", "/v1/tokenizations"), ("bridge", "/registry/transfers"), ("registry", "/transfers")]
)
def test_a_24_mb_body_without_a_valid_key_is_refused_before_it_is_read(
    bridge_service: BridgeService, apps: dict[str, Any], app: str, path: str
) -> None:
    before = state(bridge_service)
    for key in ({}, {"X-API-Key": "bak_wrong"}):
        answer = call(apps[app], path, {**key, "Content-Length": str(HUGE)}, [CHUNK] * 24)
        assert (answer.status, answer.body["code"]) == (401, "unauthorized")
        assert answer.chunks_read == 0, "not a byte of the body was read"
    assert state(bridge_service) == before


def test_a_24_mb_body_with_a_valid_key_is_refused_unread_declared_or_streamed(
    bridge_service: BridgeService, apps: dict[str, Any]
) -> None:
    before = state(bridge_service)
    key = {"X-API-Key": bridge_service.api_key("custodian"), "Idempotency-Key": "huge-body-0001"}
    declared = call(apps["bridge"], "/v1/tokenizations", {**key, "Content-Length": str(HUGE)}, [CHUNK] * 24)
    assert (declared.status, declared.body["code"], declared.chunks_read) == (413, "body_too_large", 0)
    streamed = call(apps["bridge"], "/v1/tokenizations", key, [CHUNK] * 24)  # chunked: no Content-Length
    assert (streamed.status, streamed.body["code"]) == (413, "body_too_large")
    assert streamed.chunks_read <= 2, "reading stopped at the cap"
    assert state(bridge_service) == before


@pytest.mark.parametrize(("app", "path"), [("bridge", "/v1/reserves/enforce"), ("registry", "/transfers")])
def test_guessing_keys_from_one_address_meets_429_long_before_300_tries(
    bridge_service: BridgeService, apps: dict[str, Any], app: str, path: str
) -> None:
    before = state(bridge_service)
    answers = [call(apps[app], path, {"X-API-Key": f"bak_guess_{i:04d}"}, [b"{}"]) for i in range(300)]
    statuses = [a.status for a in answers]
    first_429 = statuses.index(429) if 429 in statuses else None
    assert first_429 is not None and first_429 <= 50, statuses[:60]
    assert set(statuses[first_429:]) == {429}
    assert answers[-1].body["code"] == "rate_limited" and int(answers[-1].headers["retry-after"]) >= 1
    assert state(bridge_service) == before


def test_one_key_cannot_flood_the_api(bridge_service: BridgeService, apps: dict[str, Any]) -> None:
    """The default rate (600 a minute per key) on the cheapest keyed call there is."""
    assert bridge_service.demo is not None
    key = {"X-API-Key": bridge_service.demo.keys["custodian"]}
    statuses = [call(apps["registry"], "/api-keys/me", key, [b""], method="GET").status for _ in range(605)]
    assert statuses == [200] * 600 + [429] * 5
