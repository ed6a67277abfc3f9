// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {LockBatch} from "../interfaces/CarbonTypes.sol";

/// @title LockCodec
/// @notice Hashing of what verifiers sign: the EIP-712 struct hashes of `Lock` and `LockBatch`, the Merkle
/// leaf of a lock, and the batch key of a serial block.
library LockCodec {
    /// @dev The EIP-712 type hash of `Lock` (with the nested `CreditClass` type appended).
    bytes32 internal constant LOCK_TYPEHASH = keccak256(
        "Lock(uint256 lockId,string registry,string serial,uint64 blockStart,uint64 blockEnd,CreditClass creditClass,address recipient)"
        "CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)"
    );

    /// @dev The EIP-712 type hash of `LockBatch`.
    bytes32 internal constant LOCK_BATCH_TYPEHASH = keccak256("LockBatch(bytes32 locksRoot,uint256 deadline)");

    /// @dev The Merkle leaf of a lock: `keccak256(bytes.concat(hashStruct(lock)))`, the double hash of
    /// OpenZeppelin's StandardMerkleTree (a leaf can never be mistaken for an inner node, which hashes 64
    /// bytes). Strings come as their hashes, the class as its struct hash.
    function leaf(
        uint256 lockId,
        bytes32 registryHash,
        bytes32 serialHash,
        uint64 blockStart,
        uint64 blockEnd,
        bytes32 classHash,
        address recipient
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(LOCK_TYPEHASH, lockId, registryHash, serialHash, blockStart, blockEnd, classHash, recipient)
        );
        return keccak256(bytes.concat(structHash));
    }

    /// @dev The EIP-712 struct hash of `lockBatch`.
    function batchHash(LockBatch calldata lockBatch) internal pure returns (bytes32) {
        return keccak256(abi.encode(LOCK_BATCH_TYPEHASH, lockBatch.locksRoot, lockBatch.deadline));
    }

    /// @dev The key of the serial block `serial` of `registry`: `keccak256(abi.encode(registryHash, serialHash))`.
    function batchKey(bytes32 registryHash, bytes32 serialHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(registryHash, serialHash));
    }
}
