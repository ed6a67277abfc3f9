// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Attestation} from "./CarbonTypes.sol";
import {IAttestationVerifier} from "./IAttestationVerifier.sol";
import {IRedemptionEscrow} from "./IRedemptionEscrow.sol";
import {IRetirementLedger} from "./IRetirementLedger.sol";

/// @title ICarbonBridge
/// @notice Mints class tokens for serial blocks of carbon credits immobilized in a registry, on the
/// strength of M-of-N verifier attestations (EIP-712), never past a class's attested reserve; escrows and
/// settles redemptions ({IRedemptionEscrow}); burns retirements and records their settlement
/// ({IRetirementLedger}).
/// @dev The whole bridge: the interfaces of its pieces ({IVerifierSet}, {IAttestationVerifier},
/// {IClassTokenFactory}, {IBatchLedger}, {IRedemptionEscrow}, {IRetirementLedger}, each extending those of the
/// pieces it builds on) and what only the composed bridge does: mint and pause. Structs shared beyond one
/// piece (`CreditClass`, `Attestation`) live in `CarbonTypes.sol`.
interface ICarbonBridge is IAttestationVerifier, IRedemptionEscrow, IRetirementLedger {
    /// @dev Quantity must equal `blockEnd - blockStart + 1` (and `blockEnd >= blockStart`).
    error BridgeQuantityMismatch(uint64 blockStart, uint64 blockEnd, uint64 quantity);
    /// @dev The same registry + serial is bridged and still active.
    error BridgeBatchAlreadyBridged(bytes32 batchKey);
    /// @dev The recipient is the zero address.
    error BridgeZeroRecipient();
    /// @dev The admin given to the constructor is the zero address.
    error BridgeZeroAdmin();

    /// @dev The serial block `serial` of `registry` was bridged: `quantity * 1e18` tokens of class
    /// `classId` were minted to `recipient` under attestation `nonce`.
    event BatchBridged(
        bytes32 indexed batchKey,
        bytes32 indexed classId,
        string registry,
        string serial,
        uint64 quantity,
        address indexed recipient,
        uint256 nonce
    );

    /// @notice Role allowed to pause and unpause minting and redemption requests.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Bridges one serial block: mints `attestation.quantity * 1e18` class tokens to
    /// `attestation.recipient`, creating the class token on the class's first batch.
    /// @dev Callable by anyone: the signatures authorize, and the recipient is inside the signed data.
    ///
    /// Requirements:
    /// - the bridge is not paused ({EnforcedPause});
    /// - `recipient` is not zero ({BridgeZeroRecipient});
    /// - `block.timestamp <= deadline` ({BridgeAttestationExpired});
    /// - `blockEnd >= blockStart` and `quantity == blockEnd - blockStart + 1` ({BridgeQuantityMismatch});
    /// - at least `threshold()` signatures ({BridgeInsufficientSignatures}), each a 65-byte ECDSA signature
    ///   over {hashAttestation} by a current verifier ({BridgeUnknownSigner}; malformed signatures revert
    ///   with OpenZeppelin's ECDSA errors), ordered by strictly ascending signer address
    ///   ({BridgeDuplicateSigner}, {BridgeSignersNotSorted}); every signature provided must pass;
    /// - the nonce is unused ({BridgeNonceUsed});
    /// - the same registry + serial is not bridged and active ({BridgeBatchAlreadyBridged}). Serials that
    ///   overlap this one without being equal are NOT detected here: refusing them is the registry's and
    ///   the verifiers' job (the registry immobilizes each unit once; verifiers attest only what it holds);
    /// - if the class exists, its attributes equal the attested ones ({BridgeClassMismatch}).
    ///
    /// Emits {ClassCreated} (first batch of a class), {BatchBridged} and the token's {Transfer}.
    /// @return batchKey `keccak256(abi.encode(keccak256(bytes(registry)), keccak256(bytes(serial))))`.
    function mint(Attestation calldata attestation, bytes[] calldata signatures) external returns (bytes32 batchKey);

    /// @notice Bridges many serial blocks in one transaction, all or nothing.
    /// @dev `signatures[i]` authorizes `attestations[i]`; each pair is checked exactly as in {mint}.
    /// Requirements: the arrays have the same length ({BridgeArrayLengthMismatch}); as {mint} for each.
    /// Emits what {mint} emits, for each attestation in order.
    function mintBatch(Attestation[] calldata attestations, bytes[][] calldata signatures)
        external
        returns (bytes32[] memory batchKeys);

    /// @notice Pauses minting and new redemption requests. Finalizing and cancelling pending redemptions,
    /// retiring and settling retirements go on.
    /// @dev Requirements: caller has PAUSER_ROLE; not paused. Emits a {Paused} event.
    function pause() external;

    /// @notice Unpauses minting and redemption requests.
    /// @dev Requirements: caller has PAUSER_ROLE; paused. Emits an {Unpaused} event.
    function unpause() external;
}
