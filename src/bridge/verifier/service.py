"""A verifier: an independent signer of lock batches, with its own key, registry reader and memory.

``VerifierService.attest(request)`` checks every lock of the batch against the registry (``LockChecks``),
writes each lock id and leaf to its durable memory (``SignedLocks``: it never signs a different leaf for one
lock id), and only then signs the batch's ``LockBatch`` (the root of the leaves in the order given, and the
deadline) under the bridge's EIP-712 domain. The same object serves the HTTP API (``carbon-bridge verifier
serve``) and the in-process verifiers of tests: one checking code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount

from bridge.chain.attestation import sign_lock_batch
from bridge.chain.lock_batch import LockTree
from bridge.verifier.checks import LockChecks
from bridge.verifier.errors import VerifierError, VerifierErrorCode
from bridge.verifier.memory import SignedLocks
from bridge.verifier.schemas import AttestationPublic, AttestationRequest, VerifierIdentity

log = logging.getLogger(__name__)
MAX_DEADLINE_SECONDS = 24 * 3600
"""A verifier signs batches that expire within a day: a signature cannot be held back for long."""


@dataclass
class VerifierService:
    name: str
    account: LocalAccount
    checks: LockChecks
    bridge: str
    memory: SignedLocks = field(default_factory=SignedLocks)
    clock: Callable[[], float] = time.time

    @property
    def address(self) -> str:
        return str(self.account.address)

    def identity(self) -> VerifierIdentity:
        return VerifierIdentity(
            name=self.name,
            address=self.address,
            chain_id=self.checks.chain_id,
            bridge=self.bridge,
            trust_account=self.checks.trust_account,
        )

    def attest(self, request: AttestationRequest) -> AttestationPublic:
        """This verifier's signature over the batch, or a coded refusal naming the lock (nothing signed)."""
        now = self.clock()
        if not now < request.deadline <= now + MAX_DEADLINE_SECONDS:
            raise VerifierError(
                f"deadline {request.deadline} is not within the next {MAX_DEADLINE_SECONDS} seconds",
                code=VerifierErrorCode.DEADLINE_REFUSED,
                field="deadline",
            )
        locks = request.locks()
        self.checks.check_all(locks)
        tree = LockTree.of(locks, sort_leaves=False)  # the request's tree, from the locks already made
        self.memory.remember((lock.lock_id, lock.leaf()) for lock in locks)  # before the signature leaves
        lock_batch = tree.lock_batch(request.deadline)
        signature = sign_lock_batch(lock_batch, self.account.key, chain_id=self.checks.chain_id, bridge=self.bridge)
        log.info("%s signed a batch of %s locks (root 0x%s)", self.name, len(locks), tree.root.hex()[:16])
        return AttestationPublic(
            signer=self.address,
            locks_root="0x" + tree.root.hex(),
            deadline=request.deadline,
            signature="0x" + signature.hex(),
            locks=len(locks),
        )

    def close(self) -> None:
        self.memory.close()
