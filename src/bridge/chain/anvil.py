"""A local anvil node (from the npm toolchain) as a chain shared by processes, optionally persistent.

The native binary is started directly: killing the npm launcher would leave it orphaned with its port
taken (TOOLCHAIN.md). With ``state_file`` the chain is loaded at start and written every second and
at exit; a hard crash can still lose the newest blocks, which the engine treats like a reorganization.

A persistent node is an owned process (``bridge.processes``): ``<state>.anvil.lock`` is held while it runs
and ``<state>.anvil.pid`` names it, so a start after a crash of whatever started it stops the orphaned node
first and two nodes never write one state file. anvil rewrites the state file in place, so a crash in the
middle of a write can leave it cut short: every complete write is copied to ``<state>.last-good``, and a
start that finds the state file unreadable starts from that copy.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.ports import free_port
from bridge.processes import OwnedProcesses

log = logging.getLogger(__name__)
DEV_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_ENV = "BRIDGE_ANVIL"


def find_anvil(project_root: Path | None = None) -> Path:
    named = os.environ.get(ANVIL_ENV)
    candidates = [Path(named)] if named else []
    if project_root is not None:
        candidates.append(project_root / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil")
    on_path = shutil.which("anvil")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ChainError(
        "anvil not found: run `npm install` (it ships in @foundry-rs/anvil) or set BRIDGE_ANVIL",
        code=ChainErrorCode.CHAIN_UNAVAILABLE,
    )


def dev_accounts(count: int = 10) -> list[LocalAccount]:
    """anvil's funded development accounts (well known: for local use only)."""
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


@dataclass
class AnvilChain:
    """A running anvil; the same controls as ``InProcessChain`` (accounts, mine, snapshot, revert)."""

    binary: Path
    port: int = field(default_factory=free_port)
    state_file: Path | None = None
    fork: str = "cancun"
    chain_id: int = 31337
    block_time: int | None = None  # seconds between blocks (interval mining); None: a block per transaction
    accounts: list[LocalAccount] = field(default_factory=lambda: dev_accounts(10))
    process: subprocess.Popen[bytes] | None = None
    _keeper: threading.Event | None = None  # set to stop copying complete state writes to last-good

    @property
    def last_good(self) -> Path | None:
        return None if self.state_file is None else self.state_file.with_name(self.state_file.name + ".last-good")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 20.0, attempts: int = 3) -> AnvilChain:
        """Start anvil and wait until it answers. An anvil that exits at once (its port not yet free after
        a crash, say) is started again, up to ``attempts`` times; the error quotes what it printed."""
        for attempt in range(1, attempts + 1):
            try:
                return self._start_once(timeout)
            except ChainError:
                if attempt == attempts:
                    raise
                time.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    def _args(self) -> list[str]:
        args = [
            str(self.binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--hardfork",
            self.fork,
            "--chain-id",
            str(self.chain_id),
            "--silent",
        ]
        if self.block_time is not None:
            args += ["--block-time", str(self.block_time)]
        if self.state_file is not None:
            args += ["--state", str(self.state_file), "--state-interval", "1"]
        return args

    def _start_once(self, timeout: float) -> AnvilChain:
        with tempfile.TemporaryFile() as errors:
            # its own session: a Ctrl-C meant for the bridge must not kill the chain before the bridge stops it
            popen: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": errors, "start_new_session": True}
            if self.state_file is not None:
                self._restore_state()
                owned = OwnedProcesses(self.state_file.parent)
                self.process = owned.start(f"{self.state_file.name}.anvil", self._args(), **popen)
            else:
                self.process = subprocess.Popen(self._args(), **popen)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    self.process = None
                    errors.seek(0)
                    said = errors.read().decode(errors="replace").strip()[-500:]
                    raise ChainError(
                        f"anvil exited with {code} on port {self.port}: {said or 'no output'}",
                        code=ChainErrorCode.CHAIN_UNAVAILABLE,
                    )
                try:
                    if Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 1})).is_connected():
                        self._keep_last_good()
                        return self
                except Exception:
                    pass
                time.sleep(0.1)
        self.stop()
        raise ChainError(f"anvil did not answer on {self.url}", code=ChainErrorCode.CHAIN_UNAVAILABLE)

    def _restore_state(self) -> None:
        """A state file cut short by a crash mid-write is replaced by the last complete one."""
        assert self.state_file is not None and self.last_good is not None
        if not self.state_file.is_file() or _complete(self.state_file.read_bytes()):
            return
        if self.last_good.is_file():
            shutil.copyfile(self.last_good, self.state_file)
            log.warning("%s was cut short (a crash mid-write): starting from %s", self.state_file, self.last_good)

    def _keep_last_good(self, every: float = 1.0) -> None:
        """Copy each complete write of the state file to ``last_good`` (in a thread, until ``stop``)."""
        if self.state_file is None:
            return
        stop = self._keeper = threading.Event()
        state, copy = self.state_file, self.last_good
        assert copy is not None

        def keep() -> None:
            seen = 0.0
            while not stop.wait(every):
                try:
                    changed = state.stat().st_mtime
                    if changed == seen:
                        continue
                    content = state.read_bytes()
                except OSError:
                    continue
                if _complete(content):
                    partial = copy.with_name(copy.name + ".tmp")
                    partial.write_bytes(content)
                    os.replace(partial, copy)
                    seen = changed

        threading.Thread(target=keep, name="anvil-last-good", daemon=True).start()

    def stop(self) -> None:
        """Stop cleanly (anvil writes its state file on SIGTERM)."""
        if self._keeper is not None:
            self._keeper.set()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def wait_saved(self, timeout: float = 10.0) -> bytes:
        """Block until the state file was written after this call (anvil writes it every second), and
        written whole: anvil rewrites the file in place, so a read can catch it half-written. Returns the
        state as written (empty without a state file)."""
        if self.state_file is None:
            return b""
        since = time.time()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state_file.is_file() and self.state_file.stat().st_mtime > since:
                state = self.state_file.read_bytes()
                try:
                    json.loads(state)
                except ValueError:  # caught mid-write: the next look finds it whole
                    pass
                else:
                    return state
            time.sleep(0.1)
        raise ChainError(f"anvil did not write {self.state_file} in {timeout}s", code=ChainErrorCode.CHAIN_UNAVAILABLE)

    def kill(self) -> None:
        """Crash it (SIGKILL): blocks since the last state write are lost."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.process = None

    @property
    def w3(self) -> Web3:
        return Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))

    def _rpc(self, method: str, params: list[Any] | None = None) -> Any:
        return self.w3.provider.make_request(method, params or [])["result"]  # type: ignore[arg-type]

    def mine(self, blocks: int = 1) -> None:
        self._rpc("anvil_mine", [hex(blocks)])

    def snapshot(self) -> int:
        return int(self._rpc("evm_snapshot"), 16)

    def revert(self, snapshot_id: int) -> None:
        self._rpc("evm_revert", [hex(snapshot_id)])

    def fund(self, address: str, wei: int) -> None:
        """Give ``address`` a balance of ``wei`` (a development chain's ether, for a key it did not fund)."""
        self._rpc("anvil_setBalance", [address, hex(wei)])

    def time_travel(self, seconds: int) -> None:
        """Move the clock forward ``seconds`` and mine a block there (timelock delays, deadlines)."""
        self._rpc("evm_increaseTime", [seconds])
        self.mine()


def _complete(state: bytes) -> bool:
    """Whether ``state`` is a whole state file (JSON that parses), not one cut short mid-write."""
    try:
        json.loads(state)
    except ValueError:
        return False
    return True
