// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Random plans that take a given number of tonnes from a set of batches, as the bridge engine
/// would choose serial blocks in trust for a redemption or a retirement settlement.
library BatchSplits {
    /// @dev Takes `total` tonnes from `keys` (with `remaining[i]` tonnes left in `keys[i]`): a random share
    /// from each batch in a rotated order, then whatever is still missing greedily. Returns the non-zero
    /// takes in the order visited, each batch at most once. Reverts if the batches hold less than `total`.
    function split(bytes32[] memory keys, uint64[] memory remaining, uint64 total, uint256 seed)
        internal
        pure
        returns (bytes32[] memory outKeys, uint64[] memory outTonnes)
    {
        uint256 n = keys.length;
        uint64[] memory take = new uint64[](n);
        uint64 left = total;
        uint256 start = n == 0 ? 0 : seed % n;
        for (uint256 i; i < n && left > 0; ++i) {
            uint256 j = (start + i) % n;
            uint64 cap = remaining[j] < left ? remaining[j] : left;
            uint64 t = uint64(uint256(keccak256(abi.encode(seed, i))) % (uint256(cap) + 1));
            take[j] = t;
            left -= t;
        }
        for (uint256 i; i < n && left > 0; ++i) {
            uint256 j = (start + i) % n;
            uint64 room = remaining[j] - take[j];
            uint64 t = room < left ? room : left;
            take[j] += t;
            left -= t;
        }
        require(left == 0, "BatchSplits: not enough tonnes");
        uint256 count;
        for (uint256 i; i < n; ++i) {
            if (take[i] > 0) ++count;
        }
        outKeys = new bytes32[](count);
        outTonnes = new uint64[](count);
        uint256 k;
        for (uint256 i; i < n; ++i) {
            uint256 j = (start + i) % n;
            if (take[j] == 0) continue;
            outKeys[k] = keys[j];
            outTonnes[k] = take[j];
            ++k;
        }
    }
}
