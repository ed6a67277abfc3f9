"""A whole bridge on an in-process EVM in one call: chain, deployment, operator and verifier keys.

Used by the demo, the test suite and the gas benchmark, so all three measure the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Protocol

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from bridge.chain.attestation import Attestation, CreditClass
from bridge.chain.backend import DEFAULT_FORK, InProcessChain
from bridge.chain.compiler import Artifacts, load_artifacts
from bridge.chain.deploy import BridgeDeployment, attach_bridge, deploy_bridge, make_decoder
from bridge.chain.policy import ChainPolicy
from bridge.chain.tx import TxSender


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


@dataclass
class LocalBridge:
    chain: DevChain
    deployment: BridgeDeployment
    operator: LocalAccount
    verifiers: list[LocalAccount]
    threshold: int
    users: list[LocalAccount]
    policy: ChainPolicy = field(default_factory=ChainPolicy)  # fees, replacements, log spans of every sender
    _senders: dict[str, TxSender] = field(default_factory=dict)
    _nonces: count = field(default_factory=lambda: count(1))

    @classmethod
    def start(
        cls,
        *,
        verifiers: int = 3,
        threshold: int = 2,
        fork: str = DEFAULT_FORK,
        artifacts: Artifacts | None = None,
        chain: DevChain | None = None,
        policy: ChainPolicy | None = None,
    ) -> LocalBridge:
        """Deploy a fresh bridge on ``chain`` (a new in-process EVM by default)."""
        artifacts = artifacts or load_artifacts()
        chain = chain or InProcessChain(fork=fork)
        policy = policy or ChainPolicy()
        operator, *others = chain.accounts
        verifier_keys, users = others[:verifiers], others[verifiers:]
        sender = TxSender(chain.w3, operator, make_decoder(artifacts), policy)
        deployment = deploy_bridge(
            sender,
            admin=operator.address,
            verifiers=[v.address for v in verifier_keys],
            threshold=threshold,
            artifacts=artifacts,
        )
        bridge = cls(chain, deployment, operator, verifier_keys, threshold, users, policy)
        bridge._senders[operator.address] = sender
        return bridge

    @classmethod
    def attach(
        cls,
        chain: DevChain,
        address: str,
        *,
        verifiers: int = 3,
        threshold: int = 2,
        artifacts: Artifacts | None = None,
        policy: ChainPolicy | None = None,
    ) -> LocalBridge:
        """The bridge ``start`` deployed at ``address`` on ``chain``, seen from another process."""
        operator, *others = chain.accounts
        deployment = attach_bridge(chain.w3, address, artifacts)
        return cls(
            chain, deployment, operator, others[:verifiers], threshold, others[verifiers:], policy or ChainPolicy()
        )

    @property
    def bridge(self) -> Contract:
        return self.deployment.bridge

    def sender(self, account: LocalAccount | None = None) -> TxSender:
        account = account or self.operator
        if account.address not in self._senders:
            self._senders[account.address] = TxSender(self.chain.w3, account, self.deployment.decoder, self.policy)
        return self._senders[account.address]

    def resync(self) -> None:
        """Forget cached nonces and token handles (after reverting the chain to a snapshot)."""
        for sender in self._senders.values():
            sender.resync()
        self.deployment.forget_tokens()

    def next_nonce(self) -> int:
        return next(self._nonces)

    def deadline(self, seconds: int = 3600) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"]) + seconds

    def attestation(
        self,
        credit_class: CreditClass,
        *,
        serial: str,
        start: int,
        end: int,
        recipient: str,
        registry: str | None = None,
        quantity: int | None = None,
        nonce: int | None = None,
        deadline: int | None = None,
    ) -> Attestation:
        return Attestation(
            registry=registry or credit_class.program,
            serial=serial,
            block_start=start,
            block_end=end,
            quantity=end - start + 1 if quantity is None else quantity,
            credit_class=credit_class,
            recipient=recipient,
            nonce=self.next_nonce() if nonce is None else nonce,
            deadline=self.deadline() if deadline is None else deadline,
        )

    def signatures(self, attestation: Attestation, signers: list[LocalAccount] | None = None) -> list[bytes]:
        return self.deployment.sign(attestation, signers or self.verifiers[: self.threshold])

    def mint(self, attestation: Attestation, *, signers: list[LocalAccount] | None = None) -> TxReceipt:
        call = self.bridge.functions.mint(attestation.as_tuple(), self.signatures(attestation, signers))
        return self.sender().transact(call)

    def mint_batch(self, attestations: list[Attestation]) -> TxReceipt:
        call = self.bridge.functions.mintBatch(
            [a.as_tuple() for a in attestations], [self.signatures(a) for a in attestations]
        )
        return self.sender().transact(call)

    def token(self, credit_class: CreditClass) -> Contract:
        token = self.deployment.class_token(credit_class)
        if token is None:
            raise LookupError(f"class {credit_class.program} {credit_class.project_id} has no token yet")
        return token
