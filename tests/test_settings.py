"""The bridge's settings fail closed: an explicit environment, and outside local use only long, random
secrets, none a default, demo or development one, and no two roles sharing one."""

from __future__ import annotations

import re
import secrets

import pytest
from pydantic import ValidationError

from bridge.chain.anvil import dev_accounts
from bridge.registry.demo import demo_key
from bridge.settings import ApiKeySetting, BridgeSettings

STRONG = "0x" + secrets.token_hex(32)
VERIFIER_KEYS = ["vak_" + secrets.token_urlsafe(32) for _ in range(3)]
VERIFIERS = [{"url": f"https://verifier-{i}.example.org", "api_key": k} for i, k in enumerate(VERIFIER_KEYS)]
ADMIN = "0x" + "12" * 20
TRUST_KEY = "crk_" + secrets.token_urlsafe(32)
API_KEY = "bak_" + secrets.token_urlsafe(32)


def production(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "environment": "production",
        "operator_key": STRONG,
        "verifiers": VERIFIERS,
        "admin_address": ADMIN,
        "trust_account": 8,
        "trust_registry_key": TRUST_KEY,
        "api_keys": [{"key": API_KEY, "role": "operator"}],
    }
    values.update(overrides)
    return values


def test_production_settings_with_real_secrets_are_accepted() -> None:
    assert BridgeSettings(**production()).environment == "production"


@pytest.mark.parametrize(
    "overrides",
    [
        {"operator_key": dev_accounts(1)[0].key.hex()},
        {"verifiers": [{**VERIFIERS[0], "api_key": "changethis"}, *VERIFIERS[1:]]},
        {"verifier_keys": ["0x" + secrets.token_hex(32)]},  # verifier private keys: never here outside local use
        {"admin_address": None},  # a deployment needs its admin
        {"trust_registry_key": demo_key(7, "bridge")},
        {"trust_registry_key": "changethis"},
        {"api_keys": [{"key": "changethis", "role": "operator"}]},
        {"api_keys": [{"key": "a", "role": "operator"}]},
        {"api_keys": [{"key": "bak_" + "ab" * 20, "role": "operator"}]},  # long, not random
        {"trust_registry_key": "crk_" + secrets.token_urlsafe(12)},  # random, too short
        {"operator_key": "0x" + "7f" * 32},
        {"operator_key": None},
        {"verifiers": VERIFIERS[:1]},
        {"trust_account": None},
    ],
)
def test_weak_default_or_demo_secrets_are_refused_outside_local_use(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BridgeSettings(**production(**overrides))


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"verifiers": [VERIFIERS[0], {**VERIFIERS[1], "api_key": VERIFIER_KEYS[0]}]}, "verifiers[1].api_key"),
        (
            {"verifiers": [{**VERIFIERS[0], "api_key": STRONG.upper().replace("0X", "0x")}, *VERIFIERS[1:]]},
            "verifiers[0].api_key",
        ),
        ({"api_keys": [{"key": API_KEY, "role": "operator"}, {"key": API_KEY, "role": "verifier"}]}, "api_keys[1]"),
        ({"api_keys": [{"key": TRUST_KEY, "role": "operator"}]}, "api_keys[0]"),
        ({"custodian_registry_keys": {4: TRUST_KEY}}, "custodian_registry_keys[4]"),
    ],
)
def test_one_secret_serving_two_roles_is_refused_outside_local_use(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(f"{named}: the same secret as")):
        BridgeSettings(**production(**overrides))


def test_an_attached_bridge_needs_no_admin_address() -> None:
    assert BridgeSettings(**production(admin_address=None, bridge_address="0x" + "34" * 20)).admin_address is None


def test_a_verifier_endpoint_is_an_http_url_with_a_checked_address() -> None:
    for bad in ({"url": "verifier-1", "api_key": VERIFIER_KEYS[0]}, {**VERIFIERS[0], "address": "0x1234"}):
        with pytest.raises(ValidationError):
            BridgeSettings(**production(verifiers=[bad, *VERIFIERS[1:]]))


def test_the_environment_is_never_assumed() -> None:
    with pytest.raises(ValidationError, match="environment"):
        BridgeSettings()


def test_local_settings_allow_demo_keys() -> None:
    settings = BridgeSettings(environment="local", operator_key=dev_accounts(1)[0].key.hex())
    assert settings.chain == "in-process"


def test_a_custodian_key_must_name_its_account() -> None:
    with pytest.raises(ValidationError):
        ApiKeySetting(key="bak_live_x", role="custodian")


def test_a_key_is_found_by_its_name_or_else_its_role() -> None:
    settings = BridgeSettings(
        environment="local",
        api_keys=[
            {"key": "bak_local_operator_1", "role": "operator"},
            {"key": "bak_local_custodian_1", "role": "custodian", "account": 4, "name": "acme"},
        ],
    )
    assert settings.api_key("operator") == "bak_local_operator_1"
    assert settings.api_key("acme") == "bak_local_custodian_1"
    with pytest.raises(KeyError):
        settings.api_key("custodian")
