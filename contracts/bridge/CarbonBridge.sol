// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {Attestation} from "../interfaces/CarbonTypes.sol";
import {ICarbonBridge} from "../interfaces/ICarbonBridge.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {AttestationVerifier} from "./AttestationVerifier.sol";
import {RedemptionEscrow} from "./RedemptionEscrow.sol";
import {RetirementLedger} from "./RetirementLedger.sol";
import {VerifierSet} from "./VerifierSet.sol";

/// @title CarbonBridge
/// @notice Tokenizes serial blocks of carbon credits immobilized in a registry: on M-of-N verifier
/// attestations it mints `quantity * 1e18` of the block's class token to the attested recipient, creating
/// the class token on the class's first batch. A class token's supply never exceeds its attested reserve.
/// Holders redeem whole tonnes back to a registry account ({RedemptionEscrow}) and retire any amount
/// ({RetirementLedger}); the bridge engine settles both against named batches.
/// @dev Composed of abstract pieces: {VerifierSet} and {AttestationVerifier} (who may authorize a mint),
/// {ClassTokenFactory} (class tokens and reserves), {BatchLedger} (batches), {RedemptionEscrow} and
/// {RetirementLedger}. Roles: DEFAULT_ADMIN_ROLE administers roles; VERIFIER_MANAGER_ROLE manages the
/// verifier set; PAUSER_ROLE pauses and unpauses minting and redemption requests; SETTLER_ROLE (the bridge
/// engine) finalizes and cancels redemptions and settles retirements. Each piece implements its own
/// interface; the bridge alone implements the whole, {ICarbonBridge}.
contract CarbonBridge is Pausable, AttestationVerifier, RedemptionEscrow, RetirementLedger, ICarbonBridge {
    /// @inheritdoc ICarbonBridge
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @param admin Receives every role (DEFAULT_ADMIN_ROLE, VERIFIER_MANAGER_ROLE, PAUSER_ROLE, SETTLER_ROLE).
    /// @param initialVerifiers The verifier set (distinct, non-zero).
    /// @param initialThreshold Signatures a mint needs, in `[1, initialVerifiers.length]`.
    /// @dev Emits {VerifierAdded} per verifier, {ThresholdChanged} and {RoleGranted} per role.
    constructor(address admin, address[] memory initialVerifiers, uint256 initialThreshold)
        VerifierSet(initialVerifiers, initialThreshold)
    {
        if (admin == address(0)) revert BridgeZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(VERIFIER_MANAGER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _grantRole(SETTLER_ROLE, admin);
    }

    /// @inheritdoc ICarbonBridge
    function mint(Attestation calldata attestation, bytes[] calldata signatures)
        external
        whenNotPaused
        returns (bytes32 batchKey)
    {
        return _mintAttested(attestation, signatures);
    }

    /// @inheritdoc ICarbonBridge
    function mintBatch(Attestation[] calldata attestations, bytes[][] calldata signatures)
        external
        whenNotPaused
        returns (bytes32[] memory batchKeys)
    {
        uint256 count = attestations.length;
        if (signatures.length != count) revert BridgeArrayLengthMismatch();
        batchKeys = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40) // remember where this iteration's scratch allocations start
            }
            batchKeys[i] = _mintAttested(attestations[i], signatures[i]);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory) // free them: nothing allocated by one mint is read after it
            }
        }
    }

    /// @inheritdoc ICarbonBridge
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ICarbonBridge
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @dev Checks one attestation, records it and mints its tokens. See {mint}.
    function _mintAttested(Attestation calldata attestation, bytes[] calldata signatures)
        private
        returns (bytes32 batchKey)
    {
        // Checks: cheap stateless ones first, then signatures, then state.
        if (attestation.recipient == address(0)) revert BridgeZeroRecipient();
        // Seconds of validator drift are harmless against deadlines of minutes to hours.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > attestation.deadline) revert BridgeAttestationExpired(attestation.deadline);
        _checkQuantity(attestation.blockStart, attestation.blockEnd, attestation.quantity);
        bytes32 digest;
        bytes32 classId;
        bytes32 classHash;
        (digest, batchKey, classId, classHash) = _hashAttestation(attestation);
        _verifySignatures(digest, signatures);
        _useNonce(attestation.nonce);
        if (_isBatchActive(batchKey)) revert BridgeBatchAlreadyBridged(batchKey);
        _recordAndMint(attestation, batchKey, classId, classHash);
    }

    /// @dev Effects and interactions of {_mintAttested}, once every check passed.
    function _recordAndMint(Attestation calldata attestation, bytes32 batchKey, bytes32 classId, bytes32 classHash)
        private
    {
        // Effects (the class token, if new, is created here: our own code, no callbacks).
        uint64 quantity = attestation.quantity;
        (address token, uint64 reserve) = _addToReserve(attestation.creditClass, classId, classHash, quantity);
        _recordBatch(batchKey, token, quantity);
        emit BatchBridged(
            batchKey,
            classId,
            attestation.registry,
            attestation.serial,
            quantity,
            attestation.recipient,
            attestation.nonce
        );

        // Interactions: the class token is ours.
        ICarbonCreditToken(token).mint(attestation.recipient, uint256(quantity) * _TONNE);
        _checkReserve(classId, token, reserve);
    }

    /// @dev Reverts with {BridgeQuantityMismatch} unless `quantity == blockEnd - blockStart + 1`.
    function _checkQuantity(uint64 blockStart, uint64 blockEnd, uint64 quantity) private pure {
        // Widened to 256 bits so that `blockEnd - blockStart + 1` cannot overflow for a full uint64 range.
        if (blockEnd < blockStart || uint256(blockEnd) - blockStart + 1 != quantity) {
            revert BridgeQuantityMismatch(blockStart, blockEnd, quantity);
        }
    }
}
