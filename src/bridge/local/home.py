"""The local bridge's home: one folder holding everything ``carbon-bridge serve`` needs to resume.

    .bridge/registry.db   the simulated registry (SQLite)
    .bridge/bridge.db     the engine's flows and cursors (SQLite)
    .bridge/chain.json    anvil's chain state (written every second and on a clean stop)
    .bridge/service.json  what the first start created: bridge address, first block, trust account, keys

The first start builds the demo registry, starts anvil, deploys the contracts and the preset pools, and
only then writes ``service.json``: a folder without it is an interrupted first start and is rebuilt
from scratch. Later starts load the chain from its state file and attach to the same contracts; the
engine's resume re-checks recent work against the chain, so a chain that lost its newest blocks in a
crash is caught up rather than believed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.local.service import local_service
from bridge.local.settings import LOCAL_HOLDERS, local_settings
from bridge.local.template import DEMO_SEED
from bridge.service import BridgeService
from bridge.settings import ANVIL, secret_value

MANIFEST = "service.json"
CHAIN_STATE = "chain.json"
DEFAULT_HOME = ".bridge"
DEFAULT_CHAIN_PORT = 8545
# what a home holds (SQLite files with their -wal/-shm, verifier memories): nothing else is ever deleted
_HOME_FILES = ("registry", "bridge.db", CHAIN_STATE, MANIFEST, "verifier-")


@dataclass(frozen=True)
class Manifest:
    """What a local bridge's first start created and every later start reuses."""

    seed: int
    bridge_address: str
    start_block: int
    trust_account: int
    trust_key: str
    accounts: dict[str, int]
    registry_keys: dict[str, str]
    pools: list[str]
    created_at: str


@dataclass(frozen=True)
class LocalHome:
    path: Path

    @property
    def manifest_file(self) -> Path:
        return self.path / MANIFEST

    @property
    def chain_file(self) -> Path:
        return self.path / CHAIN_STATE

    def is_initialized(self) -> bool:
        return self.manifest_file.is_file()

    def read_manifest(self) -> Manifest:
        try:
            return Manifest(**json.loads(self.manifest_file.read_text()))
        except (ValueError, TypeError) as exc:
            raise _broken(f"{self.manifest_file} is not a manifest this version wrote ({exc})") from exc

    def _write_manifest(self, manifest: Manifest) -> None:
        partial = self.manifest_file.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(manifest), indent=2) + "\n")
        os.chmod(partial, 0o600)  # holds the local trust account's registry key
        partial.replace(self.manifest_file)

    def open(self, *, chain_port: int = DEFAULT_CHAIN_PORT, **overrides: Any) -> tuple[BridgeService, bool]:
        """The local bridge of this home, created on first use; and whether it was created just now."""
        if self.is_initialized():
            return self._reopen(chain_port, overrides), False
        return self._create(chain_port, overrides), True

    def _chain_settings(self, chain_port: int) -> dict[str, Any]:
        return {"chain": ANVIL, "anvil_port": chain_port, "anvil_state_file": str(self.chain_file)}

    def reset(self) -> None:
        """Delete this bridge's state; refused when the folder holds anything a bridge home does not."""
        if self.path.is_file():
            raise _not_a_home(self.path, "it is a file")
        if not self.path.exists():
            return
        strangers = sorted(p.name for p in self.path.iterdir() if not p.name.startswith(_HOME_FILES))
        if strangers:
            raise _not_a_home(self.path, f"it holds {', '.join(strangers[:3])}")
        shutil.rmtree(self.path)

    def _create(self, chain_port: int, overrides: dict[str, Any]) -> BridgeService:
        self.reset()  # an interrupted first start: nothing in it was ever served
        self.path.mkdir(parents=True)
        service = local_service(self.path, seed=DEMO_SEED, **self._chain_settings(chain_port), **overrides)
        try:
            pools = [pool.address for pool in service.ensure_preset_pools()]
            service.save_chain()  # the chain holds the contracts before the manifest says they exist
            demo = service.demo
            assert demo is not None  # a local service always has its demo registry
            self._write_manifest(
                Manifest(
                    seed=DEMO_SEED,
                    bridge_address=service.onchain.deployment.address,
                    start_block=service.start_block,
                    trust_account=service.trust_account,
                    trust_key=secret_value(service.settings.trust_registry_key),
                    accounts={name: demo.accounts[name] for name in LOCAL_HOLDERS},
                    registry_keys={name: demo.keys[name] for name in LOCAL_HOLDERS},
                    pools=pools,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
        except BaseException:
            service.close()
            raise
        return service

    def _reopen(self, chain_port: int, overrides: dict[str, Any]) -> BridgeService:
        manifest = self.read_manifest()
        if not self.chain_file.is_file():
            # never rebuilt silently: the registry holds locked credits that only this chain's tokens claim
            raise _broken(f"the chain state {self.chain_file} is missing, so the chain would not match the registry")
        settings = local_settings(
            self.path,
            seed=manifest.seed,
            trust_account=manifest.trust_account,
            trust_key=manifest.trust_key,
            accounts=manifest.accounts,
            registry_keys=manifest.registry_keys,
            bridge_address=manifest.bridge_address,
            start_block=manifest.start_block,
            **self._chain_settings(chain_port),
            **overrides,
        )
        return BridgeService.from_settings(settings)


def _broken(problem: str) -> BridgeError:
    return BridgeError(
        f"{problem}; restore it, or start afresh with `carbon-bridge serve --reset` (deletes this bridge's state)",
        code=BridgeErrorCode.INVALID_REQUEST,
        field="home",
    )


def _not_a_home(path: Path, why: str) -> BridgeError:
    return BridgeError(
        f"{path} is not a bridge home ({why}); nothing was deleted: pick another --home",
        code=BridgeErrorCode.INVALID_REQUEST,
        field="home",
    )
