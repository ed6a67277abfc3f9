// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Attestation, CreditClass} from "./CarbonTypes.sol";
import {IVerifierSet} from "./IVerifierSet.sol";

/// @title IAttestationVerifier
/// @notice EIP-712 hashing of attestations and credit classes (domain name "CarbonBridge", version "1"),
/// M-of-N signature checks and single-use nonces.
interface IAttestationVerifier is IVerifierSet {
    /// @dev Fewer signatures than the threshold were provided.
    error BridgeInsufficientSignatures(uint256 provided, uint256 threshold);
    /// @dev A signature recovers to `signer`, who is not a verifier.
    error BridgeUnknownSigner(address signer);
    /// @dev Two signatures recover to the same `signer`.
    error BridgeDuplicateSigner(address signer);
    /// @dev Signatures are not ordered by strictly ascending signer address; `signer` came too late.
    error BridgeSignersNotSorted(address signer);
    /// @dev The attestation expired: `block.timestamp > deadline`.
    error BridgeAttestationExpired(uint256 deadline);
    /// @dev The attestation's nonce was already used.
    error BridgeNonceUsed(uint256 nonce);

    /// @notice The EIP-712 domain separator verifiers sign under.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The EIP-712 digest a verifier signs for `attestation`.
    function hashAttestation(Attestation calldata attestation) external view returns (bytes32 digest);

    /// @notice The identity of a class:
    /// `keccak256(abi.encode(keccak256(bytes(program)), keccak256(bytes(projectId)), vintageStart, vintageEnd))`.
    function classIdOf(CreditClass calldata creditClass) external pure returns (bytes32);

    /// @notice The EIP-712 struct hash of a class (all attributes).
    function classHashOf(CreditClass calldata creditClass) external pure returns (bytes32);

    /// @notice Whether `nonce` was already used by a mint.
    function isNonceUsed(uint256 nonce) external view returns (bool);
}
