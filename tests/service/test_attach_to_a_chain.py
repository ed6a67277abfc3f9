"""Attaching to a chain never guesses: a bridge address without its start block, a JSON-RPC chain without a
bridge address (unless told to deploy one), or an address holding no contract are coded settings errors,
raised before anything is opened, started or sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.service import BridgeService
from bridge.settings import BridgeSettings

NOWHERE = "0x" + "12" * 20


def local(tmp_path: Path, **values: Any) -> BridgeSettings:
    return BridgeSettings(
        environment="local",
        registry_url=f"sqlite:///{tmp_path / 'registry.db'}",
        engine_db_url=f"sqlite:///{tmp_path / 'bridge.db'}",
        trust_account=3,
        **values,
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"bridge_address": NOWHERE}, "start_block"),
        ({"chain": "http://127.0.0.1:9", "start_block": 5}, "bridge_address"),
        (
            {"chain": "https://rpc.example", "bridge_address": NOWHERE, "start_block": 5, "deploy_bridge": True},
            "deploy_bridge",
        ),
    ],
    ids=["an address without its start block", "a JSON-RPC chain without an address", "both an address and deploy"],
)
def test_an_incomplete_attachment_is_refused_before_anything_starts(
    tmp_path: Path, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ChainError) as refused:
        BridgeService.from_settings(local(tmp_path, **values))
    assert (refused.value.code, refused.value.field) == (ChainErrorCode.ATTACH_INCOMPLETE, field)
    assert list(tmp_path.iterdir()) == []  # no database opened, no chain started


def test_an_address_without_a_contract_on_the_chain_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ChainError) as refused:
        BridgeService.from_settings(local(tmp_path, bridge_address=NOWHERE, start_block=0))
    assert (refused.value.code, refused.value.field) == (ChainErrorCode.INVALID_CHAIN_CONFIG, "bridge_address")
    assert "no contract at 0x1212" in refused.value.message


def test_a_json_rpc_chain_says_so_when_told_to_deploy_and_an_attachment_names_both() -> None:
    assert BridgeSettings(environment="local", chain="http://node:8545", deploy_bridge=True).check_attach() is None
    attach = BridgeSettings(environment="local", chain="http://node:8545", bridge_address=NOWHERE, start_block=7)
    assert attach.check_attach() is None
