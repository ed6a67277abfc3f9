"""The bridge's settings: default, demo and development secrets are refused outside local use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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


def test_a_key_is_found_by_its_name_or_else_its_role() -> None:
    settings = BridgeSettings(
        api_keys=[
            {"key": "bak_local_operator_1", "role": "operator"},
            {"key": "bak_local_custodian_1", "role": "custodian", "account": 4, "name": "acme"},
        ]
    )
    assert settings.api_key("operator") == "bak_local_operator_1"
    assert settings.api_key("acme") == "bak_local_custodian_1"
    with pytest.raises(KeyError):
        settings.api_key("custodian")
