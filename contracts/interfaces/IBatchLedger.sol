// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IClassTokenFactory} from "./IClassTokenFactory.sol";

/// @title IBatchLedger
/// @notice The record of every bridged serial block (batch), keyed by its `batchKey`
/// (`keccak256(abi.encode(keccak256(bytes(registry)), keccak256(bytes(serial))))`), and the one way its units
/// leave the class reserve: a batch shrinks only when its units left the bridge's trust account in the
/// registry (released to a redeeming holder, or retired), and it is Released at zero, so that its serial can
/// be bridged again. Redemptions ({IRedemptionEscrow}) and retirement settlements ({IRetirementLedger}) name
/// the batches they take from. Batches count registry units of their class (see {IClassTokenFactory}).
interface IBatchLedger is IClassTokenFactory {
    /// @notice Life cycle of a bridged serial block.
    enum BatchStatus {
        /// @dev Never bridged.
        None,
        /// @dev Bridged; some of its units are still backing class tokens.
        Active,
        /// @dev Every unit was released (redeemed or retired); the same serial may be bridged again under a
        /// new registry lock.
        Released
    }

    /// @notice The on-chain record of one bridged serial block. Packed in one slot.
    struct BridgedBatch {
        /// @dev The class token the block was minted into.
        address token;
        /// @dev Registry units of the block still backing class tokens.
        uint64 remaining;
        /// @dev See {BatchStatus}.
        BatchStatus status;
    }

    /// @dev The batch `batchKey` is not active (never bridged, or fully released).
    error BridgeBatchNotActive(bytes32 batchKey);
    /// @dev A burn of `units` from batch `batchKey` is zero or exceeds its `remaining` units.
    error BridgeInvalidBurnAmount(bytes32 batchKey, uint64 remaining, uint64 units);
    /// @dev Batch `batchKey` is not of class `classId`, the class of the redemption or settlement.
    error BridgeBatchClassMismatch(bytes32 batchKey, bytes32 classId);
    /// @dev Two arrays that go in pairs differ in length: batch keys and units ({finalizeRedemption},
    /// {settleRetirements}).
    error BridgeArrayLengthMismatch();
    /// @dev A redemption, retirement or settlement of nothing.
    error BridgeZeroAmount();

    /// @dev `units` registry units of batch `batchKey` were burned from `from`; `remaining` units still back
    /// tokens.
    /// For a finalized redemption `from` is the redeeming holder (the tokens burn from the bridge's escrow);
    /// for a retirement settlement it is the zero address (the tokens burned at retirement).
    event BatchBurned(bytes32 indexed batchKey, address indexed from, uint64 units, uint64 remaining);
    /// @dev Every unit of batch `batchKey` was burned; its serial may be bridged again (under a new lock).
    event BatchReleased(bytes32 indexed batchKey);

    /// @notice Role of the bridge engine's settlement operations: {finalizeRedemption}, {cancelRedemption},
    /// {settleRetirements}.
    function SETTLER_ROLE() external view returns (bytes32);

    /// @notice The record of the serial block `batchKey` (all zero if never bridged).
    function batch(bytes32 batchKey) external view returns (BridgedBatch memory);
}
