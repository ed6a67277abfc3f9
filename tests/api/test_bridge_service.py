"""Settings and the service's own guarantees: default secrets refused outside local use, bugs are 500s."""

from __future__ import annotations

import pytest
from api_world import ApiWorld
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bridge.api import create_app
from bridge.chain.anvil import dev_accounts
from bridge.settings import ApiKeySetting, BridgeSettings

STRONG = "0x" + "7f" * 32


def production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "operator_key": STRONG,
        "verifier_keys": ["0x" + "1a" * 32, "0x" + "2b" * 32, "0x" + "3c" * 32],
        "trust_account": 8,
        "trust_registry_key": "crk_live_7d1e0c4b9a",
        "api_keys": [{"key": "bak_live_5e2f9a0c1d", "role": "operator"}],
    }
    values.update(overrides)
    return values


def test_production_settings_with_real_secrets_are_accepted() -> None:
    assert BridgeSettings(**production()).environment == "production"


@pytest.mark.parametrize(
    "overrides",
    [
        {"operator_key": dev_accounts(1)[0].key.hex()},
        {"verifier_keys": [dev_accounts(2)[1].key.hex(), "0x" + "2b" * 32]},
        {"trust_registry_key": "crk_demo7_bridge_0123"},
        {"trust_registry_key": "changethis"},
        {"api_keys": [{"key": "changethis", "role": "operator"}]},
        {"operator_key": None},
        {"verifier_keys": ["0x" + "1a" * 32]},
        {"trust_account": None},
    ],
)
def test_default_or_demo_secrets_are_refused_outside_local_use(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BridgeSettings(**production(**overrides))


def test_local_settings_allow_demo_keys() -> None:
    settings = BridgeSettings(environment="local", operator_key=dev_accounts(1)[0].key.hex())
    assert settings.chain == "in-process"


def test_a_custodian_key_must_name_its_account() -> None:
    with pytest.raises(ValidationError):
        ApiKeySetting(key="bak_live_x", role="custodian")


def test_a_real_bug_is_a_logged_500_internal_error(world: ApiWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(world.service.engine, "proof_of_reserve", broken)
    with TestClient(create_app(world.service), raise_server_exceptions=False) as api:
        response = api.get("/v1/reserves")
    assert (response.status_code, response.json()["code"]) == (500, "internal_error")
