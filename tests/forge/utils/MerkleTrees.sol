// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice OpenZeppelin-standard Merkle trees for tests, built independently of the contracts: leaves sorted
/// ascending and stored from the end of the array (`tree[n - 1 - i]` is the i-th smallest leaf), commutative
/// pair hashing, and multiproofs for any set of leaves (the algorithm of OpenZeppelin's merkle-tree package).
library MerkleTrees {
    /// @dev `leaves` sorted ascending (a copy).
    function sorted(bytes32[] memory leaves) internal pure returns (bytes32[] memory out) {
        uint256 n = leaves.length;
        out = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            out[i] = leaves[i];
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && out[j] < out[j - 1]; --j) {
                (out[j], out[j - 1]) = (out[j - 1], out[j]);
            }
        }
    }

    /// @dev The tree (root at index 0) over `sortedLeaves` (non-empty, ascending).
    function build(bytes32[] memory sortedLeaves) internal pure returns (bytes32[] memory tree) {
        uint256 n = sortedLeaves.length;
        require(n > 0, "MerkleTrees: no leaves");
        tree = new bytes32[](2 * n - 1);
        for (uint256 i; i < n; ++i) {
            tree[tree.length - 1 - i] = sortedLeaves[i];
        }
        for (uint256 k = tree.length - n; k > 0; --k) {
            uint256 i = k - 1;
            tree[i] = Hashes.commutativeKeccak256(tree[2 * i + 1], tree[2 * i + 2]);
        }
    }

    /// @dev A multiproof of the leaves at sorted positions `positions` (ascending, distinct) of a tree built
    /// by {build} over `n` leaves. The proven leaves come in ascending sorted position, as the contract wants
    /// them.
    function multiproof(bytes32[] memory tree, uint256 n, uint256[] memory positions)
        internal
        pure
        returns (bytes32[] memory proof, bool[] memory flags)
    {
        // Tree indices, descending (ascending positions map to descending indices).
        uint256 k = positions.length;
        uint256[] memory queue = new uint256[](tree.length + k);
        for (uint256 i; i < k; ++i) {
            queue[i] = tree.length - 1 - positions[i];
            require(i == 0 || positions[i] > positions[i - 1], "MerkleTrees: positions not ascending");
            require(positions[i] < n, "MerkleTrees: position out of range");
        }
        uint256 head;
        uint256 tail = k;
        proof = new bytes32[](tree.length);
        flags = new bool[](tree.length);
        uint256 proofCount;
        uint256 flagCount;
        while (tail > head && queue[head] > 0) {
            uint256 j = queue[head++];
            uint256 sibling = j % 2 == 1 ? j + 1 : j - 1;
            uint256 parent = (j - 1) / 2;
            if (tail > head && queue[head] == sibling) {
                flags[flagCount++] = true;
                ++head;
            } else {
                flags[flagCount++] = false;
                proof[proofCount++] = tree[sibling];
            }
            queue[tail++] = parent;
        }
        if (k == 0) proof[proofCount++] = tree[0];
        assembly ("memory-safe") {
            mstore(proof, proofCount) // shrink both arrays to what was used
            mstore(flags, flagCount)
        }
    }
}
