"""A verifier as a service of its own: settings that fail closed, a registry key that can move nothing,
and ``carbon-bridge verifier serve`` answering over HTTP from its own process."""

from __future__ import annotations

import json
import os
import secrets
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from pydantic import ValidationError

from bridge.ports import free_port
from bridge.registry.auth import issue_api_key
from bridge.runtime import ServedBridge
from bridge.verifier.build import build_verifier
from bridge.verifier.errors import VerifierError
from bridge.verifier.settings import VerifierSettings


def strong(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def values(served: ServedBridge, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    key_file = tmp_path / "verifier.key"
    if not key_file.exists():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(descriptor, ("0x" + bytes(Account.create().key).hex()).encode())
        os.close(descriptor)
    service = served.service
    return {
        "environment": "production",
        "name": "verifier-x",
        "key_file": str(key_file),
        "registry_url": f"{served.url}/registry",
        "registry_key": issue_api_key(service.registry, accounts=[], label="verifier-x reads"),
        "rpc_url": service.rpc_url,
        "bridge_address": service.bridge_address,
        "trust_account": service.trust_account,
        "memory_file": str(tmp_path / "memory.db"),
        "port": free_port(),
        "api_key": strong("vak_"),
    } | overrides


@pytest.mark.parametrize(
    "overrides",
    [
        {"registry_key": None},  # outside local use a verifier reads with a key of its own
        {"api_key": "changethis"},
        {"api_key": "vak_" + "ab" * 20},  # long, not random
        {"key": "0x" + "11" * 32},  # a key and a key file: which one?
        {"key_file": None},  # no key at all
        {"rpc_url": "not a url"},
    ],
)
def test_a_verifiers_settings_fail_closed(
    served_bridge: ServedBridge, tmp_path: Path, overrides: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        VerifierSettings(**values(served_bridge, tmp_path, **overrides))
    shared = strong("vak_")
    with pytest.raises(ValidationError, match="the same secret"):
        VerifierSettings(**values(served_bridge, tmp_path, api_key=shared, registry_key=shared))
    with pytest.raises(ValidationError, match="environment"):
        VerifierSettings.model_validate(
            {k: v for k, v in values(served_bridge, tmp_path).items() if k != "environment"}
        )


def test_a_verifier_refuses_a_key_file_others_can_read_and_a_registry_key_that_moves_credits(
    served_bridge: ServedBridge, tmp_path: Path
) -> None:
    settings = VerifierSettings(**values(served_bridge, tmp_path))
    Path(settings.key_file or "").chmod(0o644)
    with pytest.raises(VerifierError) as caught:
        settings.signing_key()
    assert (caught.value.code, caught.value.field) == ("verifier_misconfigured", "key_file")
    Path(settings.key_file or "").chmod(0o600)
    trust_key = issue_api_key(served_bridge.service.registry, accounts=[served_bridge.service.trust_account])
    mover = VerifierSettings(**values(served_bridge, tmp_path, registry_key=trust_key))
    with pytest.raises(VerifierError) as caught:
        build_verifier(mover, wait=5)
    assert (caught.value.code, caught.value.field) == ("verifier_misconfigured", "registry_key")
    reader = build_verifier(settings, wait=5)
    try:
        identity = reader.identity()
        assert identity.bridge == served_bridge.service.bridge_address
        assert identity.chain_id == served_bridge.service.chain_id
    finally:
        reader.close()


def test_carbon_bridge_verifier_serve_answers_from_its_own_process(served_bridge: ServedBridge, tmp_path: Path) -> None:
    settings = values(served_bridge, tmp_path)
    config = tmp_path / "verifier.json"
    config.write_text(json.dumps(settings))
    command = [sys.executable, "-m", "bridge.cli", "verifier", "serve", "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{settings['port']}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        identity = httpx.get(f"{url}/v1/identity").json()
        assert identity["name"] == "verifier-x" and identity["bridge"] == settings["bridge_address"]
        refused = httpx.post(f"{url}/v1/attestations", json={}, headers={"X-API-Key": "vak_not_the_engines"})
        assert refused.status_code == 401
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert f"verifier verifier-x ({identity['address']}) serving {url}" in output
    assert settings["api_key"] not in output and settings["registry_key"] not in output
    assert stat.S_IMODE(Path(settings["memory_file"]).stat().st_mode) == 0o600  # its memory is its own
