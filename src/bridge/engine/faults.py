"""Named crash points at every step boundary of every flow, for fault-injection tests.

The engine calls ``faults.reached("tokenize.immobilize.done")`` at each boundary; production code
runs with ``NO_FAULTS``. Tests make one point raise (a crash inside the engine) or call
``os._exit`` (a killed worker process), then restart the engine and check it finishes the flow.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

#: Every boundary, in flow order: "<flow>.<step>.<when>" where when is "before" an external effect,
#: "done" (effect happened, not yet recorded) or "saved" (recorded in the engine database).
CRASH_POINTS: tuple[str, ...] = (
    "tokenize.immobilize.before",
    "tokenize.immobilize.done",
    "tokenize.immobilize.saved",
    "tokenize.attest.done",
    "tokenize.attest.saved",
    "tokenize.mint.before",
    "tokenize.mint.done",
    "tokenize.mint.saved",
    "tokenize.confirm.saved",
    "redeem.plan.saved",
    "redeem.release.before",
    "redeem.release.done",
    "redeem.release.saved",
    "redeem.finalize.before",
    "redeem.finalize.done",
    "redeem.finalize.saved",
    "redeem.cancel.before",
    "redeem.cancel.done",
    "redeem.cancel.saved",
    "settle.plan.saved",
    "settle.retire.before",
    "settle.retire.done",
    "settle.retire.saved",
    "settle.record.before",
    "settle.record.done",
    "settle.record.saved",
)


class InjectedCrash(Exception):
    """Raised at a crash point to simulate the engine dying there."""


class Faults:
    def reached(self, point: str) -> None:
        """Called by the engine at every crash point; does nothing in production."""


NO_FAULTS = Faults()


@dataclass
class CrashOnce(Faults):
    """Crash the first time ``point`` is reached: raise, or kill the process (``hard=True``)."""

    point: str
    hard: bool = False
    fired: bool = False
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.point not in CRASH_POINTS:
            raise ValueError(f"unknown crash point {self.point!r}")

    def reached(self, point: str) -> None:
        self.seen.append(point)
        if point == self.point and not self.fired:
            self.fired = True
            if self.hard:
                os._exit(137)  # like SIGKILL: no cleanup, no commit of anything in flight
            raise InjectedCrash(point)
