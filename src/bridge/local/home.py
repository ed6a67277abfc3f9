"""The local bridge's home: one folder holding everything ``carbon-bridge serve`` needs to resume.

    .bridge/registry.db   the simulated registry (SQLite)
    .bridge/bridge.db     the engine's flows and cursors (SQLite)
    .bridge/chain.json    anvil's chain state (written every second and on a clean stop)
    .bridge/service.json  what the first start created: bridge address, first block, trust account, the
                          demo holders' (seed-derived) registry keys
    .bridge/keys/         this home's secrets, one file each: the registry operator's key and the trust
                          account's registry key (random, drawn for this home: never derived from the
                          public demo seed), the admin's chain key (the timelock's proposer: used by
                          ``carbon-bridge admin`` only, never loaded by ``serve``), each verifier's
                          signing key (read by that verifier's process only), the funded dev wallet's key
    .bridge/verifiers/    each verifier's settings, memory and log (``bridge.local.verifiers``)

The folder is created 0700 and every file holding a key 0600 (created with that mode, never loosened
afterwards). ``serve`` never prints a key it holds: it names the file and a short fingerprint.

The first start draws the admin's and the verifiers' keys, builds the demo registry, starts anvil, deploys
the timelock and the contracts (governed by the admin's address; the deployer keeps no role) and the preset
pools, issues each verifier a registry key that acts for no account, and only then writes ``service.json``:
a folder without it is an interrupted first start and is rebuilt from scratch. Later starts load the chain
from its state file and attach to the same contracts; the engine's resume re-checks recent work against the
chain, so a chain that lost its newest blocks in a crash is caught up rather than believed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account import Account

from bridge.chain.anvil import AnvilChain
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.local.files import PRIVATE_DIR, write_private
from bridge.local.service import local_service
from bridge.local.settings import LOCAL_HOLDERS, local_settings
from bridge.local.template import DEMO_SEED
from bridge.local.verifiers import COUNT as VERIFIER_COUNT
from bridge.local.verifiers import FOLDER as VERIFIERS_FOLDER
from bridge.local.verifiers import LocalVerifier
from bridge.processes import OwnedProcesses, ProcessConflict
from bridge.registry import auth
from bridge.registry.demo import demo_key
from bridge.registry.errors import RegistryError
from bridge.registry.ledger import Registry
from bridge.service import BridgeService
from bridge.settings import ANVIL, VerifierEndpoint, secret_value

MANIFEST = "service.json"
ADMIN_KEY = "admin.key"
ADMIN_FUNDS = 100 * 10**18  # dev-chain ether for the admin's timelock transactions
CHAIN_STATE = "chain.json"
KEYS = "keys"
OPERATOR_KEY = "registry-operator.key"
TRUST_KEY = "trust-account.key"
WALLET_KEY = "dev-wallet.key"
DEFAULT_HOME = ".bridge"
DEFAULT_CHAIN_PORT = 8545
# what a home holds (SQLite files with their -wal/-shm, verifiers, keys): nothing else is ever deleted
_HOME_FILES = ("registry", "bridge.db", CHAIN_STATE, MANIFEST, "verifier", KEYS)


@dataclass(frozen=True)
class Ports:
    """Where a home's processes listen: anvil, the API (and registry), the first verifier (then the next)."""

    chain: int
    api: int
    verifiers: tuple[int, ...]


@dataclass(frozen=True)
class Manifest:
    """What a local bridge's first start created and every later start reuses."""

    seed: int
    bridge_address: str
    start_block: int
    trust_account: int
    accounts: dict[str, int]
    registry_keys: dict[str, str]  # the demo holders' (seed-derived, printed for the user)
    pools: list[str]
    created_at: str
    trust_key: str | None = None  # homes made before the key files: moved to keys/ on the next start
    admin_address: str | None = None  # the timelock's proposer and executor (its key: keys/admin.key)
    timelock: str | None = None
    verifiers: list[dict[str, str]] = field(default_factory=list)  # [{name, address}]: separate processes


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

    def stop_orphans(self) -> list[int]:
        """Stop the processes a killed start of this home left running (its chain node, its verifiers): the
        pids stopped. A lock held by a process this home did not start is refused (``home_busy``)."""
        owned = [(OwnedProcesses(self.path), f"{CHAIN_STATE}.anvil")]
        owned += [(OwnedProcesses(self.path / VERIFIERS_FOLDER), v.name) for v in self.verifiers()]
        stopped = []
        for processes, name in owned:
            try:
                pid = processes.adopt_or_stop(name)
            except ProcessConflict as exc:
                raise BridgeError(str(exc), code=BridgeErrorCode.INVALID_REQUEST, field="home") from None
            if pid is not None:
                stopped.append(pid)
        return stopped

    def read_manifest(self) -> Manifest:
        try:
            return Manifest(**json.loads(self.manifest_file.read_text()))
        except (ValueError, TypeError) as exc:
            raise _broken(f"{self.manifest_file} is not a manifest this version wrote ({exc})") from exc

    def key_file(self, name: str) -> Path:
        return self.path / KEYS / name

    def read_key(self, name: str) -> str:
        try:
            return self.key_file(name).read_text().strip()
        except OSError as exc:
            raise _broken(f"the key file {self.key_file(name)} cannot be read ({exc.strerror})") from exc

    def _write_manifest(self, manifest: Manifest) -> None:
        fields = {k: v for k, v in asdict(manifest).items() if not (k == "trust_key" and v is None)}
        write_private(self.manifest_file, json.dumps(fields, indent=2) + "\n")

    def _write_key(self, name: str, key: str) -> None:
        self.key_file(name).parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        write_private(self.key_file(name), key + "\n")

    def verifiers(self) -> list[LocalVerifier]:
        return [LocalVerifier(self.path, i) for i in range(VERIFIER_COUNT)]

    def open(
        self, *, chain_port: int = DEFAULT_CHAIN_PORT, api_port: int = 8000, verifier_ports: Sequence[int] = ()
    ) -> tuple[BridgeService, bool]:
        """The local bridge of this home, created on first use; and whether it was created just now. Its
        verifiers listen on ``verifier_ports`` (``api_port + 1`` and the next ones by default) once started
        (``LocalVerifiers``); they read the registry from the API on ``api_port``."""
        chosen = tuple(verifier_ports) or tuple(range(api_port + 1, api_port + 1 + VERIFIER_COUNT))
        if len(chosen) != VERIFIER_COUNT:
            raise BridgeError(
                f"a local bridge runs {VERIFIER_COUNT} verifiers: give as many ports", field="verifier_ports"
            )
        ports = Ports(chain=chain_port, api=api_port, verifiers=chosen)
        if self.is_initialized():
            return self._reopen(ports), False
        return self._create(ports), True

    def _chain_settings(self, chain_port: int) -> dict[str, Any]:
        return {"chain": ANVIL, "anvil_port": chain_port, "anvil_state_file": str(self.chain_file)}

    def _configure_verifiers(self, ports: Ports, *, bridge: str, trust_account: int, **secrets: dict[str, str]) -> None:
        """Point each verifier's settings at this start's registry URL, node and port (``secrets``: its keys,
        by verifier name, when they are first written)."""
        for verifier in self.verifiers():
            verifier.write_settings(
                registry_url=f"http://127.0.0.1:{ports.api}/registry",
                rpc_url=f"http://127.0.0.1:{ports.chain}",
                bridge_address=bridge,
                trust_account=trust_account,
                port=ports.verifiers[verifier.index],
                **secrets.get(verifier.name, {}),
            )

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

    def _create(self, ports: Ports) -> BridgeService:
        self.reset()  # an interrupted first start: nothing in it was ever served
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.mkdir(mode=PRIVATE_DIR)
        os.chmod(self.path, PRIVATE_DIR)  # whatever the umask: the home holds this bridge's keys
        admin = Account.create()
        self._write_key(ADMIN_KEY, "0x" + bytes(admin.key).hex())
        endpoints = []
        for verifier in self.verifiers():
            address, api_key = verifier.create()
            endpoints.append(
                VerifierEndpoint(
                    url=f"http://127.0.0.1:{ports.verifiers[verifier.index]}", api_key=api_key, address=address
                )
            )
        service = local_service(
            self.path,
            seed=DEMO_SEED,
            admin_address=admin.address,
            verifiers=endpoints,
            **self._chain_settings(ports.chain),
        )
        try:
            assert isinstance(service.onchain.chain, AnvilChain)
            service.onchain.chain.fund(admin.address, ADMIN_FUNDS)  # it pays for its timelock transactions
            pools = [pool.address for pool in service.ensure_preset_pools()]
            service.save_chain()  # the chain holds the contracts before the manifest says they exist
            demo = service.demo
            assert demo is not None  # a local service always has its demo registry
            self._configure_verifiers(
                ports,
                bridge=service.bridge_address,
                trust_account=service.trust_account,
                **{
                    verifier.name: {
                        "api_key": endpoint.api_key.get_secret_value(),
                        # its own registry key: one that acts for no account, so it can read and move nothing
                        "registry_key": auth.issue_api_key(
                            service.registry, accounts=[], label=f"{verifier.name} (reads only)"
                        ),
                    }
                    for verifier, endpoint in zip(self.verifiers(), endpoints, strict=True)
                },
            )
            self._write_key(OPERATOR_KEY, demo.keys["operator"])
            self._write_key(TRUST_KEY, secret_value(service.settings.trust_registry_key))
            self._write_key(WALLET_KEY, "0x" + bytes(service.onchain.users[1].key).hex())
            timelock = service.onchain.deployment.timelock
            self._write_manifest(
                Manifest(
                    seed=DEMO_SEED,
                    bridge_address=service.onchain.deployment.address,
                    start_block=service.start_block,
                    trust_account=service.trust_account,
                    accounts={name: demo.accounts[name] for name in LOCAL_HOLDERS},
                    registry_keys={name: demo.keys[name] for name in LOCAL_HOLDERS},
                    pools=pools,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    admin_address=str(admin.address),
                    timelock=None if timelock is None else str(timelock.address),
                    verifiers=[
                        {"name": v.name, "address": str(e.address)}
                        for v, e in zip(self.verifiers(), endpoints, strict=True)
                    ],
                )
            )
        except BaseException:
            service.close()
            raise
        return service

    def _reopen(self, ports: Ports) -> BridgeService:
        manifest = self.read_manifest()
        if not manifest.verifiers or manifest.admin_address is None:
            raise _broken(
                f"{self.path} was made before verifiers ran as processes of their own and the admin was a timelock"
            )
        if not self.chain_file.is_file():
            # never rebuilt silently: the registry holds locked credits that only this chain's tokens claim
            raise _broken(f"the chain state {self.chain_file} is missing, so the chain would not match the registry")
        os.chmod(self.path, PRIVATE_DIR)  # a home made before it was created private
        self._configure_verifiers(ports, bridge=manifest.bridge_address, trust_account=manifest.trust_account)
        if manifest.trust_key is not None:  # a home made before the key files: the key moves to its file
            self._write_key(TRUST_KEY, manifest.trust_key)
            self._write_manifest(Manifest(**{**asdict(manifest), "trust_key": None}))
        settings = local_settings(
            self.path,
            seed=manifest.seed,
            trust_account=manifest.trust_account,
            trust_key=self.read_key(TRUST_KEY),
            accounts=manifest.accounts,
            registry_keys=manifest.registry_keys,
            bridge_address=manifest.bridge_address,
            start_block=manifest.start_block,
            admin_address=manifest.admin_address,
            verifiers=[
                verifier.endpoint(known["address"])
                for verifier, known in zip(self.verifiers(), manifest.verifiers, strict=True)
            ],
            **self._chain_settings(ports.chain),
        )
        service = BridgeService.from_settings(settings)
        try:
            self._harden(service, manifest.seed)
        except BaseException:
            service.close()
            raise
        return service

    def _harden(self, service: BridgeService, seed: int) -> None:
        """What a home an older version made lacks: revoke the registry keys it derived from the public demo
        seed for the operator and the demo's trust account (anyone could compute them), and give the home a
        random operator key and the key files it did not have."""
        registry: Registry = service.registry
        for name in ("operator", "bridge"):
            try:
                principal = auth.resolve_api_key(registry, demo_key(seed, name))
            except RegistryError:
                continue  # never issued, or revoked already
            auth.revoke_api_key(registry, principal.key_id)
        if not self.key_file(OPERATOR_KEY).is_file():
            self._write_key(OPERATOR_KEY, auth.issue_api_key(registry, operator=True, label="local registry operator"))
        if not self.key_file(WALLET_KEY).is_file():
            self._write_key(WALLET_KEY, "0x" + bytes(service.onchain.users[1].key).hex())


def fingerprint(secret: str) -> str:
    """A short, one-way name for a secret (to tell keys apart in output without printing them)."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


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
