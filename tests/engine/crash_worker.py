"""A bridge worker process for the killed-worker test: drive the engine, dying hard at one crash point.

Usage: python crash_worker.py WORLD_DIR ANVIL_URL CRASH_POINT   (exits 137 if it died at the point)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "registry")]

from bridge.chain.anvil import AnvilChain  # noqa: E402
from bridge.engine.faults import CrashOnce  # noqa: E402
from engine_harness import attach_world  # noqa: E402


def main() -> None:
    world_dir, url, point = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    chain = AnvilChain(binary=Path("anvil"), port=int(url.rsplit(":", 1)[1]))
    bw = attach_world(world_dir, chain)
    bw.restart(CrashOnce(point, hard=True))
    bw.settle(rounds=3)


if __name__ == "__main__":
    main()
