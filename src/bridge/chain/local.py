"""A whole bridge on a development chain in one call: the timelock admin, the bridge, and separate keys for
the deployer, the admin, the engine, each verifier, and users.

Used by the demo, the test suite and the gas benchmark, so all three measure the same thing. By default the
keys are the development chain's funded accounts, in order: deployer, admin (the timelock's proposer and
executor), engine (PAUSER_ROLE + SETTLER_ROLE, and the default sender), the verifiers, then users
(``BridgeRoles.by_position``). ``BridgeRoles`` names them otherwise: the admin and the verifiers may be
mere addresses, whose keys live elsewhere (another process, the admin's key file): this process then
cannot administer the bridge or sign for those verifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Protocol

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from bridge.chain.attestation import CreditClass, Lock, LockBatch, order_signatures, sign_lock_batch
from bridge.chain.backend import DEFAULT_FORK, InProcessChain
from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.compiler import Artifacts, load_artifacts
from bridge.chain.deploy import (
    DEFAULT_MINT_CAP,
    LOCAL_MIN_DELAY,
    BridgeDeployment,
    MintCap,
    attach_bridge,
    deploy_governed_bridge,
    make_decoder,
)
from bridge.chain.lock_batch import LockTree, SignedLockBatch
from bridge.chain.policy import ChainPolicy
from bridge.chain.timelock import TimelockAdmin
from bridge.chain.tx import TxSender

ROLE_KEYS = 3  # deployer, admin, engine: the accounts before the verifiers


@dataclass(frozen=True)
class BridgeRoles:
    """Who deploys (and then holds nothing), who administers (the timelock's proposer and executor), whose key
    the engine sends with, who verifies, and the other funded keys (users). The admin and the verifiers may
    be given as addresses only."""

    deployer: LocalAccount
    admin: LocalAccount | str
    engine: LocalAccount
    verifiers: Sequence[LocalAccount | str]
    users: Sequence[LocalAccount] = ()

    @classmethod
    def by_position(cls, accounts: Sequence[LocalAccount], verifiers: int = 3) -> BridgeRoles:
        deployer, admin, engine, *others = accounts
        return cls(deployer, admin, engine, others[:verifiers], others[verifiers:])

    @property
    def admin_address(self) -> str:
        return self.admin if isinstance(self.admin, str) else str(self.admin.address)

    @property
    def verifier_addresses(self) -> list[str]:
        return [v if isinstance(v, str) else str(v.address) for v in self.verifiers]

    @property
    def verifier_keys(self) -> list[LocalAccount]:
        return [v for v in self.verifiers if not isinstance(v, str)]


class DevChain(Protocol):
    """A development chain with funded, known keys: the in-process EVM or a local anvil."""

    accounts: list[LocalAccount]

    @property
    def w3(self) -> Web3: ...

    @property
    def chain_id(self) -> int: ...

    def mine(self, blocks: int = 1) -> None: ...

    def snapshot(self) -> int: ...

    def revert(self, snapshot_id: int) -> None: ...

    def time_travel(self, seconds: int) -> None: ...


@dataclass
class LocalBridge:
    chain: DevChain
    deployment: BridgeDeployment
    deployer: LocalAccount
    admin: LocalAccount | None
    """Proposer and executor of the bridge's timelock: the only key that can change the bridge's settings (None
    when this process does not hold it)."""
    engine: LocalAccount
    """The engine's sending key: pauses and settles; cannot change who may mint."""
    verifiers: list[LocalAccount]
    """The verifier keys this process holds (tests and tools sign with them)."""
    threshold: int
    users: list[LocalAccount]
    policy: ChainPolicy = field(default_factory=ChainPolicy)  # fees, replacements, log spans of every sender
    _senders: dict[str, TxSender] = field(default_factory=dict)
    _lock_ids: count[int] = field(default_factory=lambda: count(1))

    @classmethod
    def start(
        cls,
        *,
        verifiers: int = 3,
        threshold: int = 2,
        fork: str = DEFAULT_FORK,
        artifacts: Artifacts | None = None,
        chain: DevChain | None = None,
        min_delay: int = LOCAL_MIN_DELAY,
        mint_cap: MintCap = DEFAULT_MINT_CAP,
        roles: BridgeRoles | None = None,
        policy: ChainPolicy | None = None,
    ) -> LocalBridge:
        """Deploy a timelock and a fresh bridge under it on ``chain`` (a new in-process EVM by default), with
        ``roles`` (the chain's funded keys by position by default, ``verifiers`` of them verifiers)."""
        artifacts = artifacts or load_artifacts()
        chain = chain or InProcessChain(fork=fork)
        roles = roles or BridgeRoles.by_position(chain.accounts, verifiers)
        policy = policy or ChainPolicy()
        sender = TxSender(chain.w3, roles.deployer, make_decoder(artifacts), policy)
        deployment = deploy_governed_bridge(
            sender,
            admin_key=roles.admin_address,
            engine=roles.engine.address,
            verifiers=roles.verifier_addresses,
            threshold=threshold,
            min_delay=min_delay,
            mint_cap=mint_cap,
            artifacts=artifacts,
        )
        bridge = cls._of(chain, deployment, roles, threshold, policy)
        bridge._senders[roles.deployer.address] = sender
        return bridge

    @classmethod
    def _of(
        cls,
        chain: DevChain,
        deployment: BridgeDeployment,
        roles: BridgeRoles,
        threshold: int,
        policy: ChainPolicy | None = None,
    ) -> LocalBridge:
        admin = None if isinstance(roles.admin, str) else roles.admin
        return cls(
            chain,
            deployment,
            roles.deployer,
            admin,
            roles.engine,
            roles.verifier_keys,
            threshold,
            list(roles.users),
            policy or ChainPolicy(),
        )

    @classmethod
    def attach(
        cls,
        chain: DevChain,
        address: str,
        *,
        timelock: str | None = None,
        verifiers: int = 3,
        threshold: int = 2,
        artifacts: Artifacts | None = None,
        roles: BridgeRoles | None = None,
        policy: ChainPolicy | None = None,
    ) -> LocalBridge:
        """The bridge ``start`` deployed at ``address`` (timelock at ``timelock``) on ``chain``, seen from
        another process: the same ``roles`` (by default the same keys by position)."""
        deployment = attach_bridge(chain.w3, address, artifacts, timelock=timelock)
        roles = roles or BridgeRoles.by_position(chain.accounts, verifiers)
        return cls._of(chain, deployment, roles, threshold, policy)

    @property
    def bridge(self) -> Contract:
        return self.deployment.bridge

    def sender(self, account: LocalAccount | None = None) -> TxSender:
        """A sender for ``account``; the engine's key by default."""
        account = account or self.engine
        if account.address not in self._senders:
            self._senders[account.address] = TxSender(self.chain.w3, account, self.deployment.decoder, self.policy)
        return self._senders[account.address]

    def bridge_chain(self, *, confirmations: int = 2) -> BridgeChain:
        """The engine's view of this bridge, sending with the engine's key. On the in-process EVM, which only
        this process drives, a mint's dry run is the mint itself, taken back if it fails."""
        rollback = self.chain if isinstance(self.chain, InProcessChain) else None
        return BridgeChain(self.deployment, self.sender(), confirmations=confirmations, rollback=rollback)

    def resync(self) -> None:
        """Forget cached nonces and token handles (after reverting the chain to a snapshot)."""
        for sender in self._senders.values():
            sender.resync()
        self.deployment.forget_tokens()

    # --- admin ---------------------------------------------------------------------------------

    @property
    def timelock(self) -> TimelockAdmin:
        if self.deployment.timelock is None:
            raise LookupError("this bridge was attached without its timelock's address")
        if self.admin is None:
            raise LookupError("this process does not hold the admin's key")
        return TimelockAdmin(self.deployment.timelock, self.sender(self.admin))

    def admin_execute(self, call: ContractFunction) -> TxReceipt:
        """Runs an admin change through the timelock: schedule, move the chain's clock past the delay, execute."""
        timelock = self.timelock
        timelock.schedule(call)
        self.chain.time_travel(timelock.min_delay())
        return timelock.execute(call)

    # --- locks and mints -----------------------------------------------------------------------

    def deadline(self, seconds: int = 3600) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"]) + seconds

    def next_lock_id(self) -> int:
        return next(self._lock_ids)

    def lock(
        self,
        credit_class: CreditClass,
        *,
        serial: str,
        start: int,
        end: int,
        recipient: str,
        registry: str | None = None,
        lock_id: int | None = None,
    ) -> Lock:
        """A registry lock of units ``start..end`` (a fresh lock id unless one is given)."""
        return Lock(
            lock_id=self.next_lock_id() if lock_id is None else lock_id,
            registry=registry or credit_class.program,
            serial=serial,
            block_start=start,
            block_end=end,
            credit_class=credit_class,
            recipient=recipient,
        )

    def sign(self, lock_batch: LockBatch, signers: Sequence[LocalAccount] | None = None) -> list[bytes]:
        """Signatures of ``lock_batch`` by ``signers`` (the threshold's first verifiers by default), ordered."""
        keys = self.verifiers[: self.threshold] if signers is None else signers
        chain_id, address = self.chain.chain_id, self.deployment.address
        return order_signatures(
            [(k.address, sign_lock_batch(lock_batch, k.key, chain_id=chain_id, bridge=address)) for k in keys]
        )

    def sign_locks(
        self,
        locks: Sequence[Lock],
        *,
        signers: Sequence[LocalAccount] | None = None,
        deadline: int | None = None,
        sort_leaves: bool = True,
    ) -> SignedLockBatch:
        """``locks`` as one batch, signed by ``signers`` (by default, as many verifiers as the threshold)."""
        tree = LockTree.of(locks, sort_leaves=sort_leaves)
        lock_batch = tree.lock_batch(self.deadline() if deadline is None else deadline)
        return SignedLockBatch(tree, lock_batch, tuple(self.sign(lock_batch, signers)))

    def mint_signed(
        self,
        signed: SignedLockBatch,
        *,
        subset: Sequence[Lock] | None = None,
        sender: TxSender | None = None,
        gas: int | None = None,
    ) -> TxReceipt:
        """Sends ``mintLocks`` for the signed batch (or a ``subset`` of it), encoded with eth_abi, with a fixed gas
        budget unless ``gas`` is given (one dry run instead of estimating). Anyone may send it; the engine's
        key does by default."""
        args = signed.mint_args(subset)
        data = "0x" + args.calldata().hex()
        return (sender or self.sender()).send_prepared(self.deployment.address, data, gas=gas or args.gas_budget())

    def mint_locks(
        self,
        locks: Sequence[Lock],
        *,
        signers: Sequence[LocalAccount] | None = None,
        sender: TxSender | None = None,
        gas: int | None = None,
    ) -> TxReceipt:
        """Signs ``locks`` as one batch and mints all of them."""
        return self.mint_signed(self.sign_locks(locks, signers=signers), sender=sender, gas=gas)

    def token(self, credit_class: CreditClass) -> Contract:
        token = self.deployment.class_token(credit_class)
        if token is None:
            raise LookupError(f"class {credit_class.program} {credit_class.project_id} has no token yet")
        return token
