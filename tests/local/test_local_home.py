"""The local bridge's home: created once, resumed after a stop, and after a crash the chain and the
registry still agree."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from web3 import Web3

from bridge.chain.deploy import attach_bridge
from bridge.engine.errors import BridgeError
from bridge.local import LocalHome
from bridge.local.home import ADMIN_KEY, OPERATOR_KEY, TRUST_KEY, WALLET_KEY
from bridge.local.serving import serving_home
from bridge.local.template import DEMO_SEED
from bridge.ports import free_port
from bridge.registry import auth
from bridge.registry.demo import demo_key
from bridge.registry.errors import RegistryError
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


@contextmanager
def running(home: LocalHome, chain_port: int) -> Iterator[tuple[BridgeService, bool]]:
    """The home served as ``make run`` serves it: the API and engine here, each verifier a process of its own."""
    ports = [free_port() for _ in range(3)]
    with serving_home(home, port=free_port(), chain_port=chain_port, verifier_ports=ports, interval=0.1) as served:
        yield served.served.service, served.created


def test_a_stopped_bridge_resumes_with_the_same_chain_registry_and_flows(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    port = free_port()
    with running(home, port) as (service, created):
        assert created and home.is_initialized()
        manifest = json.loads(home.manifest_file.read_text())
        assert manifest["bridge_address"] == service.onchain.deployment.address
        assert len(manifest["pools"]) >= 4  # the exchange-basket presets
        assert oct(home.manifest_file.stat().st_mode & 0o777) == "0o600"  # it holds the holders' registry keys
        class_id, redemption_id = _tokenize_and_redeem(service)
        before = service.engine.proof_of_reserve()
        head = service.engine.chain.head()

    with running(home, port) as (again, created):
        assert not created
        assert again.onchain.deployment.address == manifest["bridge_address"]
        assert again.engine.chain.head() >= head
        assert again.engine.get_redemption(redemption_id).step == "completed"
        after = again.engine.proof_of_reserve()
        assert after.ok and [c.model_dump() for c in after.classes] == [c.model_dump() for c in before.classes]
        supply = next(c for c in after.classes if c.class_id == class_id)
        assert supply.total_supply == 10 * TONNE


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)  # files would be 0644 and folders 0755 unless made private
    yield
    os.umask(before)


@pytest.mark.usefixtures("usual_umask")
def test_a_home_keeps_random_keys_of_its_own_in_private_files(tmp_path: Path) -> None:
    homes = [LocalHome(tmp_path / "one"), LocalHome(tmp_path / "two")]
    keys = []
    for home in homes:
        service, _ = home.open(chain_port=free_port())
        try:
            assert mode(home.path) == "0o700" and mode(home.path / "keys") == "0o700"
            files = [home.key_file(name) for name in (OPERATOR_KEY, TRUST_KEY, WALLET_KEY)]
            assert [mode(f) for f in files] == ["0o600"] * 3
            assert "trust_key" not in json.loads(home.manifest_file.read_text())
            operator, trust = home.read_key(OPERATOR_KEY), home.read_key(TRUST_KEY)
            assert auth.resolve_api_key(service.registry, operator).operator
            assert auth.resolve_api_key(service.registry, trust).accounts == frozenset({service.trust_account})
            for derivable in (demo_key(DEMO_SEED, "operator"), demo_key(DEMO_SEED, "bridge")):
                with pytest.raises(RegistryError):
                    auth.resolve_api_key(service.registry, derivable)
            keys.append((operator, trust))
        finally:
            service.close()
    assert keys[0][0] != keys[1][0] and keys[0][1] != keys[1][1], "each home draws its own"


def test_a_home_made_before_key_files_is_hardened_when_it_next_starts(tmp_path: Path) -> None:
    home = LocalHome(tmp_path / "home")
    port = free_port()
    service, _ = home.open(chain_port=port)
    trust = home.read_key(TRUST_KEY)
    # as an older version left it: the trust key in the manifest, a seed-derived operator key, a 0755 folder
    seeded = auth.issue_api_key(service.registry, operator=True, secret=demo_key(DEMO_SEED, "operator"))
    service.close()
    manifest = json.loads(home.manifest_file.read_text()) | {"trust_key": trust}
    home.manifest_file.write_text(json.dumps(manifest))
    shutil.rmtree(home.path / "keys")
    home.path.chmod(0o755)
    again, created = home.open(chain_port=port)
    try:
        assert not created and mode(home.path) == "0o700"
        assert home.read_key(TRUST_KEY) == trust and mode(home.key_file(TRUST_KEY)) == "0o600"
        assert "trust_key" not in json.loads(home.manifest_file.read_text())
        with pytest.raises(RegistryError):
            auth.resolve_api_key(again.registry, seeded)
        assert auth.resolve_api_key(again.registry, home.read_key(OPERATOR_KEY)).operator
        assert mode(home.key_file(WALLET_KEY)) == "0o600"
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
    with running(home, port) as (service, _):
        anvil = service._anvil
        assert anvil is not None
        saved = anvil.wait_saved()  # whole: anvil rewrites the file in place every second
        helper = LocalBridgeHelper(service)
        tokenization = helper.tokenize(quantity=7)
        assert tokenization.step == "completed"
        head = service.engine.chain.head()
        anvil.kill()
        home.chain_file.write_bytes(saved)
    with running(home, port) as (again, _):
        assert again.engine.chain.head() < head  # the mint's block is gone
        again.drive()
        report = again.engine.proof_of_reserve()
        assert report.ok, report
        assert again.engine.get_tokenization(tokenization.id).step == "completed"
        token_supply = next(c.total_supply for c in report.classes if c.class_id == tokenization.class_id)
        assert token_supply == 7 * TONNE


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
        "--verifier-port",
        str(free_port()),
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
            _engine_is_not_the_admin(network)
            verifiers = _verifier_processes(process.pid)
            assert len(verifiers) == 3, "each verifier runs in a process of its own"
            for verifier in network["verifiers"]:  # each answers on its own port, under its own key
                identity = httpx.get(f"{verifier['url']}/v1/identity").json()
                assert identity["address"] == verifier["address"]
            time.sleep(1)  # ready: its banner is being printed
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, output
        assert all(not Path(f"/proc/{pid}").exists() for pid in verifiers), "a verifier outlived Ctrl-C"
        assert f"carbon bridge {expected} and serving" in output
        assert f"curl -s {url}/health" in output
        assert "stopped cleanly" in output
        home = LocalHome(tmp_path / "home")
        printed = output.replace("\n", "")
        for name in (WALLET_KEY, OPERATOR_KEY, TRUST_KEY, ADMIN_KEY):  # named by file, never printed
            secret = home.read_key(name)
            assert secret not in printed and secret.removeprefix("0x") not in printed
            assert str(home.key_file(name)) in printed


def _engine_is_not_the_admin(network: dict[str, Any]) -> None:
    """On the local shape the engine's address holds neither admin role: the timelock alone does."""
    bridge = attach_bridge(Web3(Web3.HTTPProvider(network["rpc_url"])), network["bridge"]).bridge
    [admin] = network["admin"]
    assert network["engine"] != admin and network["admin_delay_seconds"] == 60
    for role in ("DEFAULT_ADMIN_ROLE", "VERIFIER_MANAGER_ROLE"):
        role_id = getattr(bridge.functions, role)().call()
        assert not bridge.functions.hasRole(role_id, network["engine"]).call(), f"the engine holds {role}"
        assert bridge.functions.hasRole(role_id, admin).call()


def _verifier_processes(parent: int) -> list[int]:
    """The ``carbon-bridge verifier serve`` processes ``parent`` started."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == parent and b"verifier" in command and b"serve" in command:
            found.append(int(status.parent.name))
    return found


def test_a_local_bridge_refuses_to_listen_beyond_this_machine(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bridge.cli", "serve", "--home", str(tmp_path / "home"), "--host", "0.0.0.0"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert refused.returncode == 2 and "host: 0.0.0.0 is not a loopback address" in refused.stderr
    assert not (tmp_path / "home").exists()


def test_serve_from_env_assumes_no_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")} | {"COLUMNS": "200"}
    command = [sys.executable, "-m", "bridge.cli", "serve", "--from-env", "--port", str(free_port())]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "BRIDGE_ENVIRONMENT is not set" in refused.stderr, refused.stderr
