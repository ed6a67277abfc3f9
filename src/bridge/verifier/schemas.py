"""What a verifier is asked and what it answers (its HTTP API's bodies; the engine's in-process port uses
the same models).

An ``AttestationRequest`` is one batch of registry locks as the contract's ``mintLocks`` takes them: the
credit classes once each, and per lock a leaf naming its class by index. The verifier builds the batch's
Merkle tree with the leaves in the order given (the engine groups leaves of one class and recipient so that
they mint in one transfer), checks every lock against the registry itself and signs the ``LockBatch`` of the
tree's root and the deadline: one signature for the whole batch (``AttestationPublic``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Final, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bridge.chain.attestation import UINT64_MAX, CreditClass, Lock
from bridge.chain.lock_batch import MAX_CLASSES_PER_CALL, LockTree
from bridge.primitives import Address

MAX_LOCKS_PER_REQUEST: Final = 500
"""The most locks one attestation request may name (the engine's largest batch)."""

HexBytes32 = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LockLeaf(_Body):
    """One lock of the batch, as the contract's ``LockLeaf``: a ``Lock``'s fields but its class, named by index
    into ``classes`` instead."""

    lock_id: int = Field(ge=1, le=2**63 - 1, description="the registry's lock id")
    registry: str = Field(min_length=1, max_length=32, description="the program code (VCS, GS, ...)")
    serial: str = Field(min_length=1, max_length=256, description="the locked block's serial")
    block_start: int = Field(ge=0, le=UINT64_MAX)
    block_end: int = Field(ge=0, le=UINT64_MAX)
    class_index: int = Field(ge=0, lt=MAX_CLASSES_PER_CALL, description="index into the request's classes")
    recipient: Address = Field(description="where the tokens go (an EVM address)")


class AttestationRequest(_Body):
    """A batch of locks to attest, and the deadline of the signed ``LockBatch`` (unix seconds)."""

    deadline: int = Field(ge=1, le=2**63 - 1)
    classes: list[CreditClass] = Field(min_length=1, max_length=MAX_LOCKS_PER_REQUEST)
    leaves: list[LockLeaf] = Field(min_length=1, max_length=MAX_LOCKS_PER_REQUEST)

    @model_validator(mode="after")
    def _leaves_fit(self) -> Self:
        seen: set[int] = set()
        for i, leaf in enumerate(self.leaves):
            if leaf.class_index >= len(self.classes):
                raise ValueError(f"leaves[{i}]: class_index {leaf.class_index} is past the {len(self.classes)} classes")
            if leaf.lock_id in seen:
                raise ValueError(f"leaves[{i}]: lock {leaf.lock_id} is named twice")
            seen.add(leaf.lock_id)
            if leaf.block_end < leaf.block_start or leaf.block_end - leaf.block_start == UINT64_MAX:
                raise ValueError(f"leaves[{i}]: block {leaf.block_start}..{leaf.block_end} is empty or too large")
        return self

    def locks(self) -> list[Lock]:
        """The leaves as locks, in the order given."""
        return [
            Lock(**leaf.model_dump(exclude={"class_index"}), credit_class=self.classes[leaf.class_index])
            for leaf in self.leaves
        ]

    def tree(self) -> LockTree:
        """The batch's Merkle tree, leaves in the order given."""
        return LockTree.of(self.locks(), sort_leaves=False)

    @classmethod
    def of(cls, locks: Sequence[Lock], *, deadline: int) -> AttestationRequest:
        """The request for ``locks`` (in that order), each class listed once."""
        classes: list[CreditClass] = []
        index: dict[CreditClass, int] = {}
        leaves = []
        for lock in locks:
            if lock.credit_class not in index:
                index[lock.credit_class] = len(classes)
                classes.append(lock.credit_class)
            leaves.append(LockLeaf(**lock.model_dump(exclude={"credit_class"}), class_index=index[lock.credit_class]))
        return cls(deadline=deadline, classes=classes, leaves=leaves)


class AttestationPublic(_Body):
    """One verifier's signature over the batch's ``LockBatch(locksRoot, deadline)`` (EIP-712)."""

    signer: Address = Field(description="the verifier's address")
    locks_root: HexBytes32 = Field(description="the root of the batch's Merkle tree of locks")
    deadline: int
    signature: str = Field(pattern=r"^0x[0-9a-f]{130}$", description="65 bytes: r, s, v")
    locks: int = Field(description="how many locks the signature covers")

    @property
    def signature_bytes(self) -> bytes:
        return bytes.fromhex(self.signature[2:])

    @property
    def root_bytes(self) -> bytes:
        return bytes.fromhex(self.locks_root[2:])


class VerifierIdentity(_Body):
    """Who a verifier is and what it attests for: its signing address, the chain and bridge contract whose
    mints it signs, and the registry trust account it requires the locked units to sit in."""

    name: str
    address: Address
    chain_id: int
    bridge: Address
    trust_account: int


class VerifierHealth(_Body):
    status: str = Field(examples=["ok"])
    address: str
