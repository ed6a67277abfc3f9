"""Row 8 (low): settings failed open: ``environment`` defaulted to ``local``, so ``serve --from-env``
accepted demo and anvil keys; outside local mode an API key ``"a"`` was accepted; duplicate keys silently
collapsed.

Now no environment is assumed, and outside local mode every secret must be long, random, no default, demo
or development key, and used by one role only.
"""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from bridge.chain.anvil import dev_accounts
from bridge.settings import BridgeSettings

DEV_KEY = dev_accounts(1)[0].key.hex()


def strong(prefix: str = "") -> str:
    return prefix + secrets.token_hex(32)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment ``serve --from-env`` reads, cleared of any developer's BRIDGE_* settings."""
    names = ("ENVIRONMENT", "OPERATOR_KEY", "VERIFIER_KEYS", "VERIFIERS", "ADMIN_ADDRESS", "TRUST_ACCOUNT")
    for name in (*names, "TRUST_REGISTRY_KEY", "API_KEYS"):
        monkeypatch.delenv(f"BRIDGE_{name}", raising=False)
    return monkeypatch


def verifiers(*keys: str) -> str:
    """``BRIDGE_VERIFIERS``: verifier services, each with the key it wants from the engine."""
    return "[" + ", ".join(f'{{"url": "https://v{i}.example.org", "api_key": "{k}"}}' for i, k in enumerate(keys)) + "]"


def production(env: pytest.MonkeyPatch, **values: str) -> None:
    settings = {
        "ENVIRONMENT": "production",
        "OPERATOR_KEY": strong("0x"),
        "VERIFIERS": verifiers(strong("vak_"), strong("vak_"), strong("vak_")),
        "ADMIN_ADDRESS": "0x" + "12" * 20,
        "TRUST_ACCOUNT": "8",
        "TRUST_REGISTRY_KEY": strong("crk_"),
        "API_KEYS": f'[{{"key": "{strong("bak_")}", "role": "operator"}}]',
    } | values
    for name, value in settings.items():
        env.setenv(f"BRIDGE_{name}", value)


def test_without_an_explicit_environment_the_anvil_keys_are_not_accepted(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("BRIDGE_OPERATOR_KEY", DEV_KEY)
    environment.setenv("BRIDGE_CHAIN", "http://rpc.example:8545")
    with pytest.raises(ValidationError, match="environment"):
        BridgeSettings()


@pytest.mark.parametrize(
    "weak",
    [
        {"API_KEYS": '[{"key": "a", "role": "operator"}]'},
        {"TRUST_REGISTRY_KEY": "crk_" + "ab" * 20},  # long, not random
        {"OPERATOR_KEY": "0x" + "7f" * 32},
    ],
)
def test_a_weak_or_demo_key_is_refused_outside_local_mode(
    environment: pytest.MonkeyPatch, weak: dict[str, str]
) -> None:
    production(environment, **weak)
    with pytest.raises(ValidationError):
        BridgeSettings()


def test_one_key_for_two_roles_is_refused_not_collapsed(environment: pytest.MonkeyPatch) -> None:
    shared = strong("bak_")
    api_keys = [
        f'{{"key": "{shared}", "role": "operator"}}',
        f'{{"key": "{shared}", "role": "custodian", "account": 4}}',
    ]
    production(environment, API_KEYS=f"[{', '.join(api_keys)}]")
    with pytest.raises(ValidationError, match="same secret"):
        BridgeSettings()
    chain_key = strong("0x")
    production(environment, OPERATOR_KEY=chain_key, VERIFIERS=verifiers(chain_key, strong("vak_"), strong("vak_")))
    with pytest.raises(ValidationError, match="same secret"):
        BridgeSettings()


def test_verifier_private_keys_are_refused_in_the_bridges_settings_outside_local_mode(
    environment: pytest.MonkeyPatch,
) -> None:
    production(environment, VERIFIER_KEYS=f'["{strong("0x")}", "{strong("0x")}"]')
    with pytest.raises(ValidationError, match="verifier_keys: verifier private keys never sit"):
        BridgeSettings()
