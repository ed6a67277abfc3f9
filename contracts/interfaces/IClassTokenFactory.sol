// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "./CarbonTypes.sol";

/// @title IClassTokenFactory
/// @notice One class token per credit class, created by the bridge as a deterministic clone (salt =
/// classId) whose immutable args encode the class attributes, and the attested reserve of every class.
interface IClassTokenFactory {
    /// @dev A batch names a class whose attributes differ from those the class was created with.
    error BridgeClassMismatch(bytes32 classId, bytes32 expectedClassHash, bytes32 actualClassHash);
    /// @dev Minting would push the class token's supply past the attested reserve; both values are in
    /// token units (wei, 1e18 = one tonne).
    error BridgeReserveExceeded(bytes32 classId, uint256 supply, uint256 reserve);
    /// @dev No batch of class `classId` was ever bridged: the class has no token.
    error BridgeUnknownClass(bytes32 classId);

    /// @dev The first batch of class `classId` created its `token`.
    event ClassCreated(bytes32 indexed classId, address indexed token, bytes32 classHash, CreditClass creditClass);

    /// @notice The implementation every class token clone delegates to.
    function tokenImplementation() external view returns (address);

    /// @notice The token of class `classId`, or the zero address if no batch of the class was bridged yet.
    function classToken(bytes32 classId) external view returns (address);

    /// @notice The attested reserve of class `classId` in whole tonnes: the sum of the remaining tonnes
    /// of its active batches. The class token's supply never exceeds `classReserve(classId) * 1e18`.
    function classReserve(bytes32 classId) external view returns (uint256);

    /// @notice The address the token of `creditClass` has (or will have, once its first batch is bridged).
    function predictClassToken(CreditClass calldata creditClass) external view returns (address);
}
