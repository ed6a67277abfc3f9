"""Processes a home starts and owns, found again after a crash: ``OwnedProcesses(folder)``.

Each owned process ``name`` has two files in ``folder``:

    <name>.lock   locked (``fcntl.flock``, exclusive) for as long as the process lives: the starter takes
                  the lock and hands its descriptor to the child, so the lock outlives a starter killed
                  with SIGKILL and is freed by the kernel when the child exits, however it exits
    <name>.pid    JSON: pid, the binary's path, the command, the start time

``start(name, argv)`` first deals with an orphan of ``name`` (``adopt_or_stop``), then takes the lock and
starts the process: two processes of one name (two chain nodes writing one state file) never run at once.
``adopt_or_stop(name)`` finds a process of ``name`` left running by a starter that died: when the lock is
held and ``/proc/<pid>/cmdline`` shows the recorded binary, it is ours and is stopped (SIGTERM, so a node
saves its state; SIGKILL if it does not stop in time); a lock held by anything else is refused, never
killed. This module keeps no handle on the processes: the caller keeps the ``Popen`` it is given.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class ProcessConflict(RuntimeError):
    """The lock of a process name is held by a process this home did not start (or cannot check)."""


@dataclass(frozen=True)
class OwnedProcesses:
    folder: Path
    stop_timeout: float = 15.0

    def lock_file(self, name: str) -> Path:
        return self.folder / f"{name}.lock"

    def pid_file(self, name: str) -> Path:
        return self.folder / f"{name}.pid"

    def start(self, name: str, argv: list[str], **popen: Any) -> subprocess.Popen[bytes]:
        """Start ``argv`` as the one process ``name`` (after stopping an orphan of it); it holds the lock."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.adopt_or_stop(name)
        descriptor = os.open(self.lock_file(name), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ProcessConflict(f"{self.lock_file(name)} is held: another {name} started meanwhile") from None
            process = subprocess.Popen(argv, pass_fds=(descriptor, *popen.pop("pass_fds", ())), **popen)
        finally:
            os.close(descriptor)  # the child's copy keeps the lock
        record = {"pid": process.pid, "binary": str(Path(argv[0]).resolve()), "argv": argv, "started_at": time.time()}
        self.pid_file(name).write_text(json.dumps(record) + "\n")
        return process

    def running(self, name: str) -> bool:
        """Whether a process holds ``name``'s lock now."""
        if not self.lock_file(name).exists():
            return False
        descriptor = os.open(self.lock_file(name), os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)  # closing lets go of a lock taken here
        return False

    def adopt_or_stop(self, name: str) -> int | None:
        """Stop the orphaned process ``name`` if one runs (its pid), None if none does; ``ProcessConflict``
        when the lock is held by a process that is not the recorded one."""
        if not self.running(name):
            self.pid_file(name).unlink(missing_ok=True)
            return None
        record = self._record(name)
        pid = int(record["pid"]) if record else 0
        if not pid or not _runs(pid, str(record.get("binary", ""))):
            raise ProcessConflict(
                f"{self.lock_file(name)} is held by a process that is not the {name} recorded in "
                f"{self.pid_file(name)}: stop it by hand"
            )
        log.warning("%s (pid %s) was left running by a previous start: stopping it", name, pid)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while self.running(name):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + self.stop_timeout
            time.sleep(0.1)
        self.pid_file(name).unlink(missing_ok=True)
        return pid

    def _record(self, name: str) -> dict[str, Any]:
        try:
            record = json.loads(self.pid_file(name).read_text())
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}


def _runs(pid: int, binary: str) -> bool:
    """Whether process ``pid`` runs ``binary`` (its command line's first word, as /proc shows it)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return bool(command) and bool(binary) and Path(command[0].decode(errors="replace")).resolve() == Path(binary)
