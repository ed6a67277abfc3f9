// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

import {Attestation, CreditClass} from "../interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../interfaces/IAttestationVerifier.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";
import {VerifierSet} from "./VerifierSet.sol";

/// @title AttestationVerifier
/// @notice EIP-712 attestations (domain "CarbonBridge", version "1") signed by M of N verifiers, with
/// single-use nonces kept in a bitmap (256 nonces per storage slot).
abstract contract AttestationVerifier is EIP712, VerifierSet, IAttestationVerifier {
    using BitMaps for BitMaps.BitMap;

    BitMaps.BitMap private _usedNonces;

    constructor() EIP712("CarbonBridge", "1") {}

    /// @inheritdoc IAttestationVerifier
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IAttestationVerifier
    function hashAttestation(Attestation calldata attestation) external view returns (bytes32 digest) {
        (digest,,,) = _hashAttestation(attestation);
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
    function isNonceUsed(uint256 nonce) external view returns (bool) {
        return _usedNonces.get(nonce);
    }

    /// @dev The EIP-712 digest of `attestation` and the keys derived on the way.
    function _hashAttestation(Attestation calldata attestation)
        internal
        view
        returns (bytes32 digest, bytes32 batchKey, bytes32 classId, bytes32 classHash)
    {
        (classId, classHash) = CreditClassCodec.keys(attestation.creditClass);
        bytes32 structHash;
        (structHash, batchKey) = CreditClassCodec.attestationKeys(attestation, classHash);
        digest = _hashTypedDataV4(structHash);
    }

    /// @dev Reverts unless `signatures` are at least `threshold()` signatures of `digest` by distinct
    /// verifiers in strictly ascending signer order. Every signature provided must pass; a signer is
    /// checked for membership first, then for order.
    function _verifySignatures(bytes32 digest, bytes[] calldata signatures) internal view {
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

    /// @dev Marks `nonce` used. Reverts with {BridgeNonceUsed} if it already was.
    function _useNonce(uint256 nonce) internal {
        if (_usedNonces.get(nonce)) revert BridgeNonceUsed(nonce);
        _usedNonces.set(nonce);
    }
}
