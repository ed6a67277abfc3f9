"""The parts of a ``BridgeService`` built from its settings: who holds which role, the verifiers run in the
service's process (local use), the claim on the worker's sending key, the admin timelock's delay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.local import BridgeRoles, DevChain, LocalBridge
from bridge.chain.rpc import RpcChain
from bridge.engine import claims
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.store import EngineStore
from bridge.registry.client import RegistryClient
from bridge.settings import BridgeSettings
from bridge.verifier.checks import LockChecks
from bridge.verifier.client import HttpVerifier
from bridge.verifier.memory import SignedLocks
from bridge.verifier.service import VerifierService

SENDER_WAIT_S = 10  # how long a starting worker waits for its key's claim before refusing


@contextmanager
def own_sender(store: EngineStore, address: str) -> Iterator[None]:
    """Hold the sending key ``address`` in a shared engine database while this worker runs."""
    deadline = time.monotonic() + SENDER_WAIT_S  # a worker killed just now: its claims are freed in a moment
    while True:
        with claims.held(store, claims.SENDER, [address.lower()]) as mine:
            if mine:
                yield
                return
        if time.monotonic() > deadline:
            raise BridgeError(
                f"another worker sends with {address}: each worker needs a sending key of its own "
                "(BRIDGE_OPERATOR_KEY), or their nonces would collide",
                code=BridgeErrorCode.INVALID_REQUEST,
                field="operator_key",
            )
        time.sleep(0.5)


def bridge_roles(settings: BridgeSettings, chain: DevChain, clients: list[HttpVerifier]) -> BridgeRoles:
    """Who deploys, administers, sends and verifies. On a development chain its funded keys by position unless
    the settings name them (the admin by address: its key is never loaded here); on a JSON-RPC chain the
    engine's key deploys (and keeps only its own roles), and the admin and verifiers are named by address."""
    operator = Account.from_key(settings.operator_key.get_secret_value()) if settings.operator_key else None
    verifier_keys = [Account.from_key(k.get_secret_value()) for k in settings.verifier_keys]
    verifiers: list[LocalAccount | str] = list(verifier_keys)
    if clients:
        verifiers = [
            v.address or client.identity().address for v, client in zip(settings.verifiers, clients, strict=True)
        ]
    if isinstance(chain, RpcChain):
        assert operator is not None
        admin = settings.admin_address
        if admin is None and not settings.bridge_address:
            raise BridgeError("a deployment on a JSON-RPC chain needs admin_address", field="admin_address")
        if not verifiers and not settings.bridge_address:
            raise BridgeError("a deployment on a JSON-RPC chain needs its verifiers", field="verifiers")
        return BridgeRoles(deployer=operator, admin=admin or operator.address, engine=operator, verifiers=verifiers)
    funded = list(chain.accounts)
    deployer, admin_key, engine_key, *others = funded
    default_verifiers = others[:3]
    return BridgeRoles(
        deployer=deployer,
        admin=settings.admin_address or admin_key,
        engine=operator or engine_key,
        verifiers=verifiers or list(default_verifiers),
        users=others[0 if verifiers else 3 :],
    )


def in_process_verifiers(
    settings: BridgeSettings, registry: RegistryClient, chain: BridgeChain, keys: list[LocalAccount]
) -> list[VerifierService]:
    """Verifiers run inside this process (local use only): each with its key, an anonymous registry reader
    and its own memory file, checking exactly as a verifier service does."""
    memory_dir = Path(settings.verifier_memory_dir) if settings.verifier_memory_dir else None
    assert settings.trust_account is not None
    return [
        VerifierService(
            name=f"verifier-{i}",
            account=key,
            checks=LockChecks(
                registry=registry,
                chain_id=chain.chain_id,
                trust_account=settings.trust_account,
                predict_token=chain.predict_token,
                policy=settings.policy,
            ),
            bridge=chain.deployment.address,
            memory=SignedLocks(memory_dir / f"verifier-{i}-locks.db" if memory_dir else None),
        )
        for i, key in enumerate(keys)
    ]


def timelock_delay(onchain: LocalBridge, admins: list[str]) -> int | None:
    """The minimum delay of the admin, when it is one timelock (a multisig or a key has none)."""
    if len(admins) != 1:
        return None
    timelock = onchain.deployment.w3.eth.contract(
        address=admins[0], abi=onchain.deployment.artifacts["BridgeTimelock"].abi
    )
    try:
        return int(timelock.functions.getMinDelay().call())
    except Exception:  # not a timelock: no such function there
        return None
