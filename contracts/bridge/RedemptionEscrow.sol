// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {IRedemptionEscrow} from "../interfaces/IRedemptionEscrow.sol";
import {BatchLedger} from "./BatchLedger.sol";

/// @title RedemptionEscrow
/// @notice Redemptions of whole registry units to a registry account: escrow on request, then burn on
/// finalize or refund on cancel, each redemption exactly once. See {IRedemptionEscrow}.
/// @dev One of the abstract pieces of {CarbonBridge}. A request writes one new storage slot (the record:
/// holder, units and class index packed) besides the per-class escrow total; the record is kept after the
/// redemption ends, and its end (finalized or cancelled) is one bit in one of two bitmaps (256 per slot).
abstract contract RedemptionEscrow is Pausable, BatchLedger, IRedemptionEscrow {
    using BitMaps for BitMaps.BitMap;

    /// @dev One slot per redemption.
    struct RedemptionRecord {
        /// @dev Who asked; zero for an unknown id.
        address holder;
        /// @dev Whole registry units asked for (`amount / weiPerUnit`).
        uint64 units;
        /// @dev The class, by its index (see {ClassTokenFactory}).
        uint32 classIndex;
    }

    /// @dev The id the next request gets. Starts at 1 (ids from 1; and the first request then updates a
    /// non-zero slot).
    uint256 private _nextRedemptionId = 1;
    mapping(uint256 redemptionId => RedemptionRecord) private _redemptions;
    BitMaps.BitMap private _finalized;
    BitMaps.BitMap private _cancelled;
    mapping(bytes32 classId => uint256) private _escrowed;

    /// @inheritdoc IRedemptionEscrow
    function requestRedemption(bytes32 classId, uint256 amount, string calldata registryAccount)
        external
        whenNotPaused
        returns (uint256 redemptionId)
    {
        if (amount == 0) revert BridgeZeroAmount();
        if (bytes(registryAccount).length == 0) revert BridgeEmptyRegistryAccount();
        (address token, uint32 classIndex, uint256 unitWei) = _classOf(classId);
        if (amount % unitWei != 0) revert BridgeFractionalRedemption(amount, unitWei);
        // An amount past 2^64 units exceeds any supply: the transfer below would refuse it anyway.
        uint64 units = SafeCast.toUint64(amount / unitWei);

        // Effects.
        redemptionId = _nextRedemptionId;
        _nextRedemptionId = redemptionId + 1;
        _redemptions[redemptionId] = RedemptionRecord(msg.sender, units, classIndex);
        _escrowed[classId] += amount;
        emit RedemptionRequested(redemptionId, classId, msg.sender, units, registryAccount);

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).bridgeTransfer(msg.sender, address(this), amount);
    }

    /// @inheritdoc IRedemptionEscrow
    function finalizeRedemption(
        uint256 redemptionId,
        bytes32[] calldata batchKeys,
        uint64[] calldata units,
        string calldata releasedSerials
    ) external onlyRole(SETTLER_ROLE) {
        RedemptionRecord memory record = _pendingRedemption(redemptionId);
        uint256 total = _sumUnits(batchKeys, units);
        if (total != record.units) revert BridgeUnitsMismatch(record.units, _saturate64(total));
        (bytes32 classId, address token, uint256 unitWei) = _classAt(record.classIndex);
        uint256 amount = uint256(record.units) * unitWei;

        // Effects.
        _finalized.set(redemptionId);
        _escrowed[classId] -= amount;
        emit RedemptionFinalized(redemptionId, releasedSerials);
        _takeFromBatches(classId, token, batchKeys, units, record.holder);

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).burn(address(this), amount);
    }

    /// @inheritdoc IRedemptionEscrow
    function cancelRedemption(uint256 redemptionId, string calldata reason) external onlyRole(SETTLER_ROLE) {
        RedemptionRecord memory record = _pendingRedemption(redemptionId);
        (bytes32 classId, address token, uint256 unitWei) = _classAt(record.classIndex);
        uint256 amount = uint256(record.units) * unitWei;

        // Effects.
        _cancelled.set(redemptionId);
        _escrowed[classId] -= amount;
        emit RedemptionCancelled(redemptionId, reason);

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).bridgeTransfer(address(this), record.holder, amount);
    }

    /// @inheritdoc IRedemptionEscrow
    function redemption(uint256 redemptionId)
        external
        view
        returns (address holder, bytes32 classId, uint64 units, RedemptionStatus status)
    {
        RedemptionRecord memory record = _redemptions[redemptionId];
        return (record.holder, _classIdAt(record.classIndex), record.units, _statusOf(redemptionId, record));
    }

    /// @inheritdoc IRedemptionEscrow
    function escrowed(bytes32 classId) external view returns (uint256) {
        return _escrowed[classId];
    }

    /// @dev The record of redemption `redemptionId`. Reverts with {BridgeRedemptionNotPending} unless it is
    /// pending.
    function _pendingRedemption(uint256 redemptionId) private view returns (RedemptionRecord memory record) {
        record = _redemptions[redemptionId];
        if (_statusOf(redemptionId, record) != RedemptionStatus.Pending) {
            revert BridgeRedemptionNotPending(redemptionId);
        }
    }

    /// @dev The status of redemption `redemptionId`, whose `record` the caller read.
    function _statusOf(uint256 redemptionId, RedemptionRecord memory record) private view returns (RedemptionStatus) {
        if (record.holder == address(0)) return RedemptionStatus.None;
        if (_finalized.get(redemptionId)) return RedemptionStatus.Finalized;
        if (_cancelled.get(redemptionId)) return RedemptionStatus.Cancelled;
        return RedemptionStatus.Pending;
    }

    /// @dev `value`, or 2^64 - 1 if it does not fit in 64 bits (for error arguments).
    function _saturate64(uint256 value) private pure returns (uint64) {
        // casting to 'uint64' is safe because larger values were replaced by the maximum
        // forge-lint: disable-next-line(unsafe-typecast)
        return value > type(uint64).max ? type(uint64).max : uint64(value);
    }
}
