"""Helpers of the verifier tests: a tokenization driven up to its lock, the lock as its leaf says, and a
verifier's answer or refusal."""

from __future__ import annotations

import pytest

from bridge.chain.attestation import Lock
from bridge.engine.locks import lock_of
from bridge.engine.schemas import TokenizationRequest
from bridge.verifier.errors import VerifierError
from bridge.verifier.schemas import AttestationPublic, AttestationRequest
from engine_harness import BridgeWorld


def locked(bw: BridgeWorld, quantity: int = 10, **issue: object) -> Lock:
    """A tokenization driven up to its lock (the block is locked in trust under a lock id, nothing signed)."""
    issued = bw.world.issue(quantity, **issue)
    tokenization = bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key=f"verify-{issued.block.id}-{issued.issuance.id}",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )
    bw.engine.tokenize._immobilize(tokenization.id)
    return lock_of(bw.engine.tokenize._load(tokenization.id))


def ask(bw: BridgeWorld, *locks: Lock, verifier: int = 0, deadline: int | None = None) -> AttestationPublic:
    request = AttestationRequest.of(locks, deadline=deadline or bw.local.deadline())
    return bw.verifiers[verifier].attest(request)


def refusal(bw: BridgeWorld, *locks: Lock, code: str = "lock_refused", **options: object) -> VerifierError:
    with pytest.raises(VerifierError) as info:
        ask(bw, *locks, **options)  # type: ignore[arg-type]
    assert info.value.code == code, info.value
    return info.value
