"""SQLite's write-ahead log, switched on safely when several processes open one new database at once.

``PRAGMA journal_mode=WAL`` needs the database to itself for a moment and answers "database is locked" at
once, without waiting out the busy timeout, when another connection is opening it too (seen with four
processes starting on a fresh engine database: one in seven failed). The mode is kept in the file, so only
the first switch contends: ask first, switch if needed, and retry a refused switch until ``timeout``.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

_RETRY_S = 0.02


def use_wal(cursor: Any, *, timeout: float = 60.0) -> None:
    """Put the database of ``cursor`` (a DB-API cursor or sqlite3 connection) in WAL mode."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(_RETRY_S)
