// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {CreditClass, LockBatch, LockLeaf} from "../interfaces/CarbonTypes.sol";
import {ICarbonBridge} from "../interfaces/ICarbonBridge.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";
import {LockCodec} from "../libraries/LockCodec.sol";
import {AttestationVerifier} from "./AttestationVerifier.sol";
import {MintRateLimit} from "./MintRateLimit.sol";
import {RedemptionEscrow} from "./RedemptionEscrow.sol";
import {RetirementLedger} from "./RetirementLedger.sol";
import {VerifierSet} from "./VerifierSet.sol";

/// @title CarbonBridge
/// @notice Tokenizes serial blocks of carbon credits locked in a registry: on M-of-N verifier signatures over
/// a Merkle root of the registry's locks it records each lock once, ever, and mints the blocks' class tokens
/// to their recipients, creating a class token on the class's first batch. A class token's supply never
/// exceeds its attested reserve. Holders redeem whole registry units back to a registry account
/// ({RedemptionEscrow}) and retire any amount ({RetirementLedger}); the bridge engine settles both against
/// named batches.
/// @dev Composed of abstract pieces: {VerifierSet} and {AttestationVerifier} (who may authorize a mint, which
/// locks were bridged), {ClassTokenFactory} (class tokens and reserves), {MintRateLimit}, {BatchLedger}
/// (batches), {RedemptionEscrow} and {RetirementLedger}. Roles: the admin (a timelock or a multisig) holds
/// DEFAULT_ADMIN_ROLE (roles, mint cap, unpause) and VERIFIER_MANAGER_ROLE (verifier set, threshold); the
/// engine's sending key holds PAUSER_ROLE (pause only) and SETTLER_ROLE (finalize and cancel redemptions,
/// settle retirements). Minting needs no role: the verifiers' signatures authorize it. Each piece implements
/// its own interface; the bridge alone implements the whole, {ICarbonBridge}.
contract CarbonBridge is
    Pausable,
    AttestationVerifier,
    RedemptionEscrow,
    RetirementLedger,
    MintRateLimit,
    ICarbonBridge
{
    /// @dev What one {mintLocks} call knows of one class of its `classes` array.
    struct ClassMint {
        bytes32 classId;
        bytes32 classHash;
        /// @dev The class token (or the address its creation will have); zero until a leaf resolves it.
        address token;
        /// @dev Token wei per registry unit of the class.
        uint256 unitWei;
        /// @dev The class token's clone args (see {CreditClassCodec-encodeArgs}).
        bytes args;
        /// @dev Registry units the call bridges into the class.
        uint256 units;
        /// @dev The class's reserve in wei once the call's units are added: its token's supply stays within.
        uint256 reserveWei;
    }

    /// @dev Per leaf of a {mintLocks} call: its Merkle leaf, and the hashes of its registry and serial.
    struct LeafKeys {
        bytes32[] leafHashes;
        bytes32[] registryHashes;
        bytes32[] serialHashes;
    }

    /// @dev Consecutive leaves of one class to one recipient: one mint.
    struct MintRun {
        uint256 classIndex;
        address recipient;
        uint256 units;
    }

    /// @inheritdoc ICarbonBridge
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @param admin The timelock or multisig that administers the bridge: DEFAULT_ADMIN_ROLE and
    /// VERIFIER_MANAGER_ROLE.
    /// @param engine The bridge engine's sending key: PAUSER_ROLE and SETTLER_ROLE. Not `admin`.
    /// @param initialVerifiers The verifier set (distinct, non-zero).
    /// @param initialThreshold Signatures a mint needs, in `[1, initialVerifiers.length]`.
    /// @param capTonnes Tonnes each class may mint per window (see {IMintRateLimit}), above zero.
    /// @param capPeriod The window's length in seconds, above zero.
    /// @dev The deployer gets no role. Emits {VerifierAdded} per verifier, {ThresholdChanged},
    /// {MintCapChanged} and {RoleGranted} per role.
    constructor(
        address admin,
        address engine,
        address[] memory initialVerifiers,
        uint256 initialThreshold,
        uint64 capTonnes,
        uint32 capPeriod
    ) VerifierSet(initialVerifiers, initialThreshold) MintRateLimit(capTonnes, capPeriod) {
        if (admin == address(0)) revert BridgeZeroAdmin();
        if (engine == address(0)) revert BridgeZeroEngine();
        if (engine == admin) revert BridgeAdminIsEngine(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(VERIFIER_MANAGER_ROLE, admin);
        _grantRole(PAUSER_ROLE, engine);
        _grantRole(SETTLER_ROLE, engine);
    }

    /// @inheritdoc ICarbonBridge
    function mintLocks(
        CreditClass[] calldata classes,
        LockLeaf[] calldata leaves,
        bytes32[] calldata proof,
        bool[] calldata proofFlags,
        LockBatch calldata lockBatch,
        bytes[] calldata signatures
    ) external whenNotPaused {
        // Checks: the signed batch once, then every leaf against its root, then each leaf against the state
        // (with its effects, in {_recordLocks}).
        if (leaves.length == 0) revert BridgeNoLocks();
        _verifyLockBatch(lockBatch, signatures);
        ClassMint[] memory mints = _classKeys(classes);
        LeafKeys memory keys = _hashLeaves(leaves, mints);
        if (!MerkleProof.multiProofVerifyCalldata(proof, proofFlags, lockBatch.locksRoot, keys.leafHashes)) {
            revert BridgeInvalidLockProof(lockBatch.locksRoot);
        }
        _bridgeLocks(classes, leaves, mints, keys);
    }

    /// @inheritdoc ICarbonBridge
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ICarbonBridge
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @dev Effects, then interactions, of {mintLocks} once the signed batch and the leaves' proof passed:
    /// locks and batches per leaf, reserves and mint windows per class, then the mints.
    function _bridgeLocks(
        CreditClass[] calldata classes,
        LockLeaf[] calldata leaves,
        ClassMint[] memory mints,
        LeafKeys memory keys
    ) private {
        MintRun[] memory runs = _recordLocks(classes, leaves, mints, keys);
        _addToReserves(classes, mints);
        // Interactions: the class tokens are ours and call nobody back.
        _mintRuns(mints, runs);
    }

    /// @dev The id and struct hash of every class given; the rest is filled in as leaves name the class.
    function _classKeys(CreditClass[] calldata classes) private pure returns (ClassMint[] memory mints) {
        uint256 count = classes.length;
        mints = new ClassMint[](count);
        for (uint256 i; i < count; ++i) {
            (bytes32 classId, bytes32 classHash) = CreditClassCodec.keys(classes[i]);
            mints[i] = ClassMint(classId, classHash, address(0), 0, "", 0, 0);
        }
    }

    /// @dev The Merkle leaf of every lock, and the hashes of its registry and serial.
    /// Reverts with {BridgeUnknownClassIndex} if a leaf names a class not given.
    function _hashLeaves(LockLeaf[] calldata leaves, ClassMint[] memory mints)
        private
        pure
        returns (LeafKeys memory keys)
    {
        uint256 count = leaves.length;
        keys = LeafKeys(new bytes32[](count), new bytes32[](count), new bytes32[](count));
        for (uint256 i; i < count; ++i) {
            LockLeaf calldata leaf = leaves[i];
            if (leaf.classIndex >= mints.length) revert BridgeUnknownClassIndex(leaf.classIndex, mints.length);
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40) // remember where this leaf's scratch allocations start
            }
            (keys.leafHashes[i], keys.registryHashes[i], keys.serialHashes[i]) =
                _hashLeaf(leaf, mints[leaf.classIndex].classHash);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory) // free them: only the three hashes, stored above, are read later
            }
        }
    }

    /// @dev The Merkle leaf of `leaf` (of class hash `classHash`), and the hashes of its registry and serial.
    function _hashLeaf(LockLeaf calldata leaf, bytes32 classHash)
        private
        pure
        returns (bytes32 leafHash, bytes32 registryHash, bytes32 serialHash)
    {
        registryHash = keccak256(bytes(leaf.registry));
        serialHash = keccak256(bytes(leaf.serial));
        leafHash = LockCodec.leaf(
            leaf.lockId, registryHash, serialHash, leaf.blockStart, leaf.blockEnd, classHash, leaf.recipient
        );
    }

    /// @dev Checks each leaf against the state and records it: its lock id, its batch, and its units in its
    /// class's total and in the runs to mint. See {mintLocks} for the per-leaf requirements.
    /// Emits {BatchBridged} per leaf.
    function _recordLocks(
        CreditClass[] calldata classes,
        LockLeaf[] calldata leaves,
        ClassMint[] memory mints,
        LeafKeys memory keys
    ) private returns (MintRun[] memory runs) {
        uint256 count = leaves.length;
        runs = new MintRun[](count);
        uint256 runCount;
        for (uint256 i; i < count; ++i) {
            LockLeaf calldata leaf = leaves[i];
            if (leaf.recipient == address(0)) revert BridgeZeroRecipient();
            uint64 units = _unitsOf(leaf.blockStart, leaf.blockEnd);
            _useLock(keys.registryHashes[i], leaf.registry, leaf.lockId);
            bytes32 batchKey = LockCodec.batchKey(keys.registryHashes[i], keys.serialHashes[i]);
            if (_isBatchActive(batchKey)) revert BridgeBatchAlreadyBridged(batchKey);
            ClassMint memory classMint = mints[leaf.classIndex];
            if (classMint.token == address(0)) {
                (classMint.token, classMint.unitWei, classMint.args) =
                    _resolveClass(classes[leaf.classIndex], classMint.classId, classMint.classHash);
            }
            classMint.units += units;
            _recordBatch(batchKey, classMint.token, units);
            emit BatchBridged(
                batchKey, classMint.classId, leaf.lockId, leaf.registry, leaf.serial, units, leaf.recipient
            );
            runCount = _extendRuns(runs, runCount, leaf.classIndex, leaf.recipient, units);
        }
        assembly ("memory-safe") {
            mstore(runs, runCount) // shrink the array to the runs found
        }
    }

    /// @dev Adds `units` of class `classIndex` to `recipient` to the last run if it is of the same class and
    /// recipient, else opens a run. Returns the new number of runs.
    function _extendRuns(MintRun[] memory runs, uint256 runCount, uint256 classIndex, address recipient, uint64 units)
        private
        pure
        returns (uint256)
    {
        if (runCount > 0) {
            MintRun memory last = runs[runCount - 1];
            if (last.classIndex == classIndex && last.recipient == recipient) {
                last.units += units;
                return runCount;
            }
        }
        runs[runCount] = MintRun(classIndex, recipient, units);
        return runCount + 1;
    }

    /// @dev Adds each class's units to its reserve (creating its token if new) and counts them in its mint
    /// window, then notes each class's reserve in wei once every entry was added (a class listed twice has one
    /// reserve). Emits {ClassCreated} per class created.
    function _addToReserves(CreditClass[] calldata classes, ClassMint[] memory mints) private {
        uint256 count = mints.length;
        for (uint256 i; i < count; ++i) {
            ClassMint memory classMint = mints[i];
            if (classMint.units == 0) continue;
            _countMint(classMint.classId, classMint.units * classMint.unitWei);
            _addToReserve(
                classes[i],
                classMint.classId,
                classMint.classHash,
                SafeCast.toUint64(classMint.units),
                classMint.token,
                classMint.args
            );
        }
        for (uint256 i; i < count; ++i) {
            ClassMint memory classMint = mints[i];
            if (classMint.units > 0) classMint.reserveWei = _reserveOf(classMint.classId) * classMint.unitWei;
        }
    }

    /// @dev Mints each run's tokens. Reverts with {BridgeReserveExceeded} if a class token's supply passes the
    /// class's reserve (it cannot, unless the reserve was broken elsewhere: a last line of defence).
    function _mintRuns(ClassMint[] memory mints, MintRun[] memory runs) private {
        uint256 runCount = runs.length;
        for (uint256 i; i < runCount; ++i) {
            MintRun memory run = runs[i];
            ClassMint memory classMint = mints[run.classIndex];
            uint256 supply = ICarbonCreditToken(classMint.token).mint(run.recipient, run.units * classMint.unitWei);
            if (supply > classMint.reserveWei) {
                revert BridgeReserveExceeded(classMint.classId, supply, classMint.reserveWei);
            }
        }
    }

    /// @dev The units of the block `blockStart..blockEnd`. Reverts with {BridgeInvalidBlock} if it ends before
    /// it starts or holds 2^64 units.
    function _unitsOf(uint64 blockStart, uint64 blockEnd) private pure returns (uint64) {
        if (blockEnd < blockStart || blockEnd - blockStart == type(uint64).max) {
            revert BridgeInvalidBlock(blockStart, blockEnd);
        }
        return blockEnd - blockStart + 1;
    }
}
