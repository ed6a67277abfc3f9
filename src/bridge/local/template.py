"""The demo registry built once, to copy for each local bridge (seconds saved per bridge in a test suite)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from bridge.registry import auth
from bridge.registry.demo import DemoRegistry, populate
from bridge.registry.ledger import Registry

DEMO_SEED = 7


@dataclass(frozen=True)
class LocalTemplate:
    """A demo registry (with a fresh trust account for the bridge) built once, to copy per local bridge."""

    registry_file: Path
    seed: int
    demo: DemoRegistry
    trust_account: int
    trust_key: str

    @classmethod
    def build(cls, directory: str | Path, *, seed: int = DEMO_SEED, registry_file: Path | None = None) -> LocalTemplate:
        path = registry_file or Path(directory) / "registry-template.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        demo = populate(Registry.open(f"sqlite:///{path}"), seed=seed)
        # a trust account of its own: the demo's "bridge" account holds blocks of a simulated token
        trust = demo.registry.create_account(kind="trust", owner="Carbon Bridge (local)", name="bridge trust").id
        trust_key = auth.issue_api_key(demo.registry, accounts=[trust], label="local bridge trust account")
        return cls(registry_file=path, seed=seed, demo=demo, trust_account=trust, trust_key=trust_key)

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the template registry (SQLite's backup API: WAL contents included)."""
        with closing(sqlite3.connect(self.registry_file)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
