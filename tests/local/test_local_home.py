"""The local bridge's home: created once, resumed after a stop, and after a crash the chain and the
registry still agree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bridge.chain.anvil import free_port
from bridge.engine.errors import BridgeError
from bridge.local import LocalHome
from bridge.service import BridgeService
from bridge.testing.helpers import LocalBridgeHelper, request_redemption

TONNE = 10**18


def _tokenize_and_redeem(service: BridgeService) -> tuple[str, int]:
    helper = LocalBridgeHelper(service)
    tokenization = helper.tokenize(quantity=12)
    redemption = request_redemption(
        service, helper.holder, class_id=tokenization.class_id, tonnes=2, account=helper.account("custodian")
    )
    service.drive()
    return tokenization.class_id, redemption


def test_a_stopped_bridge_resumes_with_the_same_chain_registry_and_flows(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    port = free_port()
    service, created = home.open(chain_port=port)
    try:
        assert created and home.is_initialized()
        manifest = json.loads(home.manifest_file.read_text())
        assert manifest["bridge_address"] == service.onchain.deployment.address
        assert len(manifest["pools"]) >= 4  # the exchange-basket presets
        assert oct(home.manifest_file.stat().st_mode & 0o777) == "0o600"  # it holds the trust account's key
        class_id, redemption_id = _tokenize_and_redeem(service)
        before = service.engine.proof_of_reserve()
        head = service.engine.chain.head()
    finally:
        service.close()

    again, created = home.open(chain_port=port)
    try:
        assert not created
        assert again.onchain.deployment.address == manifest["bridge_address"]
        assert again.engine.chain.head() >= head
        assert again.engine.get_redemption(redemption_id).step == "completed"
        after = again.engine.proof_of_reserve()
        assert after.ok and [c.model_dump() for c in after.classes] == [c.model_dump() for c in before.classes]
        supply = next(c for c in after.classes if c.class_id == class_id)
        assert supply.total_supply == 10 * TONNE
    finally:
        again.close()


def test_an_interrupted_first_start_is_rebuilt_from_scratch(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    home.path.mkdir()
    (home.path / "registry.db").write_bytes(b"half-built")  # a first start killed before its manifest
    service, created = home.open(chain_port=free_port())
    try:
        assert created and home.is_initialized()
        assert service.engine.proof_of_reserve().ok
    finally:
        service.close()


def test_a_home_without_its_chain_or_with_a_broken_manifest_is_refused_not_rebuilt(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    port = free_port()
    service, _ = home.open(chain_port=port)
    service.close()
    registry = (home.path / "registry.db").read_bytes()

    home.chain_file.unlink()
    with pytest.raises(BridgeError) as info:
        home.open(chain_port=port)
    assert (info.value.code, info.value.field) == ("invalid_request", "home")
    assert "--reset" in info.value.message

    home.manifest_file.write_text("{not json")
    with pytest.raises(BridgeError) as info:
        home.open(chain_port=port)
    assert info.value.field == "home"
    assert (home.path / "registry.db").read_bytes() == registry  # the registry's locked credits are untouched


def test_a_folder_that_is_not_a_bridge_home_is_never_deleted(tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    for attempt in (lambda: LocalHome(mine).open(chain_port=free_port()), LocalHome(mine).reset):
        with pytest.raises(BridgeError) as info:
            attempt()
        assert info.value.field == "home" and "thesis.tex" in info.value.message
    assert (mine / "thesis.tex").read_text() == "years of work"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    with pytest.raises(BridgeError):
        LocalHome(a_file).reset()
    assert a_file.read_text() == "keep"


def test_a_killed_chain_loses_its_newest_blocks_and_the_engine_catches_up(tmp_path: Path) -> None:
    """A crash of the whole machine: anvil dies before writing its newest state (it writes every
    second). Simulated exactly: the state file from before the mint is put back after a SIGKILL. On
    restart the engine re-drives the mint the chain forgot, so the registry's locked units are backed."""
    home = LocalHome(tmp_path / "home")
    port = free_port()
    service, _ = home.open(chain_port=port)
    try:
        anvil = service._anvil
        assert anvil is not None
        saved = anvil.wait_saved()  # whole: anvil rewrites the file in place every second
        helper = LocalBridgeHelper(service)
        tokenization = helper.tokenize(quantity=7)
        assert tokenization.step == "completed"
        head = service.engine.chain.head()
        anvil.kill()
        home.chain_file.write_bytes(saved)
    finally:
        service.close()
    again, _ = home.open(chain_port=port)
    try:
        assert again.engine.chain.head() < head  # the mint's block is gone
        again.drive()
        report = again.engine.proof_of_reserve()
        assert report.ok, report
        assert again.engine.get_tokenization(tokenization.id).step == "completed"
        token_supply = next(c.total_supply for c in report.classes if c.class_id == tokenization.class_id)
        assert token_supply == 7 * TONNE
    finally:
        again.close()


def test_carbon_bridge_serve_prints_next_steps_stops_on_ctrl_c_and_resumes(tmp_path: Path) -> None:
    api_port, chain_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "bridge.cli",
        "serve",
        "--home",
        str(tmp_path / "home"),
        "--port",
        str(api_port),
        "--chain-port",
        str(chain_port),
    ]
    url = f"http://127.0.0.1:{api_port}"
    env = {**os.environ, "COLUMNS": "200"}
    for expected in ("created", "resumed"):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            network = httpx.get(f"{url}/v1/network").json()
            assert network["rpc_url"] == f"http://127.0.0.1:{chain_port}"
            assert httpx.get(f"{url}/docs").status_code == 200
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, output
        assert f"carbon bridge {expected} and serving" in output
        assert f"curl -s {url}/health" in output
        assert "stopped cleanly" in output
