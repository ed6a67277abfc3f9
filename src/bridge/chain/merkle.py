"""OpenZeppelin-standard Merkle trees over leaf hashes: the algorithm of ``@openzeppelin/merkle-tree``
(``StandardMerkleTree`` and its ``core``), which OpenZeppelin's ``MerkleProof`` verifies on-chain.

- Pairs hash commutatively: ``keccak256(sorted(a, b))``.
- The tree is an array, root first; ``n`` leaves fill the last ``n`` slots in reverse (``nodes[-1 - i]`` is the
  i-th leaf), so that it is complete and any set of leaves has a multiproof.
- Leaves are sorted by hash before building (``sort_leaves=True``, OpenZeppelin's default): the root then
  does not depend on the order the leaves came in. With ``sort_leaves=False`` the given order is kept (a
  caller that wants leaves of one class and one recipient next to each other, say).
- A multiproof proves any set of leaves at once; its ``leaves`` come in the order ``MerkleProof`` consumes
  them (descending tree index, i.e. ascending leaf position).

Leaves here are 32-byte hashes the caller computed (a lock's leaf is ``keccak256(hashStruct(lock))``, see
``bridge.chain.attestation``), not values to encode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_utils import keccak

from bridge.chain.errors import ChainError, ChainErrorCode


class MerkleError(ChainError):
    """A tree or a proof is malformed: no leaves, a leaf that is not 32 bytes or not in the tree, a leaf
    proved twice, or a multiproof that does not fit its leaves."""

    default_code = ChainErrorCode.INVALID_LOCK_BATCH


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's ``Hashes.commutativeKeccak256``."""
    return keccak(a + b if a <= b else b + a)


def _check_node(node: bytes) -> bytes:
    if len(node) != 32:
        raise MerkleError(f"Merkle nodes are 32 bytes, got {len(node)}", field="leaves")
    return node


def _sibling(index: int) -> int:
    return index + 1 if index % 2 == 1 else index - 1


def _parent(index: int) -> int:
    return (index - 1) // 2


@dataclass(frozen=True)
class MultiProof:
    """Leaves proved together, with the sibling nodes and flags that rebuild the root from them."""

    leaves: tuple[bytes, ...]
    """In the order the contract takes them (descending tree index)."""
    proof: tuple[bytes, ...]
    proof_flags: tuple[bool, ...]

    def root(self) -> bytes:
        """The root these leaves and this proof rebuild (what ``MerkleProof.processMultiProof`` computes)."""
        return process_multiproof(self.leaves, self.proof, self.proof_flags)


def process_multiproof(leaves: Sequence[bytes], proof: Sequence[bytes], proof_flags: Sequence[bool]) -> bytes:
    """The root rebuilt from ``leaves`` and a multiproof; raises ``MerkleError`` where ``MerkleProof`` reverts."""
    for node in (*leaves, *proof):
        _check_node(node)
    if len(leaves) + len(proof) != len(proof_flags) + 1:
        raise MerkleError("the leaves and the multiproof do not fit together", field="proof")
    queue = list(leaves)
    hashes: list[bytes] = []
    leaf_pos = hash_pos = proof_pos = 0

    def next_from_queue() -> bytes:
        nonlocal leaf_pos, hash_pos
        if leaf_pos < len(queue):
            leaf_pos += 1
            return queue[leaf_pos - 1]
        if hash_pos >= len(hashes):
            raise MerkleError("the multiproof's flags ask for more nodes than it has", field="proof_flags")
        hash_pos += 1
        return hashes[hash_pos - 1]

    for flag in proof_flags:
        a = next_from_queue()
        if flag:
            b = next_from_queue()
        else:
            if proof_pos >= len(proof):
                raise MerkleError("the multiproof has too few proof nodes", field="proof")
            b = proof[proof_pos]
            proof_pos += 1
        hashes.append(hash_pair(a, b))
    if proof_flags:
        if proof_pos != len(proof):
            raise MerkleError("the multiproof has unused proof nodes", field="proof")
        return hashes[-1]
    return leaves[0] if leaves else proof[0]


class MerkleTree:
    """An OpenZeppelin-standard tree over 32-byte leaves (see the module notes)."""

    def __init__(self, leaves: Iterable[bytes], *, sort_leaves: bool = True) -> None:
        ordered = [_check_node(bytes(leaf)) for leaf in leaves]
        if not ordered:
            raise MerkleError("a Merkle tree needs at least one leaf", field="leaves")
        if sort_leaves:
            ordered.sort()
        n = len(ordered)
        nodes: list[bytes] = [b""] * (2 * n - 1)
        for i, leaf in enumerate(ordered):
            nodes[len(nodes) - 1 - i] = leaf
        for i in range(len(nodes) - 1 - n, -1, -1):
            nodes[i] = hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])
        self.nodes: tuple[bytes, ...] = tuple(nodes)
        self.leaves: tuple[bytes, ...] = tuple(ordered)
        """The leaves in tree order (sorted, unless built with ``sort_leaves=False``)."""
        self._index: dict[bytes, int] = {}
        for i, leaf in enumerate(ordered):
            self._index.setdefault(leaf, len(nodes) - 1 - i)

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def __len__(self) -> int:
        return len(self.leaves)

    def __contains__(self, leaf: object) -> bool:
        return leaf in self._index

    def tree_index(self, leaf: bytes) -> int:
        """The index of ``leaf`` in ``nodes``."""
        try:
            return self._index[bytes(leaf)]
        except KeyError:
            raise MerkleError(f"leaf 0x{bytes(leaf).hex()} is not in the tree", field="leaves") from None

    def proof(self, leaf: bytes) -> list[bytes]:
        """The single-leaf proof of ``leaf`` (OpenZeppelin's ``MerkleProof.verify``)."""
        index = self.tree_index(leaf)
        proof = []
        while index > 0:
            proof.append(self.nodes[_sibling(index)])
            index = _parent(index)
        return proof

    def multiproof(self, leaves: Iterable[bytes]) -> MultiProof:
        """A multiproof of ``leaves`` (any non-empty set of this tree's leaves, each once)."""
        indices = sorted((self.tree_index(leaf) for leaf in leaves), reverse=True)
        if not indices:
            raise MerkleError("a multiproof needs at least one leaf", field="leaves")
        if len(set(indices)) != len(indices):
            raise MerkleError("a leaf cannot be proved twice in one multiproof", field="leaves")
        stack = list(indices)
        proof: list[bytes] = []
        flags: list[bool] = []
        head = 0
        while head < len(stack) and stack[head] > 0:
            j = stack[head]
            head += 1
            sibling = _sibling(j)
            if head < len(stack) and stack[head] == sibling:
                flags.append(True)
                head += 1
            else:
                flags.append(False)
                proof.append(self.nodes[sibling])
            stack.append(_parent(j))
        return MultiProof(leaves=tuple(self.nodes[i] for i in indices), proof=tuple(proof), proof_flags=tuple(flags))
