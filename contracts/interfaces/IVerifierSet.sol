// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IVerifierSet
/// @notice An M-of-N set of verifiers whose EIP-712 signatures authorize mints.
interface IVerifierSet {
    /// @dev `threshold` is not in `[1, verifierCount]`.
    error BridgeInvalidThreshold(uint256 threshold, uint256 verifierCount);
    /// @dev `verifier` is already in the set.
    error BridgeVerifierAlreadyAdded(address verifier);
    /// @dev `verifier` is not in the set.
    error BridgeVerifierNotFound(address verifier);
    /// @dev The zero address cannot be a verifier.
    error BridgeInvalidVerifier(address verifier);

    /// @dev `verifier` joined the set.
    event VerifierAdded(address indexed verifier);
    /// @dev `verifier` left the set.
    event VerifierRemoved(address indexed verifier);
    /// @dev The number of signatures required changed from `oldThreshold` to `newThreshold`.
    event ThresholdChanged(uint256 oldThreshold, uint256 newThreshold);

    /// @notice Role allowed to add and remove verifiers and change the threshold.
    function VERIFIER_MANAGER_ROLE() external view returns (bytes32);

    /// @notice Adds `verifier` to the set.
    /// @dev Requirements: caller has VERIFIER_MANAGER_ROLE; `verifier` is not zero and not in the set.
    /// Emits a {VerifierAdded} event.
    function addVerifier(address verifier) external;

    /// @notice Removes `verifier` from the set.
    /// @dev Requirements: caller has VERIFIER_MANAGER_ROLE; `verifier` is in the set; the set keeps at
    /// least `threshold()` verifiers (lower the threshold first). Emits a {VerifierRemoved} event.
    function removeVerifier(address verifier) external;

    /// @notice Sets the number of distinct verifier signatures a mint needs.
    /// @dev Requirements: caller has VERIFIER_MANAGER_ROLE; `1 <= newThreshold <= verifierCount()`.
    /// Emits a {ThresholdChanged} event.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Whether `account` is a verifier.
    function isVerifier(address account) external view returns (bool);

    /// @notice How many verifiers the set has (N).
    function verifierCount() external view returns (uint256);

    /// @notice How many distinct verifier signatures a mint needs (M).
    function threshold() external view returns (uint256);

    /// @notice Every verifier, in no particular order.
    function verifiers() external view returns (address[] memory);
}
