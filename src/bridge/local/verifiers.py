"""The verifiers of a local bridge: separate processes, each with its own key, registry read key and memory.

    .bridge/keys/verifier-N.key         the verifier's signing key (random per home, 0600); only its own
                                        process reads it
    .bridge/verifiers/verifier-N.json   its settings (``VerifierSettings``, 0600): the registry read key it
                                        was issued (one that acts for no account), the key the engine must
                                        present, its port, the bridge it attests for
    .bridge/verifiers/verifier-N-memory.db   what it signed (lock id -> leaf)
    .bridge/verifiers/verifier-N.log    what its process printed

``LocalVerifier.create`` draws the keys on a home's first start; ``LocalVerifiers.start`` runs ``carbon-bridge
verifier serve --config ...`` for each (they stop with the process that started them, killed or not), and
waits until each answers ``/health``. The bridge's engine reaches them over HTTP as it would reach verifiers
run by others: it holds their URLs and API keys, never their signing keys.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from eth_account import Account
from pydantic import SecretStr

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.local.files import PRIVATE_DIR, write_private
from bridge.processes import OwnedProcesses
from bridge.settings import VerifierEndpoint
from bridge.verifier.settings import VerifierSettings

COUNT: Final = 3
FOLDER: Final = "verifiers"
START_TIMEOUT: Final = 60.0


@dataclass(frozen=True)
class LocalVerifier:
    """Verifier ``index`` of the home at ``home``: where its files are."""

    home: Path
    index: int

    @property
    def name(self) -> str:
        return f"verifier-{self.index}"

    @property
    def key_file(self) -> Path:
        return self.home / "keys" / f"{self.name}.key"

    @property
    def settings_file(self) -> Path:
        return self.home / FOLDER / f"{self.name}.json"

    @property
    def memory_file(self) -> Path:
        return self.home / FOLDER / f"{self.name}-memory.db"

    @property
    def log_file(self) -> Path:
        return self.home / FOLDER / f"{self.name}.log"

    def create(self) -> tuple[str, str]:
        """Draw this verifier's signing key (into its key file) and the key the engine will present; its
        address and that API key. The signing key is not kept in memory past this call."""
        self.key_file.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        self.settings_file.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        account = Account.create()
        write_private(self.key_file, "0x" + bytes(account.key).hex() + "\n")
        return str(account.address), "vak_" + secrets.token_urlsafe(32)

    def settings(self) -> VerifierSettings:
        return VerifierSettings.from_file(self.settings_file)

    def write_settings(self, **values: Any) -> None:
        """Its settings file (``values``: what changes between starts: URLs, ports, the bridge)."""
        current = json.loads(self.settings_file.read_text()) if self.settings_file.is_file() else {}
        fields = {
            **current,
            "environment": "local",
            "name": self.name,
            "key_file": str(self.key_file),
            "memory_file": str(self.memory_file),
            "host": "127.0.0.1",
            **values,
        }
        VerifierSettings.model_validate(fields)  # refuse to write what the verifier would refuse to read
        write_private(self.settings_file, json.dumps(fields, indent=2) + "\n")

    def endpoint(self, address: str) -> VerifierEndpoint:
        """How the engine reaches it: its URL, the key it wants, its address."""
        settings = self.settings()
        return VerifierEndpoint(
            url=f"http://{settings.host}:{settings.port}",
            api_key=SecretStr(settings.api_key.get_secret_value()),
            address=address,
        )


@dataclass
class LocalVerifiers:
    """The running verifier processes of a home (``start`` / ``stop``)."""

    verifiers: list[LocalVerifier]
    log_level: str = "info"
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, *, timeout: float = START_TIMEOUT) -> LocalVerifiers:
        """Start every verifier and wait until each answers; on a failure stop them all and say why."""
        try:
            for verifier in self.verifiers:
                command = [
                    sys.executable, "-m", "bridge.cli", "verifier", "serve",
                    "--config", str(verifier.settings_file), "--exit-with-parent", "--log-level", self.log_level,
                ]  # fmt: skip
                log = os.open(verifier.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:  # the process writes its log; this one lets go of the file at once
                    owned = OwnedProcesses(verifier.settings_file.parent)  # an orphan of a crash is stopped first
                    self.processes.append(owned.start(verifier.name, command, stdout=log, stderr=subprocess.STDOUT))
                finally:
                    os.close(log)
            deadline = time.monotonic() + timeout
            for verifier, process in zip(self.verifiers, self.processes, strict=True):
                self._wait_healthy(verifier, process, deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self, verifier: LocalVerifier, process: subprocess.Popen[bytes], deadline: float) -> None:
        settings = verifier.settings()
        url = f"http://{settings.host}:{settings.port}/health"
        while True:
            if process.poll() is not None:
                tail = verifier.log_file.read_text(errors="replace").strip().splitlines()[-5:]
                raise BridgeError(
                    f"{verifier.name} stopped at start (exit {process.returncode}): {' | '.join(tail)}",
                    code=BridgeErrorCode.NOT_ENOUGH_ATTESTATIONS,
                    field="verifiers",
                )
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BridgeError(
                    f"{verifier.name} did not answer on {url}; see {verifier.log_file}",
                    code=BridgeErrorCode.NOT_ENOUGH_ATTESTATIONS,
                    field="verifiers",
                )
            time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every verifier (SIGTERM: each closes its memory), killing any that does not stop in time."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
