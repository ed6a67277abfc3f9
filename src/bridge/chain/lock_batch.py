"""A batch of registry locks: its Merkle tree, the ``LockBatch`` verifiers sign, and the ``mintLocks`` call.

```python
tree = LockTree.of(locks)                          # refuses an empty batch or one lock twice
batch = tree.lock_batch(deadline)                  # what each verifier signs (sign_lock_batch)
args = tree.mint_args(batch, ordered_signatures)   # all locks; or subset=[...] with its multiproof
bridge.functions.mintLocks(*args)                  # through web3, or:
sender.send_prepared(bridge.address, "0x" + args.calldata().hex())  # eth_abi-encoded, no web3 contract
```

A signed batch can be minted in parts (a batch too large for one block, say): ``mint_args`` with a
``subset`` proves just those locks against the same signed root, so the verifiers need not sign again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from bridge.chain.attestation import (
    CREDIT_CLASS_TYPE,
    LOCK_BATCH_TYPE,
    LOCK_TYPE,
    CreditClass,
    Lock,
    LockBatch,
)
from bridge.chain.merkle import MerkleError, MerkleTree

# The contract's LockLeaf: a Lock whose class comes by index into the call's classes (not an EIP-712 type).
CLASS_INDEX = {"name": "classIndex", "type": "uint16"}
LOCK_LEAF_TYPE = [CLASS_INDEX if field["name"] == "creditClass" else field for field in LOCK_TYPE]


def _tuple_type(fields: list[dict[str, str]]) -> str:
    return "(" + ",".join(field["type"] for field in fields) + ")"


MINT_LOCKS_TYPES = [
    _tuple_type(CREDIT_CLASS_TYPE) + "[]",
    _tuple_type(LOCK_LEAF_TYPE) + "[]",
    "bytes32[]",
    "bool[]",
    _tuple_type(LOCK_BATCH_TYPE),
    "bytes[]",
]
MINT_LOCKS_SELECTOR = function_signature_to_4byte_selector(f"mintLocks({','.join(MINT_LOCKS_TYPES)})")
MAX_CLASSES_PER_CALL = 2**16  # a leaf names its class by a uint16 index

# A gas budget for a mint that saves estimating it (unused gas is not charged): measured costs are about 100k
# per call, 150k more per class created, 40k per lock to a holder and 65k per lock to a new holder.
MINT_GAS_BASE = 150_000
MINT_GAS_PER_CLASS = 250_000
MINT_GAS_PER_LOCK = 90_000


class MintLocksArgs(NamedTuple):
    """The arguments of ``mintLocks`` as plain tuples: ``bridge.functions.mintLocks(*args)`` or ``calldata()``."""

    classes: tuple[tuple[Any, ...], ...]
    leaves: tuple[tuple[Any, ...], ...]
    proof: tuple[bytes, ...]
    proof_flags: tuple[bool, ...]
    lock_batch: tuple[bytes, int]
    signatures: tuple[bytes, ...]

    def calldata(self) -> bytes:
        """The transaction data of the call, encoded with eth_abi (no web3 contract object needed); a mint's
        dry run and its transaction ask for the same arguments' data: encoded once."""
        return _mint_calldata(self)

    def gas_budget(self) -> int:
        """A gas limit the call stays under whatever it creates (see ``MINT_GAS_*``)."""
        return MINT_GAS_BASE + MINT_GAS_PER_CLASS * len(self.classes) + MINT_GAS_PER_LOCK * len(self.leaves)


@dataclass(frozen=True)
class LockTree:
    """The locks of one batch and the Merkle tree over their leaves."""

    locks: tuple[Lock, ...]
    tree: MerkleTree

    @classmethod
    def of(cls, locks: Iterable[Lock], *, sort_leaves: bool = True) -> LockTree:
        """The tree of ``locks``; refuses an empty batch and a lock (registry, lock id) given twice.

        ``sort_leaves=False`` keeps the given order in the tree (and so in ``mint_args``): leaves of one class
        and one recipient given next to each other then mint in one transfer.
        """
        locks = tuple(locks)
        if not locks:
            raise MerkleError("a batch needs at least one lock", field="locks")
        seen: set[tuple[str, int]] = set()
        for lock in locks:
            key = (lock.registry, lock.lock_id)
            if key in seen:
                raise MerkleError(f"lock {lock.lock_id} of {lock.registry} is twice in the batch", field="locks")
            seen.add(key)
        return cls(locks=locks, tree=MerkleTree((lock.leaf() for lock in locks), sort_leaves=sort_leaves))

    @property
    def root(self) -> bytes:
        return self.tree.root

    def lock_batch(self, deadline: int) -> LockBatch:
        """What the verifiers sign for this batch."""
        return LockBatch(locks_root=self.root, deadline=deadline)

    def mint_args(
        self, lock_batch: LockBatch, signatures: Sequence[bytes], subset: Sequence[Lock] | None = None
    ) -> MintLocksArgs:
        """The ``mintLocks`` arguments for every lock of the batch, or for ``subset`` with its multiproof.

        ``signatures`` are the verifiers' signatures over ``lock_batch``, in ascending signer order
        (``order_signatures``).
        """
        if lock_batch.locks_root != self.root:
            raise MerkleError("the signed batch is not this tree's root", field="lock_batch")
        by_leaf = {lock.leaf(): lock for lock in self.locks}
        chosen = self.locks if subset is None else tuple(subset)
        multiproof = self.tree.multiproof(lock.leaf() for lock in chosen)
        classes: list[CreditClass] = []
        class_index: dict[CreditClass, int] = {}
        leaves = []
        for leaf in multiproof.leaves:
            lock = by_leaf[leaf]
            index = class_index.get(lock.credit_class)
            if index is None:
                index = class_index[lock.credit_class] = len(classes)
                classes.append(lock.credit_class)
            leaves.append(
                (lock.lock_id, lock.registry, lock.serial, lock.block_start, lock.block_end, index, lock.recipient)
            )
        if len(classes) > MAX_CLASSES_PER_CALL:
            raise MerkleError(f"one call takes at most {MAX_CLASSES_PER_CALL} classes", field="locks")
        return MintLocksArgs(
            classes=tuple(c.as_tuple() for c in classes),
            leaves=tuple(leaves),
            proof=multiproof.proof,
            proof_flags=multiproof.proof_flags,
            lock_batch=lock_batch.as_tuple(),
            signatures=tuple(signatures),
        )


@dataclass(frozen=True)
class SignedLockBatch:
    """A batch of locks, the ``LockBatch`` its verifiers signed, and their signatures (ascending signers):
    everything a mint of the batch, or of any part of it, needs."""

    tree: LockTree
    lock_batch: LockBatch
    signatures: tuple[bytes, ...]

    @property
    def locks(self) -> tuple[Lock, ...]:
        return self.tree.locks

    def mint_args(self, subset: Sequence[Lock] | None = None) -> MintLocksArgs:
        """The ``mintLocks`` arguments for every lock, or for ``subset`` (see ``LockTree.mint_args``)."""
        return self.tree.mint_args(self.lock_batch, self.signatures, subset)


@lru_cache(maxsize=4)
def _mint_calldata(args: MintLocksArgs) -> bytes:
    return MINT_LOCKS_SELECTOR + encode(MINT_LOCKS_TYPES, list(args))
