"""A verifier's durable memory of what it signed: per registry lock id, the hash of the leaf it attested.

It never signs a different leaf for one lock id: before a signature leaves the verifier, every lock of the
batch is written here (one SQLite transaction, fsynced), or the batch is refused if one of its locks was
attested with another leaf. A restarted verifier reads the same file. The file is the verifier's own (not
the engine's database: a verifier trusts only itself).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from bridge.sqlite_wal import use_wal
from bridge.verifier.errors import VerifierError, VerifierErrorCode


class SignedLocks:
    """Lock id -> leaf hash, in memory or in a SQLite file (``path``)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._lock = threading.Lock()
        target = ":memory:" if path is None else str(path)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        use_wal(self._db)
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS signed (lock_id INTEGER PRIMARY KEY, leaf BLOB NOT NULL)")

    def leaf_of(self, lock_id: int) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT leaf FROM signed WHERE lock_id = ?", (lock_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def remember(self, leaves: Iterable[tuple[int, bytes]]) -> None:
        """Record every (lock id, leaf) at once, or none: ``lock_attested_otherwise`` names the first lock
        already attested with another leaf. A lock attested with the same leaf again is fine."""
        pairs = list(leaves)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for lock_id, leaf in pairs:
                    row = self._db.execute("SELECT leaf FROM signed WHERE lock_id = ?", (lock_id,)).fetchone()
                    if row is not None and bytes(row[0]) != leaf:
                        raise VerifierError(
                            f"lock {lock_id} was attested before with another leaf; a lock is attested once",
                            code=VerifierErrorCode.LOCK_ATTESTED_OTHERWISE,
                            field="leaves",
                            details={"lock_id": lock_id},
                        )
                    if row is None:
                        self._db.execute("INSERT INTO signed (lock_id, leaf) VALUES (?, ?)", (lock_id, leaf))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM signed").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
