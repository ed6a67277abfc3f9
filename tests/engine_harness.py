"""A whole bridge for engine tests: registry + in-process chain + three verifiers + engine, restartable.

The engine and the verifiers reach the registry only through its client, each identity with its own
API key (the custodian's for locking, the bridge's trust account key for releases and retirements).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD

from bridge.chain.local import DevChain, LocalBridge
from bridge.chain.retirement import RetirementDetails
from bridge.engine.engine import BridgeEngine
from bridge.engine.faults import NO_FAULTS, Faults
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.store import EngineStore
from bridge.primitives import TONNE
from bridge.registry.auth import issue_api_key
from bridge.registry.client import HttpRegistryClient, InProcessRegistryClient, RegistryClient
from bridge.registry.ledger import Registry
from bridge.verifier.checks import LockChecks
from bridge.verifier.client import InProcessVerifier
from bridge.verifier.memory import SignedLocks
from bridge.verifier.service import VerifierService
from registry_factories import World, build_world


@dataclass
class BridgeWorld:
    tmp: Path
    local: LocalBridge
    registry: Registry
    world: World
    confirmations: int = 2
    start_block: int = -1
    policy: EligibilityPolicy = field(default_factory=EligibilityPolicy)
    engine: BridgeEngine = field(init=False)
    _keys: dict[int, str] = field(default_factory=dict)
    http: Any = None  # a TestClient of the registry app: the engine then talks HTTP
    engine_url: str = ""  # the engine database (default: bridge.db in ``tmp``)
    store: EngineStore = field(init=False)
    verifiers: list[VerifierService] = field(init=False)

    def __post_init__(self) -> None:
        if self.start_block < 0:
            self.start_block = self.local.chain.w3.eth.block_number
        self.engine_url = self.engine_url or f"sqlite:///{self.tmp / 'bridge.db'}"
        self.restart()

    def client(self, account: int | None) -> RegistryClient:
        """The registry as the engine sees it: through a client (in-process, or over HTTP when
        ``self.http`` is a test client of the registry API), with the API key of ``account``."""
        key = None
        if account is not None:
            if account not in self._keys:
                self._keys[account] = issue_api_key(self.registry, accounts=[account], label=f"account {account}")
            key = self._keys[account]
        if self.http is not None:
            return HttpRegistryClient(str(self.http.base_url), key, http=self.http)
        return InProcessRegistryClient(self.registry, key)

    def restart(self, faults: Faults = NO_FAULTS, clock: Callable[[], float] | None = None) -> BridgeEngine:
        """A fresh engine (and verifiers) over the same databases, memories and chain, as after a process
        restart; ``clock`` for both (default: the time)."""
        if hasattr(self, "store"):
            self.store.close()
            for verifier in self.verifiers:
                verifier.close()
        self.store = EngineStore(self.engine_url)
        chain = self.local.bridge_chain(confirmations=self.confirmations)
        self.verifiers = [
            VerifierService(
                name=f"verifier-{i}",
                account=key,
                checks=LockChecks(
                    registry=self.client(None),
                    chain_id=self.local.chain.chain_id,
                    trust_account=self.world.trust,
                    predict_token=chain.predict_token,
                    policy=self.policy,
                ),
                bridge=self.local.deployment.address,
                memory=SignedLocks(self.tmp / f"verifier-{i}.db"),
                clock=clock or time.time,
            )
            for i, key in enumerate(self.local.verifiers)
        ]
        self.engine = BridgeEngine(
            store=self.store,
            chain=chain,
            registry=self.client(self.world.trust),
            custodian_registry=self.client,
            verifiers=[InProcessVerifier(v) for v in self.verifiers],
            trust_account=self.world.trust,
            policy=self.policy,
            faults=faults,
            start_block=self.start_block,
            **({"clock": clock} if clock is not None else {}),
        )
        self.engine.resume()
        return self.engine

    @property
    def holder(self) -> LocalAccount:
        return self.local.users[0]

    def settle(self, rounds: int = 6) -> None:
        """Drive the engine to rest, mining blocks so that confirmations are reached."""
        for _ in range(rounds):
            self.engine.run_until_idle()
            self.local.chain.mine(self.confirmations)
        self.engine.run_until_idle()

    def balance(self, token: str, account: LocalAccount) -> int:
        return int(self.local.deployment.token_at(token).functions.balanceOf(account.address).call())


def tonnes(amount: int) -> int:
    return amount * TONNE


def make_world(tmp: Path, *, chain: DevChain | None = None, engine_url: str = "", **kwargs: Any) -> BridgeWorld:
    """A new world in ``tmp``; the engine database at ``engine_url`` (default: a SQLite file in ``tmp``)."""
    registry = Registry.open(f"sqlite:///{tmp / 'registry.db'}")
    world = build_world(registry)
    local = LocalBridge.start(verifiers=3, threshold=2, chain=chain)
    bw = BridgeWorld(tmp=tmp, local=local, registry=registry, world=world, engine_url=engine_url, **kwargs)
    (tmp / "world.json").write_text(
        json.dumps(
            {
                "custodian": world.custodian,
                "trader": world.trader,
                "trust": world.trust,
                "bridge": local.deployment.address,
                "start_block": bw.start_block,
                "engine_url": bw.engine_url,
            }
        )
    )
    return bw


def attach_world(tmp: Path, chain: DevChain, **kwargs: Any) -> BridgeWorld:
    """The world ``make_world`` built in ``tmp``, opened again (from another process, say)."""
    saved = json.loads((tmp / "world.json").read_text())
    registry = Registry.open(f"sqlite:///{tmp / 'registry.db'}")
    world = World(registry=registry, custodian=saved["custodian"], trader=saved["trader"], trust=saved["trust"])
    local = LocalBridge.attach(chain, saved["bridge"])
    return BridgeWorld(
        tmp=tmp,
        local=local,
        registry=registry,
        world=world,
        start_block=saved["start_block"],
        engine_url=saved["engine_url"],
        **kwargs,
    )


def tokenize(bw: BridgeWorld, quantity: int = 500, key: str | None = None, **issue_kwargs: Any) -> Any:
    """Issue a block to the custodian, tokenize all of it to the holder, and drive the engine to rest."""
    from bridge.engine.schemas import TokenizationRequest

    issued = bw.world.issue(quantity, **issue_kwargs)
    tokenization = bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key=key or f"tok-{issued.block.serial[-24:].replace(' ', '')}-{quantity}",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )
    bw.settle()
    done = bw.engine.get_tokenization(tokenization.id)
    assert done.step == "completed", done
    return done


def request_redemption(bw: BridgeWorld, class_id: str, tonnes_: int, account: int | str, holder: Any = None) -> int:
    from hexbytes import HexBytes

    holder = holder or bw.holder
    bridge = bw.local.bridge
    call = bridge.functions.requestRedemption(HexBytes(class_id), tonnes_ * TONNE, str(account))
    receipt = bw.local.sender(holder).transact(call)
    return int(bridge.events.RedemptionRequested().process_receipt(receipt, errors=DISCARD)[0]["args"]["redemptionId"])


def retire(bw: BridgeWorld, class_id: str, amount: int, beneficiary: str = "Acme Airlines", holder: Any = None) -> int:
    from hexbytes import HexBytes

    holder = holder or bw.holder
    bridge = bw.local.bridge
    details = RetirementDetails(
        beneficiary_name=beneficiary, reason="2025 scope 1 offsetting", purpose="voluntary_offsetting"
    )
    call = bridge.functions.retire(HexBytes(class_id), amount, details.as_tuple())
    receipt = bw.local.sender(holder).transact(call)
    return int(bridge.events.Retired().process_receipt(receipt, errors=DISCARD)[0]["args"]["certificateId"])
