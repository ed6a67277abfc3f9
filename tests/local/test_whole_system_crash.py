"""A crash of the whole local system: `carbon-bridge serve`'s process group killed with SIGKILL in the middle
of `carbon-bridge demo`, then served again: it finds its orphaned chain node (pid and lock files in the
home), stops it, and comes back within a minute with the reserve balanced, with no manual step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bridge.ports import free_port

COMEBACK_S = 60


def _log(home: Path) -> Path:
    return home.parent / "serve.log"


def _serve(home: Path, api_port: int, chain_port: int, verifier_port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bridge.cli", "serve", "--home", str(home), "--port", str(api_port)]
    command += ["--chain-port", str(chain_port), "--verifier-port", str(verifier_port)]
    log = _log(home).open("ab")
    # a session of its own: its process group is what `make run`'s would be
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _healthy(url: str, timeout: float, serving: subprocess.Popen[bytes], log: Path) -> float:
    """Seconds until ``url`` answers; a serve that exits or never answers fails with its log."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if serving.poll() is not None:
            raise AssertionError(f"serve exited with {serving.returncode}:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come back within {timeout}s:\n{log.read_text()[-4000:]}")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_make_run_comes_back_within_a_minute_with_the_reserve_balanced(tmp_path: Path) -> None:
    home = tmp_path / "home"
    api_port, chain_port, verifier_port = free_port(), free_port(), free_port()
    url = f"http://127.0.0.1:{api_port}"
    first = _serve(home, api_port, chain_port, verifier_port)
    second = None
    try:
        _healthy(url, 180, first, _log(home))
        demo = subprocess.Popen(
            [sys.executable, "-m", "bridge.cli", "demo", "--url", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(6)  # the demo is tokenizing and trading by now
        os.killpg(first.pid, signal.SIGKILL)  # the whole group: API, engine, verifiers; not anvil's session
        first.wait()
        demo.kill()
        demo.wait()
        anvil = json.loads((home / "chain.json.anvil.pid").read_text())["pid"]
        assert _alive(anvil), "anvil runs in a session of its own: it outlives the killed group"

        second = _serve(home, api_port, chain_port, verifier_port)
        took = _healthy(url, COMEBACK_S, second, _log(home))
        assert not _alive(anvil), "the orphaned node was stopped, not left writing the same state file"

        def balanced() -> bool:
            report = httpx.get(f"{url}/v1/reserves", timeout=10).json()
            return bool(report.get("ok"))

        deadline = time.monotonic() + COMEBACK_S - took
        while not balanced():
            assert time.monotonic() < deadline, "the reserve did not balance within a minute"
            time.sleep(1)
        second.send_signal(signal.SIGINT)
        assert second.wait(60) == 0
        assert not (home / "chain.json.anvil.pid").exists() or not _alive(
            json.loads((home / "chain.json.anvil.pid").read_text())["pid"]
        )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        pid_file = home / "chain.json.anvil.pid"
        if pid_file.exists():
            pid = json.loads(pid_file.read_text())["pid"]
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
