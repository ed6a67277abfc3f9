"""Claims: a row one worker holds is skipped by the others (never waited for), held until the worker lets go,
and freed at once when the worker's process is killed. On SQLite (one worker) every claim is granted."""

from __future__ import annotations

import subprocess
import sys
import time

from bridge.engine import claims
from bridge.engine.store import EngineStore
from engine_databases import POSTGRES


def test_a_claimed_row_is_skipped_by_another_worker_until_let_go(engine_db_url: str, engine_backend: str) -> None:
    first, second = EngineStore(engine_db_url), EngineStore(engine_db_url)
    try:
        with claims.held(first, claims.TOKENIZATION, [1, 2]) as mine:
            assert mine == ["1", "2"]
            started = time.monotonic()
            with claims.held(second, claims.TOKENIZATION, [1, 2, 3]) as theirs:
                expected = ["3"] if engine_backend == POSTGRES else ["1", "2", "3"]
                assert theirs == expected
            assert time.monotonic() - started < 2, "a held row is skipped, not waited for"
            with claims.chore(second, "watch") as watching:
                assert watching  # other kinds and items are free
        with claims.held(second, claims.TOKENIZATION, [1, 2]) as theirs:
            assert theirs == ["1", "2"]
    finally:
        first.close()
        second.close()


def test_a_killed_workers_claims_are_freed_at_once(engine_db_url: str, engine_backend: str) -> None:
    if engine_backend != POSTGRES:  # one worker per SQLite database: no claims to free
        store = EngineStore(engine_db_url)
        assert not claims.shares_work(store)
        store.close()
        return
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from bridge.engine import claims\n"
            "from bridge.engine.store import EngineStore\n"
            "with claims.held(EngineStore(sys.argv[1]), claims.MINT_BATCH, [7]) as mine:\n"
            "    print(mine, flush=True)\n"
            "    time.sleep(120)\n",
            engine_db_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    store = EngineStore(engine_db_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "['7']"
        with claims.held(store, claims.MINT_BATCH, [7]) as mine:
            assert mine == []
        holder.kill()  # SIGKILL: no rollback, no goodbye
        holder.wait()
        deadline = time.monotonic() + 10
        while True:
            with claims.held(store, claims.MINT_BATCH, [7]) as mine:
                if mine == ["7"]:
                    break
            assert time.monotonic() < deadline, "the killed worker's claim was never freed"
            time.sleep(0.1)
    finally:
        if holder.poll() is None:
            holder.kill()
        store.close()
