"""The bridge as a service: one settings object, one call that builds and owns a whole bridge.

``BridgeService.from_settings(settings)`` opens the registry, makes a registry client for the bridge's
trust account and one per custodian, connects the chain (the in-process EVM, a local anvil, or any
JSON-RPC URL), deploys the bridge contracts unless an address is configured, and wires the verifiers
and the ``BridgeEngine``. ``BridgeService.local(tmp_dir)`` does it all on embedded defaults with the
demo registry, for tests and demos.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from eth_account import Account
from eth_account.signers.local import LocalAccount
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from web3 import HTTPProvider, Web3

from bridge.chain.anvil import AnvilChain, dev_accounts, find_anvil
from bridge.chain.backend import InProcessChain
from bridge.chain.compiler import find_project_root
from bridge.chain.local import DevChain, LocalBridge
from bridge.engine.chain import BridgeChain
from bridge.engine.engine import BridgeEngine
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.store import EngineStore
from bridge.engine.verifier import SignedMemory, Verifier
from bridge.pools.registry import PoolRecord  # noqa: F401  (its table must exist before EngineStore's create_all)
from bridge.registry import auth
from bridge.registry.client import InProcessRegistryClient
from bridge.registry.ledger import Registry

log = logging.getLogger(__name__)

Role = Literal["custodian", "verifier", "operator"]
IN_PROCESS = "in-process"
ANVIL = "anvil"
DEMO_SEED = 7
_DEFAULT_SECRETS = frozenset({"", "changethis", "changeme", "secret", "password"})


class ApiKeySetting(BaseModel):
    """One key of the bridge API: its role and, for a custodian, the registry account it acts for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SecretStr
    role: Role
    account: int | None = Field(default=None, ge=1, description="custodian keys: the registry account")
    name: str | None = None

    @model_validator(mode="after")
    def _custodian_has_account(self) -> ApiKeySetting:
        if self.role == "custodian" and self.account is None:
            raise ValueError("a custodian key needs the registry account it acts for")
        return self


class BridgeSettings(BaseSettings):
    """Everything a bridge needs, from the environment (``BRIDGE_*``) or given directly."""

    model_config = SettingsConfigDict(env_prefix="BRIDGE_", env_nested_delimiter="__", extra="forbid")

    environment: Literal["local", "staging", "production"] = "local"
    registry_url: str = "sqlite:///.bridge/registry.db"
    engine_db_url: str = "sqlite:///.bridge/bridge.db"
    chain: str = Field(default=IN_PROCESS, description='"in-process", "anvil", or a JSON-RPC URL')
    anvil_port: int | None = Field(default=None, ge=1, le=65535, description='chain "anvil": its port; None: any free')
    anvil_state_file: str | None = Field(
        default=None, description='chain "anvil": load the chain from this file at start, save it while running'
    )
    bridge_address: str | None = Field(default=None, description="deployed bridge; None: deploy one")
    start_block: int | None = Field(
        default=None, ge=0, description="first block to watch; default: after a fresh deployment, else 0"
    )
    confirmations: int = Field(default=2, ge=0, le=1000)
    operator_key: SecretStr | None = Field(default=None, description="chain key sending the bridge's transactions")
    verifier_keys: list[SecretStr] = Field(default_factory=list)
    threshold: int = Field(default=2, ge=1)
    verifier_memory_dir: str | None = Field(
        default=None, description="folder of each verifier's durable memory of what it signed; None: in memory"
    )
    trust_account: int | None = Field(default=None, ge=1)
    trust_registry_key: SecretStr | None = Field(default=None, description="registry API key of the trust account")
    custodian_registry_keys: dict[int, SecretStr] = Field(default_factory=dict)
    api_keys: list[ApiKeySetting] = Field(default_factory=list)
    policy: EligibilityPolicy = Field(default_factory=EligibilityPolicy)
    max_batch: int = Field(default=50, ge=1, le=500)

    @model_validator(mode="after")
    def _no_default_secrets_outside_local(self) -> BridgeSettings:
        if self.environment == "local":
            return self
        dev = {a.key.hex().removeprefix("0x").lower() for a in dev_accounts(10)}
        secrets: list[tuple[str, str]] = [("operator_key", secret_value(self.operator_key))]
        secrets += [(f"verifier_keys[{i}]", secret_value(k)) for i, k in enumerate(self.verifier_keys)]
        secrets.append(("trust_registry_key", secret_value(self.trust_registry_key)))
        secrets += [(f"custodian_registry_keys[{a}]", secret_value(k)) for a, k in self.custodian_registry_keys.items()]
        secrets += [(f"api_keys[{i}]", k.key.get_secret_value()) for i, k in enumerate(self.api_keys)]
        for name, value in secrets:
            if value.lower() in _DEFAULT_SECRETS or value.lower().removeprefix("0x") in dev or "demo" in value:
                raise ValueError(f"{name}: a default, demo or development secret is refused in {self.environment}")
        if len(self.verifier_keys) < self.threshold:
            raise ValueError("fewer verifier keys than the threshold")
        if self.trust_account is None:
            raise ValueError("trust_account is required outside local use")
        return self


def secret_value(value: SecretStr | None) -> str:
    return "" if value is None else value.get_secret_value()


@dataclass(frozen=True)
class ApiPrincipal:
    """Who a bridge API key acts as."""

    name: str
    role: Role
    account: int | None = None


@dataclass
class _RpcChain:
    """Any JSON-RPC node, acting with the configured keys (no mining, no snapshots)."""

    url: str
    accounts: list[LocalAccount]
    _w3: Web3 | None = None

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            self._w3 = Web3(HTTPProvider(self.url))
        return self._w3

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def mine(self, blocks: int = 1) -> None:
        raise BridgeError("this chain mines on its own", code=BridgeErrorCode.CHAIN_FAILURE)

    def snapshot(self) -> int:
        raise BridgeError("this chain has no snapshots", code=BridgeErrorCode.CHAIN_FAILURE)

    def revert(self, snapshot_id: int) -> None:
        raise BridgeError("this chain has no snapshots", code=BridgeErrorCode.CHAIN_FAILURE)


@dataclass
class BridgeService:
    """A whole bridge, built from settings and owned: close it when done."""

    settings: BridgeSettings
    registry: Registry
    onchain: LocalBridge  # the chain, the deployment and its keys
    store: EngineStore
    engine: BridgeEngine
    verifiers: list[Verifier]
    trust_account: int
    start_block: int
    demo: Any = None  # the DemoRegistry of a local bridge
    principals: dict[str, ApiPrincipal] = field(default_factory=dict)  # bridge API key -> principal
    _anvil: AnvilChain | None = None
    ready: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)  # one caller at a time on chain and store

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: BridgeSettings, *, demo: Any = None) -> BridgeService:
        registry = Registry.open(settings.registry_url)
        trust = settings.trust_account
        if trust is None:
            raise BridgeError(
                "no trust account configured", code=BridgeErrorCode.INVALID_REQUEST, field="trust_account"
            )
        anvil: AnvilChain | None = None
        operator = Account.from_key(settings.operator_key.get_secret_value()) if settings.operator_key else None
        verifier_accounts = [Account.from_key(k.get_secret_value()) for k in settings.verifier_keys]
        chain: DevChain
        if settings.chain == IN_PROCESS:
            chain = InProcessChain()
        elif settings.chain == ANVIL:
            anvil = AnvilChain(
                binary=find_anvil(find_project_root() or Path.cwd()),
                state_file=Path(settings.anvil_state_file) if settings.anvil_state_file else None,
                **({"port": settings.anvil_port} if settings.anvil_port else {}),
            ).start()
            chain = anvil
        else:
            if operator is None:
                raise BridgeError("a JSON-RPC chain needs operator_key", field="operator_key")
            if len(verifier_accounts) < settings.threshold:
                raise BridgeError("a JSON-RPC chain needs the verifiers' keys", field="verifier_keys")
            chain = _RpcChain(settings.chain, [operator, *verifier_accounts])
        if not isinstance(chain, _RpcChain) and (operator is not None or verifier_accounts):
            # configured keys in place of the development chain's own (they must hold ether there)
            funded = list(chain.accounts)
            chain.accounts = [operator or funded[0], *(verifier_accounts or funded[1:4]), *funded[4:]]
        verifier_count = len(verifier_accounts) or 3
        if settings.bridge_address:
            local = LocalBridge.attach(
                chain, settings.bridge_address, verifiers=verifier_count, threshold=settings.threshold
            )
        else:
            local = LocalBridge.start(verifiers=verifier_count, threshold=settings.threshold, chain=chain)
        if settings.start_block is not None:
            start_block = settings.start_block
        else:  # a fresh deployment has no events before it; an attached one is read from genesis
            start_block = 0 if settings.bridge_address else int(chain.w3.eth.block_number)
        store = EngineStore(settings.engine_db_url)
        bridge_chain = BridgeChain(local.deployment, local.sender(), confirmations=settings.confirmations)
        verifiers = [
            Verifier(
                name=f"verifier-{i}",
                account=key,
                registry=InProcessRegistryClient(registry),
                policy=settings.policy,
                chain_id=chain.chain_id,
                bridge_address=local.deployment.address,
                trust_account=trust,
                predict_token=bridge_chain.predict_token,
                memory=SignedMemory(
                    Path(settings.verifier_memory_dir) / f"verifier-{i}.db" if settings.verifier_memory_dir else None
                ),
            )
            for i, key in enumerate(local.verifiers)
        ]
        custodian_keys = {a: k.get_secret_value() for a, k in settings.custodian_registry_keys.items()}

        def custodian_registry(account: int) -> InProcessRegistryClient:
            return InProcessRegistryClient(registry, custodian_keys.get(account))

        engine = BridgeEngine(
            store=store,
            chain=bridge_chain,
            registry=InProcessRegistryClient(registry, secret_value(settings.trust_registry_key) or None),
            custodian_registry=custodian_registry,
            verifiers=verifiers,
            threshold=settings.threshold,
            trust_account=trust,
            policy=settings.policy,
            start_block=start_block,
            max_batch=settings.max_batch,
        )
        engine.resume()
        principals = {
            k.key.get_secret_value(): ApiPrincipal(k.name or k.role, k.role, k.account) for k in settings.api_keys
        }
        return cls(
            settings=settings,
            registry=registry,
            onchain=local,
            store=store,
            engine=engine,
            verifiers=verifiers,
            trust_account=trust,
            start_block=start_block,
            demo=demo,
            principals=principals,
            _anvil=anvil,
        )

    @classmethod
    def local(
        cls, tmp_dir: str | Path, *, seed: int = DEMO_SEED, template: LocalTemplate | None = None, **overrides: Any
    ) -> BridgeService:
        """A fully wired local bridge in ``tmp_dir``: the demo registry, an in-process chain, a fresh
        deployment, 2-of-3 verifiers and the engine, and demo API keys for every role (``api_key(name)``).

        ``template`` (from ``LocalTemplate.build``) copies a demo registry built once instead of building
        it again (seconds saved per bridge in a test suite).
        """
        tmp = Path(tmp_dir)
        tmp.mkdir(parents=True, exist_ok=True)
        registry_file = tmp / "registry.db"
        if template is None:
            template = LocalTemplate.build(tmp, seed=seed, registry_file=registry_file)
        else:
            template.copy_to(registry_file)
        demo = dataclasses.replace(template.demo, registry=Registry.open(f"sqlite:///{registry_file}"))
        settings = local_settings(
            tmp,
            seed=template.seed,
            trust_account=template.trust_account,
            trust_key=template.trust_key,
            accounts=demo.accounts,
            registry_keys=demo.keys,
            **overrides,
        )
        return cls.from_settings(settings, demo=demo)

    # --- using ------------------------------------------------------------------------------------

    @property
    def rpc_url(self) -> str | None:
        """The chain's JSON-RPC URL (anvil or a node); None for the in-process EVM."""
        url = getattr(self.onchain.chain, "url", None)
        return url if isinstance(url, str) else None

    def principal(self, key: str | None) -> ApiPrincipal | None:
        return None if not key else self.principals.get(key)

    def api_key(self, name: str) -> str:
        """The bridge API key named ``name`` (local bridges: operator, verifier, custodian, trader...)."""
        for key, principal in self.principals.items():
            if principal.name == name:
                return key
        raise KeyError(name)

    @property
    def can_mine(self) -> bool:
        """A development chain (in-process, anvil) mines on request; a node reached by URL does not."""
        return not isinstance(self.onchain.chain, _RpcChain)

    def drive(self, rounds: int = 6) -> int:
        """Drive the engine to rest; on a development chain, mine blocks so confirmations are reached."""
        moved = 0
        for _ in range(rounds):
            moved += self.engine.run_until_idle()
            if self.can_mine:
                self.onchain.chain.mine(max(self.settings.confirmations, 1))
        return moved + self.engine.run_until_idle()

    def save_chain(self, timeout: float = 10.0) -> None:
        """Wait until a persistent local chain's state file holds the current head (anvil writes it every
        second): what was just done on-chain then survives a crash of the whole machine."""
        if self._anvil is not None:
            self._anvil.wait_saved(timeout)

    def close(self) -> None:
        self.ready = False
        self.store.close()
        for verifier in self.verifiers:
            verifier.memory.close()
        if self._anvil is not None:
            self._anvil.stop()


@dataclass(frozen=True)
class LocalTemplate:
    """A demo registry (with a fresh trust account for the bridge) built once, to copy per local bridge."""

    registry_file: Path
    seed: int
    demo: Any  # DemoRegistry
    trust_account: int
    trust_key: str

    @classmethod
    def build(cls, directory: str | Path, *, seed: int = DEMO_SEED, registry_file: Path | None = None) -> LocalTemplate:
        from bridge.registry.demo import populate

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


LOCAL_HOLDERS = ("custodian", "trader", "broker", "exchange")


def local_settings(
    directory: Path,
    *,
    seed: int,
    trust_account: int,
    trust_key: str,
    accounts: dict[str, int],
    registry_keys: dict[str, str],
    **overrides: Any,
) -> BridgeSettings:
    """Settings of a local bridge in ``directory`` over a demo registry: SQLite files there, the
    in-process chain, and demo API keys for every role (derived from the seed: not secrets)."""
    api_keys = [
        ApiKeySetting(key=SecretStr(local_api_key(seed, "operator")), role="operator", name="operator"),
        ApiKeySetting(key=SecretStr(local_api_key(seed, "verifier")), role="verifier", name="verifier"),
    ]
    api_keys += [
        ApiKeySetting(key=SecretStr(local_api_key(seed, n)), role="custodian", account=accounts[n], name=n)
        for n in LOCAL_HOLDERS
    ]
    values: dict[str, Any] = {
        "environment": "local",
        "registry_url": f"sqlite:///{directory / 'registry.db'}",
        "engine_db_url": f"sqlite:///{directory / 'bridge.db'}",
        "chain": IN_PROCESS,
        "verifier_memory_dir": str(directory),
        "trust_account": trust_account,
        "trust_registry_key": trust_key,
        "custodian_registry_keys": {accounts[n]: registry_keys[n] for n in LOCAL_HOLDERS},
        "api_keys": api_keys,
    }
    values.update(overrides)
    return BridgeSettings(**values)


def local_api_key(seed: int, name: str) -> str:
    """The bridge API key of ``name`` in a local bridge: derived from the seed, never secret."""
    return f"bak_demo{seed}_{name}_{hashlib.sha256(f'bridge api key:{seed}:{name}'.encode()).hexdigest()[:24]}"
