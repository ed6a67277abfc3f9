// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IVerifierSet} from "../interfaces/IVerifierSet.sol";

/// @title VerifierSet
/// @notice An M-of-N verifier set managed by VERIFIER_MANAGER_ROLE: N verifiers, threshold M in [1, N].
abstract contract VerifierSet is AccessControl, IVerifierSet {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @inheritdoc IVerifierSet
    bytes32 public constant VERIFIER_MANAGER_ROLE = keccak256("VERIFIER_MANAGER_ROLE");

    EnumerableSet.AddressSet private _verifiers;
    uint256 private _threshold;

    /// @dev Requirements: `initialVerifiers` are distinct and non-zero; `1 <= initialThreshold <= N`.
    /// Emits a {VerifierAdded} event per verifier and a {ThresholdChanged} event.
    constructor(address[] memory initialVerifiers, uint256 initialThreshold) {
        for (uint256 i; i < initialVerifiers.length; ++i) {
            _addVerifier(initialVerifiers[i]);
        }
        _setThreshold(initialThreshold);
    }

    /// @inheritdoc IVerifierSet
    function addVerifier(address verifier) external onlyRole(VERIFIER_MANAGER_ROLE) {
        _addVerifier(verifier);
    }

    /// @inheritdoc IVerifierSet
    function removeVerifier(address verifier) external onlyRole(VERIFIER_MANAGER_ROLE) {
        if (!_verifiers.remove(verifier)) revert BridgeVerifierNotFound(verifier);
        uint256 remaining = _verifiers.length();
        // the revert undoes the removal when it would leave fewer verifiers than the threshold
        if (remaining < _threshold) revert BridgeInvalidThreshold(_threshold, remaining);
        emit VerifierRemoved(verifier);
    }

    /// @inheritdoc IVerifierSet
    function setThreshold(uint256 newThreshold) external onlyRole(VERIFIER_MANAGER_ROLE) {
        _setThreshold(newThreshold);
    }

    /// @inheritdoc IVerifierSet
    function isVerifier(address account) public view returns (bool) {
        return _verifiers.contains(account);
    }

    /// @inheritdoc IVerifierSet
    function verifierCount() external view returns (uint256) {
        return _verifiers.length();
    }

    /// @inheritdoc IVerifierSet
    function threshold() public view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IVerifierSet
    function verifiers() external view returns (address[] memory) {
        return _verifiers.values();
    }

    function _addVerifier(address verifier) private {
        if (verifier == address(0)) revert BridgeInvalidVerifier(verifier);
        if (!_verifiers.add(verifier)) revert BridgeVerifierAlreadyAdded(verifier);
        emit VerifierAdded(verifier);
    }

    function _setThreshold(uint256 newThreshold) private {
        uint256 count = _verifiers.length();
        if (newThreshold == 0 || newThreshold > count) revert BridgeInvalidThreshold(newThreshold, count);
        uint256 oldThreshold = _threshold;
        _threshold = newThreshold;
        emit ThresholdChanged(oldThreshold, newThreshold);
    }
}
