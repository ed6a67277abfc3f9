"""Settings of a local bridge: SQLite files in one folder, the in-process chain, and demo API keys for
every role, derived from the demo seed (not secrets: a local bridge is for tests and demos)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bridge.settings import IN_PROCESS, ApiKeySetting, BridgeSettings

LOCAL_HOLDERS = ("custodian", "trader", "broker", "exchange")


def local_settings(
    directory: Path,
    *,
    seed: int,
    trust_account: int,
    trust_key: str,
    accounts: dict[str, int],
    registry_keys: dict[str, str],
    **overrides: Any,
) -> BridgeSettings:
    """Settings of a local bridge in ``directory`` over a demo registry: SQLite files there, the
    in-process chain, and demo API keys for every role (derived from the seed: not secrets)."""
    api_keys = [
        ApiKeySetting(key=SecretStr(local_api_key(seed, "operator")), role="operator", name="operator"),
        ApiKeySetting(key=SecretStr(local_api_key(seed, "verifier")), role="verifier", name="verifier"),
    ]
    api_keys += [
        ApiKeySetting(key=SecretStr(local_api_key(seed, n)), role="custodian", account=accounts[n], name=n)
        for n in LOCAL_HOLDERS
    ]
    values: dict[str, Any] = {
        "environment": "local",
        "registry_url": f"sqlite:///{directory / 'registry.db'}",
        "engine_db_url": f"sqlite:///{directory / 'bridge.db'}",
        "chain": IN_PROCESS,
        "verifier_memory_dir": str(directory),
        "trust_account": trust_account,
        "trust_registry_key": trust_key,
        "custodian_registry_keys": {accounts[n]: registry_keys[n] for n in LOCAL_HOLDERS},
        "api_keys": api_keys,
    }
    values.update(overrides)
    return BridgeSettings(**values)


def local_api_key(seed: int, name: str) -> str:
    """The bridge API key of ``name`` in a local bridge: derived from the seed, never secret."""
    return f"bak_demo{seed}_{name}_{hashlib.sha256(f'bridge api key:{seed}:{name}'.encode()).hexdigest()[:24]}"
