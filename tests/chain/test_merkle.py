"""The OpenZeppelin-standard Merkle tree port: the same trees as @openzeppelin/merkle-tree, and multiproofs
of any subset that rebuild the root (the contract's check of them is in test_mint_properties.py)."""

from __future__ import annotations

from itertools import combinations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from bridge.chain.errors import ChainErrorCode
from bridge.chain.merkle import MerkleError, MerkleTree, MultiProof, hash_pair, process_multiproof

# A tree dumped by @openzeppelin/merkle-tree (StandardMerkleTree.of(values, ["address"]), format standard-v1):
# its values, the tree index each got, and the whole tree, root first.
OZ_VALUES = [
    ("0x5B38Da6a701c568545dCfcB03FcB875f56beddC4", 14),
    ("0x000000000000d34c44564053af35e4fe271d0caa", 12),
    ("0x0000000000078c65a676f9a1f2ae66db0cbdff48", 8),
    ("0x00000000000a29a0800f6f557ddbbe8249397de7", 9),
    ("0x00000000000a40322164e8b9e1b909c388bf8317", 13),
    ("0x00000000000b69ec332f49b7c4d2b101f93c3bed", 11),
    ("0x00000000000be4d9faacf7f669f25118b1736666", 10),
    ("0xA8CC44274A9b35D1b55fBe7cfCa528b7a78Fb940", 7),
]
OZ_TREE = [
    "7b304f9d916a40cd36caa8f6c157d088804dd56b4b5f1597167414f1e57c6699",
    "8816bb1dbc65ec25bbd355d256d30ca638864e0e2132ec0fe4e3cecb7f2a8f6b",
    "e8756a510133c2430507f4921ed4ddc3a389eb28269d011d5c8286082acab211",
    "6fb1f0d156bd8cc28787d40bd6d35c06b47d10adc13510215a67a5273dda0ae5",
    "9bcdb31f56f5a037e7b89237b30d15147fc6026b2256d1a16faeac4d4f162456",
    "05eee84e9db5a5444c9fa9ab18b0d3f6577dc2ae3c4fefeb18ef89eb04b1b43d",
    "13d1d05947f1b3507720ca4d648c8f959dd392b78dbc9cec728c7d7d1d88b959",
    "db2646dcee3f27203fec40586329b3d4befee299588ecec9173728cf3ca039ee",
    "d7a4494e5a354126bee1138ea44229292a8f053cad6e36cbe10c965e1fe45deb",
    "950fc0ef2d798666f278fcbf2979c05f630da5f025d8b5771e993311152ac4d9",
    "699e3753ca9fc5bee9317d00d92b91c085e23e5fdce0369ae076b8dc87c216dd",
    "669d1ade132a34e3992a8458273dc079e8bfe48303219a65e64ab53898b71286",
    "5860fd69c609f022d5dd7f0bf23c165eb666840223ff2c337e3246576ef820d4",
    "4cecb2ba7f09c4b25b7122927d5c88f2a88f51139b085cde905831c73786e6c0",
    "24da68c5697e2b39240db86159eb0aea630eef50919653bc16409e95a183b6c6",
]

leaf_hashes = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=24, unique=True)


def oz_leaf(address: str) -> bytes:
    return keccak(keccak(encode(["address"], [address])))


def test_the_tree_is_the_one_openzeppelins_library_builds() -> None:
    tree = MerkleTree(oz_leaf(address) for address, _ in OZ_VALUES)
    assert [node.hex() for node in tree.nodes] == OZ_TREE
    for address, tree_index in OZ_VALUES:
        assert tree.tree_index(oz_leaf(address)) == tree_index


def test_a_tree_of_one_leaf_has_that_leaf_as_its_root() -> None:
    leaf = keccak(b"only")
    tree = MerkleTree([leaf])
    assert tree.root == leaf
    proof = tree.multiproof([leaf])
    assert proof == MultiProof(leaves=(leaf,), proof=(), proof_flags=())
    assert proof.root() == leaf


def test_pairs_hash_in_sorted_order() -> None:
    a, b = keccak(b"a"), keccak(b"b")
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(min(a, b) + max(a, b))


@given(leaves=leaf_hashes)
def test_sorted_leaves_make_the_root_independent_of_their_order(leaves: list[bytes]) -> None:
    assert MerkleTree(leaves).root == MerkleTree(list(reversed(leaves))).root
    assert MerkleTree(leaves, sort_leaves=False).leaves == tuple(leaves)


def test_every_subset_of_a_small_tree_has_a_multiproof_of_its_root() -> None:
    for n in range(1, 8):
        leaves = [keccak(bytes([n, i])) for i in range(n)]
        for sort in (True, False):
            tree = MerkleTree(leaves, sort_leaves=sort)
            for size in range(1, n + 1):
                for subset in combinations(leaves, size):
                    proof = tree.multiproof(subset)
                    assert sorted(proof.leaves) == sorted(subset)
                    assert proof.root() == tree.root


@given(leaves=leaf_hashes, data=st.data())
def test_a_multiproof_of_any_subset_rebuilds_the_root_and_a_changed_leaf_does_not(
    leaves: list[bytes], data: st.DataObject
) -> None:
    tree = MerkleTree(leaves, sort_leaves=data.draw(st.booleans()))
    subset = data.draw(st.lists(st.sampled_from(leaves), min_size=1, unique=True))
    proof = tree.multiproof(subset)
    assert proof.root() == tree.root
    # the leaves come in the order the contract consumes them: ascending position in the tree
    positions = [tree.leaves.index(leaf) for leaf in proof.leaves]
    assert positions == sorted(positions)
    victim = data.draw(st.integers(0, len(proof.leaves) - 1))
    changed = list(proof.leaves)
    changed[victim] = keccak(changed[victim])
    assert process_multiproof(changed, proof.proof, proof.proof_flags) != tree.root


def test_single_leaf_proofs_verify_the_openzeppelin_way() -> None:
    tree = MerkleTree(oz_leaf(address) for address, _ in OZ_VALUES)
    for address, _ in OZ_VALUES:
        node = oz_leaf(address)
        for sibling in tree.proof(node):
            node = hash_pair(node, sibling)
        assert node == tree.root


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MerkleTree([]), "at least one leaf"),
        (lambda: MerkleTree([b"short"]), "32 bytes"),
        (lambda: MerkleTree([keccak(b"a")]).multiproof([keccak(b"b")]), "not in the tree"),
        (lambda: MerkleTree([keccak(b"a"), keccak(b"b")]).multiproof([keccak(b"a")] * 2), "twice"),
        (lambda: MerkleTree([keccak(b"a")]).multiproof([]), "at least one leaf"),
        (lambda: process_multiproof([keccak(b"a")], [keccak(b"b")], []), "do not fit"),
        (lambda: process_multiproof([keccak(b"a"), keccak(b"b")], [], [True, True]), "do not fit"),
    ],
)
def test_malformed_trees_and_proofs_are_refused_with_a_code(build: object, message: str) -> None:
    with pytest.raises(MerkleError) as info:
        build()  # type: ignore[operator]
    assert info.value.code == ChainErrorCode.INVALID_LOCK_BATCH
    assert message in str(info.value)
