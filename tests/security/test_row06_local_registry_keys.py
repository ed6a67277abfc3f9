"""Row 6 (medium): in local mode the registry operator's key followed from the public demo seed, so anyone
reaching the port created a trust-account key and released every locked credit; ``serve`` accepted any
``--host``.

Now the operator's and the trust accounts' registry keys are drawn at random for each local bridge (only
the demo holders' keys are seed-derived), and a local bridge refuses to listen beyond the machine.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bridge.cli import app
from bridge.ports import free_port
from bridge.registry.demo import demo_key
from bridge.service import BridgeService


def test_the_public_seed_gives_no_key_that_can_release_locked_credits(
    bridge_service: BridgeService, bridge_api: TestClient
) -> None:
    demo = bridge_service.demo
    assert demo is not None
    locked = bridge_service.registry.list_blocks(status="immobilized")
    assert locked, "the demo has credits locked in trust accounts"
    before = bridge_service.registry.snapshot_digest()
    seed = demo.seed
    # the operator's key, as anyone who knows the seed computes it: make a key for a trust account
    made = bridge_service.registry.list_accounts(kind="trust")
    for trust in made:
        answer = bridge_api.post(
            "/registry/api-keys",
            json={"accounts": [trust.id], "label": "attacker"},
            headers={"X-API-Key": demo_key(seed, "operator")},
        )
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] == "unauthorized"
    # the demo trust account's own key, likewise: release its locked credits to the attacker's account
    for block in locked:
        answer = bridge_api.post(
            "/registry/releases",
            json={"serial": block.serial, "to_account": demo.accounts["trader"]},
            headers={"X-API-Key": demo_key(seed, "bridge")},
        )
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] == "unauthorized"
    assert bridge_service.registry.snapshot_digest() == before


def test_a_local_bridge_refuses_a_host_beyond_this_machine(tmp_path: Path) -> None:
    home = tmp_path / "notes.txt"  # not a home either: the code this test caught failed on that instead
    home.write_text("keep")
    ports = ["--port", str(free_port()), "--chain-port", str(free_port())]
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        result = CliRunner().invoke(app, ["serve", "--host", host, "--home", str(home), *ports])
        assert result.exit_code == 2, result.output
        assert f"host: {host} is not a loopback address" in result.output
    assert home.read_text() == "keep"
