// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass, LockBatch, LockLeaf} from "./CarbonTypes.sol";
import {IAttestationVerifier} from "./IAttestationVerifier.sol";
import {IMintRateLimit} from "./IMintRateLimit.sol";
import {IRedemptionEscrow} from "./IRedemptionEscrow.sol";
import {IRetirementLedger} from "./IRetirementLedger.sol";

/// @title ICarbonBridge
/// @notice Mints class tokens for serial blocks of carbon credits locked in a registry, on the strength of
/// M-of-N verifier signatures over a Merkle root of the registry's locks (EIP-712), each lock once ever,
/// never past a class's attested reserve nor its mint cap ({IMintRateLimit}); escrows and settles
/// redemptions ({IRedemptionEscrow}); burns retirements and records their settlement ({IRetirementLedger}).
/// @dev The whole bridge: the interfaces of its pieces ({IVerifierSet}, {IAttestationVerifier},
/// {IClassTokenFactory}, {IMintRateLimit}, {IBatchLedger}, {IRedemptionEscrow}, {IRetirementLedger}, each
/// extending those of the pieces it builds on) and what only the composed bridge does: mint and pause.
/// Structs shared beyond one piece (`CreditClass`, `Lock`, `LockLeaf`, `LockBatch`) live in `CarbonTypes.sol`.
///
/// Roles: DEFAULT_ADMIN_ROLE and VERIFIER_MANAGER_ROLE belong to the admin (a timelock or a multisig): roles,
/// verifiers, threshold, mint cap, unpause. PAUSER_ROLE (pause only) and SETTLER_ROLE (end redemptions,
/// settle retirements) belong to the bridge engine's sending key, which can therefore never mint on its own.
interface ICarbonBridge is IAttestationVerifier, IRedemptionEscrow, IRetirementLedger, IMintRateLimit {
    /// @dev A lock's block ends before it starts, or spans all 2^64 unit numbers (its quantity would not fit).
    error BridgeInvalidBlock(uint64 blockStart, uint64 blockEnd);
    /// @dev The same registry + serial is bridged and still active.
    error BridgeBatchAlreadyBridged(bytes32 batchKey);
    /// @dev The recipient is the zero address.
    error BridgeZeroRecipient();
    /// @dev {mintLocks} was given no lock.
    error BridgeNoLocks();
    /// @dev A lock names class index `classIndex`, past the `classCount` classes given.
    error BridgeUnknownClassIndex(uint16 classIndex, uint256 classCount);
    /// @dev The admin given to the constructor is the zero address.
    error BridgeZeroAdmin();
    /// @dev The engine given to the constructor is the zero address.
    error BridgeZeroEngine();
    /// @dev The constructor was given one `account` as both admin and engine: the engine must never hold the
    /// roles that change who may mint.
    error BridgeAdminIsEngine(address account);

    /// @dev Registry lock `lockId` of `registry` was bridged: the serial block `serial` (key `batchKey`, `units`
    /// registry units of class `classId`) now backs class tokens minted to `recipient`.
    event BatchBridged(
        bytes32 indexed batchKey,
        bytes32 indexed classId,
        uint256 indexed lockId,
        string registry,
        string serial,
        uint64 units,
        address recipient
    );

    /// @notice Role allowed to pause minting and redemption requests (unpausing is the admin's).
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice Bridges registry locks: for each leaf, records its lock id (forever) and its serial block, adds
    /// its `blockEnd - blockStart + 1` units to its class's reserve and mints their tokens to its recipient,
    /// creating a class token on the class's first batch. Consecutive leaves of one class and one recipient
    /// mint in one transfer.
    /// @dev Callable by anyone: the signatures authorize, and every leaf is inside the signed root. The leaves
    /// may be any subset of the signed batch, with its OpenZeppelin multiproof (`proof`, `proofFlags`), so that
    /// a signed batch can be minted in parts without asking the verifiers again.
    ///
    /// Requirements:
    /// - the bridge is not paused ({EnforcedPause});
    /// - at least one leaf ({BridgeNoLocks});
    /// - `block.timestamp <= lockBatch.deadline` ({BridgeAttestationExpired});
    /// - at least `threshold()` signatures ({BridgeInsufficientSignatures}), each a 65-byte ECDSA signature over
    ///   {hashLockBatch} by a current verifier ({BridgeUnknownSigner}; malformed signatures revert with
    ///   OpenZeppelin's ECDSA errors), ordered by strictly ascending signer address ({BridgeDuplicateSigner},
    ///   {BridgeSignersNotSorted}); every signature provided must pass;
    /// - every leaf's class index is in `classes` ({BridgeUnknownClassIndex});
    /// - the leaves' hashes ({hashLock}, with the class at their index) and the multiproof rebuild
    ///   `lockBatch.locksRoot` ({BridgeInvalidLockProof}; a malformed multiproof reverts with OpenZeppelin's
    ///   `MerkleProofInvalidMultiproof`); the leaves come in the multiproof's order;
    /// - per leaf: the recipient is not zero ({BridgeZeroRecipient}); `blockStart <= blockEnd` and the block
    ///   is not all 2^64 units ({BridgeInvalidBlock}); the lock id was never bridged in its registry
    ///   ({BridgeLockUsed}); the same registry + serial is not bridged and active ({BridgeBatchAlreadyBridged});
    ///   if the class exists, its attributes equal the leaf's class ({BridgeClassMismatch}), and a new class has
    ///   `unitDecimals <= 18` ({BridgeInvalidUnitDecimals}). Serials that overlap another without being equal
    ///   are NOT detected here: the registry locks each unit once, and verifiers attest only its locks;
    /// - per class: the mint stays within the class's mint cap window ({BridgeMintRateExceeded}).
    ///
    /// Emits {BatchBridged} per leaf, {ClassCreated} per class created, and the token's {Transfer} per run of
    /// leaves of one class and one recipient.
    function mintLocks(
        CreditClass[] calldata classes,
        LockLeaf[] calldata leaves,
        bytes32[] calldata proof,
        bool[] calldata proofFlags,
        LockBatch calldata lockBatch,
        bytes[] calldata signatures
    ) external;

    /// @notice Pauses minting and new redemption requests. Finalizing and cancelling pending redemptions,
    /// retiring and settling retirements go on.
    /// @dev Requirements: caller has PAUSER_ROLE; not paused. Emits a {Paused} event.
    function pause() external;

    /// @notice Unpauses minting and redemption requests.
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE (the engine can stop the bridge, never restart it);
    /// paused. Emits an {Unpaused} event.
    function unpause() external;
}
