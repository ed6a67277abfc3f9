"""A verifier service built from its settings: its key, its registry reader over HTTP (checked to be a key
that acts for no account), its chain reader (the bridge's token predictions) and its memory file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import cache
from typing import Final, TypeVar

from web3 import Web3

from bridge.chain.attestation import CreditClass
from bridge.chain.backend import connect_rpc
from bridge.chain.deploy import attach_bridge
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.errors import CodedError
from bridge.registry.client import HttpRegistryClient
from bridge.verifier.checks import LockChecks
from bridge.verifier.errors import VerifierError, VerifierErrorCode
from bridge.verifier.memory import SignedLocks
from bridge.verifier.service import VerifierService
from bridge.verifier.settings import VerifierSettings

T = TypeVar("T")
log = logging.getLogger(__name__)
STARTUP_WAIT: Final = 30.0
"""Seconds a starting verifier waits for its registry and its node to answer (they may start with it)."""


def token_predictor(w3: Web3, bridge_address: str) -> Callable[[CreditClass], str]:
    """``predict_token(credit_class)``: the bridge's ``predictClassToken`` (deterministic: asked once per
    class); a node that cannot be reached is ``chain_unavailable``."""
    bridge = attach_bridge(w3, bridge_address).bridge

    @cache
    def predict(credit_class: CreditClass) -> str:
        try:
            return str(bridge.functions.predictClassToken(credit_class.as_tuple()).call())
        except Exception as exc:
            raise ChainError(f"the bridge's node cannot be read: {exc}", code=ChainErrorCode.CHAIN_UNAVAILABLE) from exc

    return predict


def _waiting(what: str, attempt: Callable[[], T], *, until: float) -> T:
    """``attempt()``, retried while it raises ``CodedError`` until ``until`` (monotonic seconds)."""
    while True:
        try:
            return attempt()
        except CodedError as exc:
            if time.monotonic() > until:
                raise VerifierError(f"{what}: {exc.message}", code=VerifierErrorCode.SOURCE_UNAVAILABLE) from exc
            time.sleep(0.5)


def build_verifier(settings: VerifierSettings, *, wait: float = STARTUP_WAIT) -> VerifierService:
    """The verifier ``settings`` describe, its sources checked before it answers anyone."""
    account = settings.signing_key()
    until = time.monotonic() + wait
    w3 = _waiting(f"the node at {settings.rpc_url}", lambda: connect_rpc(settings.rpc_url), until=until)
    if not w3.eth.get_code(Web3.to_checksum_address(settings.bridge_address)):
        raise VerifierError(
            f"no contract at {settings.bridge_address} on the node at {settings.rpc_url}",
            code=VerifierErrorCode.MISCONFIGURED,
            field="bridge_address",
        )
    key = settings.registry_key.get_secret_value() if settings.registry_key else None
    registry = HttpRegistryClient(settings.registry_url, key)
    if key is not None:
        principal = _waiting(f"the registry at {settings.registry_url}", registry.whoami, until=until)
        if principal.operator or principal.accounts:
            raise VerifierError(
                "the verifier's registry key acts for accounts (or is the operator's): a verifier reads with a key "
                "that can move nothing",
                code=VerifierErrorCode.MISCONFIGURED,
                field="registry_key",
            )
    log.info(
        "verifier %s (%s) attests for bridge %s on chain %s",
        settings.name,
        account.address,
        settings.bridge_address,
        w3.eth.chain_id,
    )
    return VerifierService(
        name=settings.name,
        account=account,
        checks=LockChecks(
            registry=registry,
            chain_id=int(w3.eth.chain_id),
            trust_account=settings.trust_account,
            predict_token=token_predictor(w3, settings.bridge_address),
            policy=settings.policy,
        ),
        bridge=settings.bridge_address,
        memory=SignedLocks(settings.memory_file),
    )
