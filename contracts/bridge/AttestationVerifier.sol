// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

import {CreditClass, Lock, LockBatch} from "../interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../interfaces/IAttestationVerifier.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";
import {LockCodec} from "../libraries/LockCodec.sol";
import {VerifierSet} from "./VerifierSet.sol";

/// @title AttestationVerifier
/// @notice M-of-N EIP-712 signatures over lock batches (domain "CarbonBridge", version "2"), and the
/// registry lock ids already bridged: one bitmap per registry, so that the dense lock ids a registry hands
/// out share storage words (256 per slot).
abstract contract AttestationVerifier is EIP712, VerifierSet, IAttestationVerifier {
    using BitMaps for BitMaps.BitMap;

    mapping(bytes32 registryHash => BitMaps.BitMap) private _usedLocks;

    constructor() EIP712("CarbonBridge", "2") {}

    /// @inheritdoc IAttestationVerifier
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IAttestationVerifier
    function hashLockBatch(LockBatch calldata lockBatch) external view returns (bytes32 digest) {
        return _hashTypedDataV4(LockCodec.batchHash(lockBatch));
    }

    /// @inheritdoc IAttestationVerifier
    function hashLock(Lock calldata lock) external pure returns (bytes32) {
        return LockCodec.leaf(
            lock.lockId,
            keccak256(bytes(lock.registry)),
            keccak256(bytes(lock.serial)),
            lock.blockStart,
            lock.blockEnd,
            CreditClassCodec.classHashMemory(lock.creditClass),
            lock.recipient
        );
    }

    /// @inheritdoc IAttestationVerifier
    function classIdOf(CreditClass calldata creditClass) external pure returns (bytes32) {
        return CreditClassCodec.classIdMemory(creditClass);
    }

    /// @inheritdoc IAttestationVerifier
    function classHashOf(CreditClass calldata creditClass) external pure returns (bytes32) {
        return CreditClassCodec.classHashMemory(creditClass);
    }

    /// @inheritdoc IAttestationVerifier
    function isLockUsed(string calldata registry, uint256 lockId) external view returns (bool) {
        return _usedLocks[keccak256(bytes(registry))].get(lockId);
    }

    /// @dev Reverts unless `lockBatch` is unexpired and `signatures` are at least `threshold()` signatures of
    /// its EIP-712 digest by distinct verifiers in strictly ascending signer order. Every signature provided
    /// must pass; a signer is checked for membership first, then for order.
    function _verifyLockBatch(LockBatch calldata lockBatch, bytes[] calldata signatures) internal view {
        // Seconds of validator drift are harmless against deadlines of minutes to hours.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > lockBatch.deadline) revert BridgeAttestationExpired(lockBatch.deadline);
        bytes32 digest = _hashTypedDataV4(LockCodec.batchHash(lockBatch));
        uint256 required = threshold();
        uint256 provided = signatures.length;
        if (provided < required) revert BridgeInsufficientSignatures(provided, required);
        address previous = address(0);
        for (uint256 i; i < provided; ++i) {
            // ECDSA.recover never returns the zero address, so the first signer is always above `previous`.
            address signer = ECDSA.recover(digest, signatures[i]);
            if (!isVerifier(signer)) revert BridgeUnknownSigner(signer);
            if (signer <= previous) {
                if (signer == previous) revert BridgeDuplicateSigner(signer);
                revert BridgeSignersNotSorted(signer);
            }
            previous = signer;
        }
    }

    /// @dev Records lock `lockId` of `registry` (whose hash is `registryHash`) as bridged, forever.
    /// Reverts with {BridgeLockUsed} if it already was.
    function _useLock(bytes32 registryHash, string calldata registry, uint256 lockId) internal {
        BitMaps.BitMap storage used = _usedLocks[registryHash];
        if (used.get(lockId)) revert BridgeLockUsed(registry, lockId);
        used.set(lockId);
    }
}
