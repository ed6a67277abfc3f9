// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass, Lock, LockBatch} from "./CarbonTypes.sol";
import {IVerifierSet} from "./IVerifierSet.sol";

/// @title IAttestationVerifier
/// @notice What verifiers attest and how the bridge checks it: M of N EIP-712 signatures (domain name
/// "CarbonBridge", version "2") over a {LockBatch}, the Merkle root of a batch of registry locks; and the
/// registry lock ids already bridged, recorded forever so that a lock mints once, whatever was signed.
interface IAttestationVerifier is IVerifierSet {
    /// @dev Fewer signatures than the threshold were provided.
    error BridgeInsufficientSignatures(uint256 provided, uint256 threshold);
    /// @dev A signature recovers to `signer`, who is not a verifier.
    error BridgeUnknownSigner(address signer);
    /// @dev Two signatures recover to the same `signer`.
    error BridgeDuplicateSigner(address signer);
    /// @dev Signatures are not ordered by strictly ascending signer address; `signer` came too late.
    error BridgeSignersNotSorted(address signer);
    /// @dev The signed batch expired: `block.timestamp > deadline`.
    error BridgeAttestationExpired(uint256 deadline);
    /// @dev Lock `lockId` of registry `registry` was already bridged (by any batch, at any time).
    error BridgeLockUsed(string registry, uint256 lockId);
    /// @dev The leaves and the multiproof given do not rebuild the signed root `locksRoot`.
    error BridgeInvalidLockProof(bytes32 locksRoot);

    /// @notice The EIP-712 domain separator verifiers sign under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The EIP-712 digest a verifier signs for `lockBatch`.
    function hashLockBatch(LockBatch calldata lockBatch) external view returns (bytes32 digest);

    /// @notice The Merkle leaf of `lock`: `keccak256(bytes.concat(hashStruct(lock)))`.
    function hashLock(Lock calldata lock) external pure returns (bytes32 leaf);

    /// @notice The identity of a class:
    /// `keccak256(abi.encode(keccak256(bytes(program)), keccak256(bytes(projectId)), vintageStart, vintageEnd))`.
    function classIdOf(CreditClass calldata creditClass) external pure returns (bytes32);

    /// @notice The EIP-712 struct hash of a class (all attributes).
    function classHashOf(CreditClass calldata creditClass) external pure returns (bytes32);

    /// @notice Whether lock `lockId` of registry `registry` was bridged. Stays true forever, also after every
    /// unit of the lock was redeemed or retired.
    function isLockUsed(string calldata registry, uint256 lockId) external view returns (bool);
}
