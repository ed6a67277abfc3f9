// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "./CarbonTypes.sol";

/// @title IClassTokenFactory
/// @notice One class token per credit class, created by the bridge as a deterministic clone (salt =
/// classId) whose immutable args encode the class attributes, and the attested reserve of every class.
/// @dev Reserves count registry units of the class: one unit is `10 ** (18 - unitDecimals)` token wei
/// ({weiPerUnit}), so a tonne is always 1e18 wei whether the registry counts tonnes or kilograms.
interface IClassTokenFactory {
    /// @dev A batch names a class whose attributes differ from those the class was created with.
    error BridgeClassMismatch(bytes32 classId, bytes32 expectedClassHash, bytes32 actualClassHash);
    /// @dev Minting would push the class token's supply past the attested reserve; both values are in
    /// token units (wei, 1e18 = one tonne).
    error BridgeReserveExceeded(bytes32 classId, uint256 supply, uint256 reserve);
    /// @dev No batch of class `classId` was ever bridged: the class has no token.
    error BridgeUnknownClass(bytes32 classId);
    /// @dev A new class's `unitDecimals` is above 18: its registry unit would be smaller than one token wei.
    error BridgeInvalidUnitDecimals(uint8 unitDecimals);

    /// @dev The first batch of class `classId` created its `token`, whose attributes (struct hash `classHash`)
    /// its `creditClass()` tells.
    event ClassCreated(bytes32 indexed classId, address indexed token, bytes32 classHash);

    /// @notice The implementation every class token clone delegates to.
    function tokenImplementation() external view returns (address);

    /// @notice The token of class `classId`, or the zero address if no batch of the class was bridged yet.
    function classToken(bytes32 classId) external view returns (address);

    /// @notice The attested reserve of class `classId` in registry units: the sum of the remaining units of
    /// its active batches. The class token's supply never exceeds `classReserve(classId) * weiPerUnit(classId)`.
    function classReserve(bytes32 classId) external view returns (uint256);

    /// @notice Token wei per registry unit of class `classId`: 1e18 for a class counted in tonnes, 1e15 for
    /// one counted in kilograms; zero while the class has no token.
    function weiPerUnit(bytes32 classId) external view returns (uint256);

    /// @notice The address the token of `creditClass` has (or will have, once its first batch is bridged).
    function predictClassToken(CreditClass calldata creditClass) external view returns (address);
}
