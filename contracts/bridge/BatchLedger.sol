// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IBatchLedger} from "../interfaces/IBatchLedger.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {ClassTokenFactory} from "./ClassTokenFactory.sol";

/// @title BatchLedger
/// @notice The record of every bridged serial block (batch) and the one way its units leave the reserve.
/// See {IBatchLedger}.
/// @dev One of the abstract pieces of {CarbonBridge}. Lowering a batch also lowers its class reserve; the
/// caller decides whether tokens burn now (redemption) or burned already (retirement settlement). Batches
/// count registry units of their class (see {IClassTokenFactory}).
abstract contract BatchLedger is AccessControl, ClassTokenFactory, IBatchLedger {
    /// @inheritdoc IBatchLedger
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    mapping(bytes32 batchKey => BridgedBatch) private _batches;

    /// @inheritdoc IBatchLedger
    function batch(bytes32 batchKey) external view returns (BridgedBatch memory) {
        return _batches[batchKey];
    }

    /// @dev Whether batch `batchKey` is bridged and not fully released.
    function _isBatchActive(bytes32 batchKey) internal view returns (bool) {
        return _batches[batchKey].status == BatchStatus.Active;
    }

    /// @dev Records batch `batchKey` as active with `units` registry units of class token `token`.
    function _recordBatch(bytes32 batchKey, address token, uint64 units) internal {
        _batches[batchKey] = BridgedBatch(token, units, BatchStatus.Active);
    }

    /// @dev Takes `units[i]` from batch `batchKeys[i]`, each of class `classId` (token `token`), and from the
    /// class reserve. Burns nothing. The caller checks the array lengths (see {_sumUnits}).
    ///
    /// Requirements: per batch, as {_takeFromBatch}, and the batch is of the class ({BridgeBatchClassMismatch}).
    /// Emits {BatchBurned} per batch (`from` as given) and {BatchReleased} per batch that reaches zero.
    function _takeFromBatches(
        bytes32 classId,
        address token,
        bytes32[] calldata batchKeys,
        uint64[] calldata units,
        address from
    ) internal {
        uint256 count = batchKeys.length;
        for (uint256 i; i < count; ++i) {
            bytes32 batchKey = batchKeys[i];
            BridgedBatch memory record = _activeBatch(batchKey);
            if (record.token != token) revert BridgeBatchClassMismatch(batchKey, classId);
            _takeFromBatch(batchKey, record, from, units[i]);
            _removeFromReserve(classId, units[i]);
        }
    }

    /// @dev Burns `units` registry units of batch `batchKey`'s class token from `from`: lowers the batch's
    /// remaining units (marking it Released at zero) and the class reserve, then burns the tokens.
    /// The single-batch, any-holder form of the burn path; the entry points use {_takeFromBatches}.
    ///
    /// Requirements: as {_takeFromBatch}; `from` holds `units` units' worth of tokens.
    /// Emits {BatchBurned}, {BatchReleased} when the batch reaches zero, and the token's {Transfer}.
    function _burnFromBatch(bytes32 batchKey, address from, uint64 units) internal {
        BridgedBatch memory record = _activeBatch(batchKey);
        _takeFromBatch(batchKey, record, from, units);
        ICarbonCreditToken token = ICarbonCreditToken(record.token);
        bytes32 classId = token.classId();
        (,, uint256 unitWei) = _classOf(classId);
        _removeFromReserve(classId, units);
        token.burn(from, uint256(units) * unitWei);
    }

    /// @dev The sum of `units`, after checking that it pairs with `batchKeys` ({BridgeArrayLengthMismatch}).
    /// Summed in 256 bits: it cannot overflow for any array that fits in calldata.
    function _sumUnits(bytes32[] calldata batchKeys, uint64[] calldata units) internal pure returns (uint256 total) {
        uint256 count = units.length;
        if (batchKeys.length != count) revert BridgeArrayLengthMismatch();
        for (uint256 i; i < count; ++i) {
            total += units[i];
        }
    }

    /// @dev The record of batch `batchKey`. Reverts with {BridgeBatchNotActive} unless it is active.
    function _activeBatch(bytes32 batchKey) private view returns (BridgedBatch memory record) {
        record = _batches[batchKey];
        if (record.status != BatchStatus.Active) revert BridgeBatchNotActive(batchKey);
    }

    /// @dev Lowers active batch `batchKey` (whose current `record` the caller read) by `units`, marking it
    /// Released at zero. Reverts with {BridgeInvalidBurnAmount} unless `0 < units <= remaining`.
    /// Emits {BatchBurned} and, at zero, {BatchReleased}.
    function _takeFromBatch(bytes32 batchKey, BridgedBatch memory record, address from, uint64 units) private {
        if (units == 0 || units > record.remaining) {
            revert BridgeInvalidBurnAmount(batchKey, record.remaining, units);
        }
        // Cannot underflow: `units <= record.remaining` was checked above.
        unchecked {
            record.remaining -= units;
        }
        bool released = record.remaining == 0;
        if (released) record.status = BatchStatus.Released;
        _batches[batchKey] = record;
        emit BatchBurned(batchKey, from, units, record.remaining);
        if (released) emit BatchReleased(batchKey);
    }
}
