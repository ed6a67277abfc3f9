"""Several processes opening one new SQLite database at once all get it in WAL mode: the switch, refused
at once ("database is locked") while another opener holds the file, is retried instead of failing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bridge.sqlite_wal import use_wal


def open_together(path: Path, openers: int) -> list[BaseException]:
    start = threading.Barrier(openers)
    failures: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait()
            connection = sqlite3.connect(path, timeout=60)
            try:
                use_wal(connection)
                connection.execute("CREATE TABLE IF NOT EXISTS t (x)")  # a writer, as a migration is
                connection.commit()
            finally:
                connection.close()
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_openers_of_a_new_database_all_switch_it_to_wal(tmp_path: Path) -> None:
    for trial in range(40):  # without the retry about one trial in seven failed
        path = tmp_path / f"new-{trial}.db"
        assert open_together(path, 6) == []
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_lock_that_outlasts_the_timeout_is_still_reported(tmp_path: Path) -> None:
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            use_wal(other, timeout=0.1)
        other.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
