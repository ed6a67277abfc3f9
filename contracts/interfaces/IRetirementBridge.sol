// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IRetirementBridge
/// @notice The one bridge function a pool needs to retire the class tokens it holds.
/// @dev A minimal view of the bridge's retirement surface, declared here so that the pool does not depend
/// on the rest of the bridge's interface.
interface IRetirementBridge {
    /// @notice Retires `amount` (wei, 1e18 = one tonne; fractions allowed) of class `classId`: burns that
    /// much of the class token from the caller at once and issues a certificate naming the caller as
    /// retiree, with `beneficiary` and `reason`. Not blocked by the bridge's pause.
    /// @return certificateId The id of the retirement certificate.
    function retire(bytes32 classId, uint256 amount, string calldata beneficiary, string calldata reason)
        external
        returns (uint256 certificateId);
}
