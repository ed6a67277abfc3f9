"""A bridge worker killed (like kill -9) at a step boundary: the next worker finishes, exactly once.

The chain is an anvil node shared by the processes; the registry database is a SQLite file, the engine's a
SQLite file or a PostgreSQL database (``engine_db_url``).
For each flow, the worker dies right after an external effect (registry or chain) and before it is
recorded: the worst moment. A new engine then drives everything to the crash-free end state.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_fault_injection import EXPECTED, Outcome, run_scenario

from bridge.chain.anvil import AnvilChain, find_anvil
from bridge.chain.compiler import find_project_root
from bridge.engine.faults import NO_FAULTS
from engine_harness import BridgeWorld, make_world

WORKER = Path(__file__).with_name("crash_worker.py")
HARD_POINTS = [
    "tokenize.immobilize.done",
    "tokenize.mint.done",
    "redeem.release.done",
    "redeem.finalize.done",
    "settle.retire.done",
    "settle.record.done",
]


@pytest.fixture
def anvil() -> Iterator[AnvilChain]:
    chain = AnvilChain(find_anvil(find_project_root())).start()
    yield chain
    chain.stop()


@pytest.mark.parametrize("point", HARD_POINTS)
def test_a_worker_killed_after_an_effect_is_finished_by_the_next_one(
    tmp_path: Path, anvil: AnvilChain, engine_db_url: str, point: str
) -> None:
    bw = make_world(tmp_path, chain=anvil, engine_url=engine_db_url)
    killed: list[int] = []

    def drive(world: BridgeWorld) -> None:
        if not killed:
            world.store.close()
            result = subprocess.run(
                [sys.executable, str(WORKER), str(tmp_path), anvil.url, point], capture_output=True, timeout=300
            )
            assert result.returncode in (0, 137), result.stderr.decode()[-3000:]
            if result.returncode == 137:
                killed.append(1)
            world.local.resync()
            world.restart()
        world.settle(rounds=3)

    outcome = run_scenario(bw, NO_FAULTS, drive=drive)
    assert killed, f"the worker never reached {point}"
    assert outcome.held == {bw.world.custodian: 20, bw.world.trader: 30}
    assert outcome == Outcome(**{**EXPECTED.__dict__, "held": outcome.held})
