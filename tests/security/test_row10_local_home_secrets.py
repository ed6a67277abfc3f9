"""Row 10 (low): the local home's ``service.json`` (holding the trust account's registry key) was written
0644 and chmod-ed afterwards, the home folder was 0755, and ``serve`` printed a full private key.

Now the home is created 0700, every file holding a key is created 0600 (never readable by others, not
even for a moment), and ``serve`` names key files and fingerprints instead of printing keys.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bridge.local import LocalHome
from bridge.ports import free_port

PRIVATE_KEY = re.compile(r"(?<![0-9a-fA-F])(0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])")


@pytest.fixture
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)  # what most machines use: new files 0644, folders 0755
    yield
    os.umask(before)


@pytest.mark.usefixtures("usual_umask")
def test_no_file_of_the_home_is_ever_readable_by_others_and_the_home_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loosened: list[str] = []  # files that held data before a chmod tightened them: readable until then
    chmod = os.chmod

    def watching_chmod(path: os.PathLike[str] | str, mode: int, *args: object, **kwargs: object) -> None:
        target = Path(path)
        if target.is_file() and target.stat().st_size and target.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            loosened.append(target.name)
        chmod(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", watching_chmod)
    home = LocalHome(tmp_path / "home")
    service, _ = home.open(chain_port=free_port())
    service.close()
    assert loosened == [], f"written readable by others, then chmod-ed: {loosened}"
    assert stat.S_IMODE(home.path.stat().st_mode) == 0o700
    holding_keys = [home.manifest_file, *(p for p in home.path.rglob("*.key"))]
    assert len(holding_keys) >= 3
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in holding_keys} == dict.fromkeys(
        (p.name for p in holding_keys), 0o600
    )


def test_serve_prints_no_private_key(tmp_path: Path) -> None:
    api_port = free_port()
    command = [sys.executable, "-m", "bridge.cli", "serve", "--home", str(tmp_path / "home")]
    command += ["--port", str(api_port), "--chain-port", str(free_port()), "--verifier-port", str(free_port())]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "300"}
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=1).status_code == 200:
                    time.sleep(1)  # ready: its banner is being printed
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "carbon bridge created and serving" in output, output
    assert not PRIVATE_KEY.search(output), PRIVATE_KEY.search(output)
