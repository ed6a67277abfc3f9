"""Gathering one set of M signatures for a batch of locks from the verifiers the contract counts now.

Before asking, the engine reads the on-chain verifier set and threshold; it asks only verifiers whose
address (``GET /v1/identity``, cached) is in that set and who attest for this chain and bridge, each once
per batch, until the threshold is reached. Every answer is checked before it is kept: the signature must
recover to the verifier's address over the batch the engine built (its root and deadline). What the
verifiers refused is kept too, per lock where they named one, so that one refused lock does not hold back
the rest of a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bridge.chain.attestation import LockBatch, lock_batch_signer, order_signatures
from bridge.chain.bridge_contract import BridgeChain
from bridge.errors import CodedError
from bridge.verifier.client import VerifierClient
from bridge.verifier.errors import VerifierErrorCode
from bridge.verifier.schemas import AttestationRequest, VerifierIdentity

log = logging.getLogger(__name__)


@dataclass
class Gathered:
    """The outcome of asking the verifiers about one batch."""

    threshold: int
    signed: list[tuple[str, bytes]] = field(default_factory=list)  # (signer, signature)
    refusals: list[str] = field(default_factory=list)  # what each refusal said, for the rows' error message
    refused_locks: set[int] = field(default_factory=set)  # lock ids a verifier refused by name
    reachable: int = 0  # on-chain verifiers that answered at all

    @property
    def enough(self) -> bool:
        return len(self.signed) >= self.threshold

    def signatures(self) -> list[bytes]:
        return order_signatures(self.signed)

    def signers(self) -> list[str]:
        return sorted((signer for signer, _ in self.signed), key=lambda address: int(address, 16))


class VerifierPanel:
    """The verifiers the engine may ask (``clients``, by URL), seen against the chain's verifier set."""

    def __init__(self, clients: Sequence[VerifierClient], chain: BridgeChain) -> None:
        self.clients = list(clients)
        self.chain = chain
        self._identities: dict[str, VerifierIdentity] = {}

    def identity(self, client: VerifierClient) -> VerifierIdentity | None:
        """The verifier's identity (asked once, then remembered); None while it cannot be reached."""
        known = self._identities.get(client.url)
        if known is None:
            try:
                known = self._identities[client.url] = client.identity()
            except CodedError as exc:
                log.warning("verifier %s cannot be reached: %s", client.url, exc)
                return None
        return known

    def known(self) -> list[tuple[VerifierClient, VerifierIdentity | None]]:
        return [(client, self.identity(client)) for client in self.clients]

    def _attests_here(self, identity: VerifierIdentity) -> bool:
        return identity.chain_id == self.chain.chain_id and identity.bridge.lower() == self.chain.bridge.address.lower()

    def gather(self, request: AttestationRequest, lock_batch: LockBatch) -> Gathered:
        """Signatures over ``lock_batch`` (the root of ``request``'s leaves and its deadline) from on-chain
        verifiers, up to the on-chain threshold."""
        on_chain, threshold = self.chain.verifier_set()
        members = {address.lower() for address in on_chain}
        gathered = Gathered(threshold=threshold)
        for client in self.clients:
            if gathered.enough:
                break
            identity = self.identity(client)
            if identity is None:
                gathered.refusals.append(f"{client.url}: unreachable")
                continue
            if identity.address.lower() not in members or not self._attests_here(identity):
                continue  # not a verifier the contract counts (removed, or another bridge's): never asked
            try:
                answer = client.attest(request)
            except CodedError as exc:
                if exc.code is VerifierErrorCode.VERIFIER_UNAVAILABLE:
                    self._identities.pop(client.url, None)  # look again next time: it may have moved
                else:
                    gathered.reachable += 1
                gathered.refusals.append(f"{identity.name}: {exc.message}")
                lock_id = exc.details.get("lock_id") if exc.details else None
                if isinstance(lock_id, int):
                    gathered.refused_locks.add(lock_id)
                continue
            gathered.reachable += 1
            signer = self._checked_signer(answer.signature_bytes, lock_batch)
            if (
                signer is None
                or signer.lower() != identity.address.lower()
                or answer.root_bytes != lock_batch.locks_root
                or answer.deadline != lock_batch.deadline
            ):
                gathered.refusals.append(f"{identity.name}: answered a signature that is not over this batch")
                continue
            gathered.signed.append((identity.address, answer.signature_bytes))
        return gathered

    def _checked_signer(self, signature: bytes, lock_batch: LockBatch) -> str | None:
        try:
            return lock_batch_signer(
                lock_batch, signature, chain_id=self.chain.chain_id, bridge=str(self.chain.bridge.address)
            )
        except Exception:  # a malformed signature: not this verifier's
            return None
