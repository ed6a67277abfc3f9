// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IMintRateLimit} from "../interfaces/IMintRateLimit.sol";
import {ClassTokenFactory} from "./ClassTokenFactory.sol";

/// @title MintRateLimit
/// @notice A per-class cap on minting per period, set by the admin. See {IMintRateLimit}.
/// @dev One of the abstract pieces of {CarbonBridge}. The cap is one slot, read only when a window opens; each
/// class's window is one slot (its end and what it still allows, packed), written once per class per mint
/// call.
abstract contract MintRateLimit is AccessControl, ClassTokenFactory, IMintRateLimit {
    /// @dev The cap, one slot.
    struct MintCap {
        uint64 tonnesPerPeriod;
        uint32 periodSeconds;
    }

    /// @dev A class's current window, one slot.
    struct MintWindow {
        /// @dev Unix seconds at which the window ends.
        uint64 end;
        /// @dev Wei the window still allows: at most a cap of 2^64 tonnes, which fits in 192 bits.
        uint192 available;
    }

    MintCap private _cap;
    mapping(bytes32 classId => MintWindow) private _windows;

    /// @dev Emits a {MintCapChanged} event. Requirements: as {setMintCap}.
    constructor(uint64 tonnesPerPeriod, uint32 periodSeconds) {
        _setMintCap(tonnesPerPeriod, periodSeconds);
    }

    /// @inheritdoc IMintRateLimit
    function setMintCap(uint64 tonnesPerPeriod, uint32 periodSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMintCap(tonnesPerPeriod, periodSeconds);
    }

    /// @inheritdoc IMintRateLimit
    function mintCap() external view returns (uint64 tonnesPerPeriod, uint32 periodSeconds) {
        MintCap memory cap = _cap;
        return (cap.tonnesPerPeriod, cap.periodSeconds);
    }

    /// @inheritdoc IMintRateLimit
    function mintWindow(bytes32 classId) external view returns (uint64 end, uint256 available) {
        MintWindow memory window = _windows[classId];
        return (window.end, window.available);
    }

    /// @dev Takes `amount` wei minted of class `classId` from its window, opening a new window (with the cap
    /// in force) if the current one ended. Reverts with {BridgeMintRateExceeded} if the window allows less.
    function _countMint(bytes32 classId, uint256 amount) internal {
        MintWindow memory window = _windows[classId];
        // Windows last hours to days: seconds of validator drift do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= window.end) {
            MintCap memory cap = _cap;
            // A timestamp plus at most 2^32 seconds: 64 bits outlast the chain.
            window.end = uint64(block.timestamp) + cap.periodSeconds;
            // The cap in wei is below 2^64 * 1e18 < 2^192.
            window.available = uint192(uint256(cap.tonnesPerPeriod) * _TONNE);
        }
        if (amount > window.available) revert BridgeMintRateExceeded(classId, window.available, amount);
        // Cannot underflow: checked just above; and `amount` fits, being at most `available`.
        unchecked {
            // forge-lint: disable-next-line(unsafe-typecast)
            window.available -= uint192(amount);
        }
        _windows[classId] = window;
    }

    function _setMintCap(uint64 tonnesPerPeriod, uint32 periodSeconds) private {
        if (tonnesPerPeriod == 0 || periodSeconds == 0) revert BridgeInvalidMintCap(tonnesPerPeriod, periodSeconds);
        _cap = MintCap(tonnesPerPeriod, periodSeconds);
        emit MintCapChanged(tonnesPerPeriod, periodSeconds);
    }
}
