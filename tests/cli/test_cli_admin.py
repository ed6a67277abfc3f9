"""`carbon-bridge admin`: a verifier change goes through the timelock (proposed, refused before its delay,
executed after it) with the admin's key, and the engine's key cannot even propose one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from click.testing import Result
from eth_account import Account

from bridge.chain.anvil import AnvilChain
from bridge.runtime import ServedBridge


def key_file(tmp_path: Path, name: str, key: bytes) -> Path:
    path = tmp_path / f"{name}.key"
    path.write_text("0x" + key.hex())
    return path


def test_a_verifier_is_added_through_the_timelock_with_the_admin_key(
    cli: Callable[..., Result], cli_bridge: ServedBridge, tmp_path: Path
) -> None:
    service = cli_bridge.service
    admin = service.onchain.admin
    assert admin is not None
    admin_key = key_file(tmp_path, "admin", bytes(admin.key))
    newcomer = Account.create().address
    change = ("add-verifier", newcomer, "--url", cli_bridge.url, "--admin-key-file", admin_key)
    assert "unknown" in cli("admin", "status", *change).stdout
    proposed = cli("admin", "propose", *change)
    assert proposed.exit_code == 0, proposed.output
    assert "it may execute from" in proposed.stdout
    early = cli("admin", "execute", *change)
    assert early.exit_code == 1 and "its delay runs until" in early.stderr
    assert "waiting" in cli("admin", "status", *change).stdout
    chain = service.onchain.chain
    assert isinstance(chain, AnvilChain)
    chain.time_travel(61)  # the local timelock's delay is 60 s
    executed = cli("admin", "execute", *change)
    assert executed.exit_code == 0, executed.output
    assert "done" in cli("admin", "status", *change).stdout
    network = httpx.get(f"{cli_bridge.url}/v1/network").json()
    assert newcomer in [v["address"] for v in network["verifiers"]]


def test_the_engine_key_cannot_propose_a_change_and_a_bad_value_is_named(
    cli: Callable[..., Result], cli_bridge: ServedBridge, tmp_path: Path
) -> None:
    engine_key = key_file(tmp_path, "engine", bytes(cli_bridge.service.onchain.engine.key))
    refused = cli("admin", "propose", "set-threshold", "1", "--url", cli_bridge.url, "--admin-key-file", engine_key)
    assert refused.exit_code == 2
    assert "contract_reverted" in refused.stderr and "AccessControlUnauthorizedAccount" in refused.stderr
    admin_key = key_file(tmp_path, "admin", bytes(cli_bridge.service.onchain.admin.key))  # type: ignore[union-attr]
    bad = cli("admin", "propose", "set-threshold", "many", "--url", cli_bridge.url, "--admin-key-file", admin_key)
    assert bad.exit_code == 2 and "invalid_admin_change threshold" in bad.stderr
    unknown = cli("admin", "propose", "mint-to-me", "--url", cli_bridge.url, "--admin-key-file", admin_key)
    assert unknown.exit_code == 2 and "add-verifier" in unknown.stderr
