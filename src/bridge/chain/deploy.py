"""Deploy the bridge contracts and hand back typed handles to them.

Roles are set at construction and the deployer keeps none: the admin (a timelock, or a multisig address)
holds DEFAULT_ADMIN_ROLE and VERIFIER_MANAGER_ROLE; the engine's sending key holds PAUSER_ROLE and
SETTLER_ROLE; the contract refuses one account as both. ``deploy_governed_bridge`` deploys the timelock
(self-administered, one proposer/executor key) and the bridge under it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web3 import Web3
from web3.contract import Contract

from bridge.chain.attestation import CreditClass
from bridge.chain.compiler import Artifacts, load_artifacts
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.reverts import ErrorDecoder
from bridge.chain.tx import TxSender

BRIDGE_CONTRACT = "CarbonBridge"
TOKEN_CONTRACT = "CarbonCreditToken"
TIMELOCK_CONTRACT = "BridgeTimelock"
ZERO_ADDRESS = "0x" + "00" * 20
LOCAL_MIN_DELAY = 60
"""Seconds a local bridge's admin changes wait in its timelock (tests move the clock forward)."""


@dataclass(frozen=True)
class MintCap:
    """The bridge's per-class mint cap: at most ``tonnes_per_period`` tonnes of a class per window."""

    tonnes_per_period: int = 1_000_000
    period_seconds: int = 86_400


DEFAULT_MINT_CAP = MintCap()


@dataclass
class BridgeDeployment:
    """A deployed bridge: its contract, its admin timelock (if known), the artifacts, an error decoder."""

    w3: Web3
    artifacts: Artifacts
    bridge: Contract
    decoder: ErrorDecoder
    timelock: Contract | None = None
    _tokens: dict[bytes, Contract] = field(default_factory=dict)
    _chain_id: int | None = None

    @property
    def address(self) -> str:
        return str(self.bridge.address)

    @property
    def chain_id(self) -> int:
        """The chain's id (asked once: a node does not change chains)."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def has_role(self, role: str, account: str) -> bool:
        """Whether ``account`` holds the bridge's role named ``role`` (e.g. "VERIFIER_MANAGER_ROLE")."""
        role_id = getattr(self.bridge.functions, role)().call()
        return bool(self.bridge.functions.hasRole(role_id, Web3.to_checksum_address(account)).call())

    @property
    def token_abi(self) -> list[dict[str, Any]]:
        """The ABI every class token has (they are clones of one implementation)."""
        return self.artifacts[TOKEN_CONTRACT].abi

    def token_at(self, address: str) -> Contract:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=self.token_abi)

    def class_token(self, credit_class: CreditClass | bytes) -> Contract | None:
        """The class's token contract, or None while no batch of the class has been bridged."""
        class_id = credit_class.class_id if isinstance(credit_class, CreditClass) else credit_class
        if class_id not in self._tokens:
            address = self.bridge.functions.classToken(class_id).call()
            if int(address, 16) == 0:
                return None
            self._tokens[class_id] = self.token_at(address)
        return self._tokens[class_id]

    def forget_tokens(self) -> None:
        """Drop cached token handles (after the chain was rolled back)."""
        self._tokens.clear()


def make_decoder(artifacts: Artifacts) -> ErrorDecoder:
    return ErrorDecoder(artifacts.all_abis())


def deploy_bridge(
    sender: TxSender,
    *,
    admin: str,
    engine: str,
    verifiers: list[str],
    threshold: int,
    mint_cap: MintCap = DEFAULT_MINT_CAP,
    artifacts: Artifacts | None = None,
) -> BridgeDeployment:
    """Deploys the bridge with ``admin`` (a timelock or multisig) and ``engine`` (the engine's sending key)."""
    artifacts = artifacts or load_artifacts()
    bridge = sender.deploy(
        artifacts[BRIDGE_CONTRACT],
        Web3.to_checksum_address(admin),
        Web3.to_checksum_address(engine),
        [Web3.to_checksum_address(v) for v in verifiers],
        threshold,
        mint_cap.tonnes_per_period,
        mint_cap.period_seconds,
    )
    return BridgeDeployment(w3=sender.w3, artifacts=artifacts, bridge=bridge, decoder=sender.decoder)


def deploy_timelock(
    sender: TxSender,
    *,
    min_delay: int,
    proposers: list[str],
    executors: list[str],
    artifacts: Artifacts | None = None,
) -> Contract:
    """Deploys a self-administered timelock (no admin account: its own settings change only by proposal)."""
    artifacts = artifacts or load_artifacts()
    return sender.deploy(
        artifacts[TIMELOCK_CONTRACT],
        min_delay,
        [Web3.to_checksum_address(p) for p in proposers],
        [Web3.to_checksum_address(e) for e in executors],
        ZERO_ADDRESS,
    )


def deploy_governed_bridge(
    sender: TxSender,
    *,
    admin_key: str,
    engine: str,
    verifiers: list[str],
    threshold: int,
    min_delay: int = LOCAL_MIN_DELAY,
    mint_cap: MintCap = DEFAULT_MINT_CAP,
    artifacts: Artifacts | None = None,
) -> BridgeDeployment:
    """Deploys a timelock whose proposer and executor is ``admin_key``, then the bridge with the timelock as
    its admin. ``sender`` (the deployer) holds no role on either afterwards."""
    artifacts = artifacts or load_artifacts()
    timelock = deploy_timelock(
        sender, min_delay=min_delay, proposers=[admin_key], executors=[admin_key], artifacts=artifacts
    )
    deployment = deploy_bridge(
        sender,
        admin=str(timelock.address),
        engine=engine,
        verifiers=verifiers,
        threshold=threshold,
        mint_cap=mint_cap,
        artifacts=artifacts,
    )
    deployment.timelock = timelock
    return deployment


def attach_bridge(
    w3: Web3, address: str, artifacts: Artifacts | None = None, *, timelock: str | None = None
) -> BridgeDeployment:
    """Handles to a bridge deployed earlier (and to its timelock, when its address is given)."""
    artifacts = artifacts or load_artifacts()
    bridge = w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifacts[BRIDGE_CONTRACT].abi)
    admin = None
    if timelock is not None:
        admin = w3.eth.contract(address=Web3.to_checksum_address(timelock), abi=artifacts[TIMELOCK_CONTRACT].abi)
    return BridgeDeployment(w3=w3, artifacts=artifacts, bridge=bridge, decoder=make_decoder(artifacts), timelock=admin)


def checked_bridge(w3: Web3, address: str) -> str:
    """``address`` checksummed, once the chain shows a contract there (attaching to nothing fails here, named)."""
    try:
        checksummed = Web3.to_checksum_address(address)
    except ValueError:
        raise ChainError(
            f"{address!r} is not an address", code=ChainErrorCode.INVALID_CHAIN_CONFIG, field="bridge_address"
        ) from None
    if not w3.eth.get_code(checksummed):
        raise ChainError(
            f"no contract at {checksummed} on chain {int(w3.eth.chain_id)}: not this chain's bridge",
            code=ChainErrorCode.INVALID_CHAIN_CONFIG,
            field="bridge_address",
        )
    return checksummed
