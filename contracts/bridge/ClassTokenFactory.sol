// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {CreditClass} from "../interfaces/CarbonTypes.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {IClassTokenFactory} from "../interfaces/IClassTokenFactory.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";
import {CarbonCreditToken} from "../token/CarbonCreditToken.sol";

/// @title ClassTokenFactory
/// @notice Creates one class token per credit class and keeps each class's attested reserve.
/// @dev A class token is a clone of one implementation, deployed with CREATE2 (salt = classId) and the
/// class attributes as immutable args. Its address therefore commits to every attribute: a later batch
/// matches its class exactly when re-deriving the address from the attested attributes gives the stored
/// token, so no class hash needs to be stored. Class data is one storage slot: token + reserve + index.
/// The index (creation order, from 1) lets per-redemption and per-certificate records name their class in
/// 4 bytes instead of a 32-byte class id, which keeps each of those records a slot smaller.
abstract contract ClassTokenFactory is IClassTokenFactory {
    /// @dev One slot per class.
    struct ClassInfo {
        /// @dev The class token (zero until the first batch).
        address token;
        /// @dev Attested reserve in whole tonnes: remaining tonnes of the class's active batches.
        uint64 reserve;
        /// @dev Position of the class in creation order, from 1 (zero until the first batch).
        uint32 index;
    }

    /// @dev Wei per tonne.
    uint256 internal constant _TONNE = 1e18;

    address private immutable _tokenImplementation;
    mapping(bytes32 classId => ClassInfo) private _classes;
    mapping(uint256 index => bytes32 classId) private _classIds;
    /// @dev The index the next new class gets. Starts at 1, so that index 0 names no class and the first
    /// class creation updates a non-zero slot (5,000 gas instead of 22,100).
    uint32 private _nextClassIndex = 1;

    constructor() {
        _tokenImplementation = address(new CarbonCreditToken(address(this)));
    }

    /// @inheritdoc IClassTokenFactory
    function tokenImplementation() external view returns (address) {
        return _tokenImplementation;
    }

    /// @inheritdoc IClassTokenFactory
    function classToken(bytes32 classId) external view returns (address) {
        return _classes[classId].token;
    }

    /// @inheritdoc IClassTokenFactory
    function classReserve(bytes32 classId) external view returns (uint256) {
        return _classes[classId].reserve;
    }

    /// @inheritdoc IClassTokenFactory
    function predictClassToken(CreditClass calldata creditClass) external view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            _tokenImplementation, CreditClassCodec.encodeArgs(creditClass), CreditClassCodec.classIdMemory(creditClass)
        );
    }

    /// @dev Adds `tonnes` to the reserve of class `classId`, creating its token on the first batch, and
    /// returns the token and the new reserve.
    ///
    /// Requirements: if the class exists, `creditClass` equals its attributes ({BridgeClassMismatch}).
    /// Emits a {ClassCreated} event when the token is created.
    function _addToReserve(CreditClass calldata creditClass, bytes32 classId, bytes32 classHash, uint64 tonnes)
        internal
        returns (address token, uint64 reserve)
    {
        ClassInfo memory info = _classes[classId];
        bytes memory args = CreditClassCodec.encodeArgs(creditClass);
        token = info.token;
        if (token == address(0)) {
            // The clone is our own code and its creation runs no code of anyone else: no reentrancy.
            token = Clones.cloneDeterministicWithImmutableArgs(_tokenImplementation, args, classId);
            uint32 index = _nextClassIndex;
            _nextClassIndex = index + 1;
            _classIds[index] = classId;
            _classes[classId] = ClassInfo(token, tonnes, index);
            emit ClassCreated(classId, token, classHash, creditClass);
            return (token, tonnes);
        }
        if (token != Clones.predictDeterministicAddressWithImmutableArgs(_tokenImplementation, args, classId)) {
            revert BridgeClassMismatch(classId, ICarbonCreditToken(token).classHash(), classHash);
        }
        reserve = info.reserve + tonnes;
        _classes[classId].reserve = reserve;
    }

    /// @dev Lowers the reserve of class `classId` by `tonnes` (the caller burns the matching tokens).
    function _removeFromReserve(bytes32 classId, uint64 tonnes) internal {
        _classes[classId].reserve -= tonnes;
    }

    /// @dev The token and index of class `classId`. Reverts with {BridgeUnknownClass} if it has no token.
    function _classOf(bytes32 classId) internal view returns (address token, uint32 index) {
        ClassInfo memory info = _classes[classId];
        if (info.token == address(0)) revert BridgeUnknownClass(classId);
        return (info.token, info.index);
    }

    /// @dev The id and token of the class with index `index`; both zero for index 0 (no class).
    function _classAt(uint32 index) internal view returns (bytes32 classId, address token) {
        classId = _classIds[index];
        token = _classes[classId].token;
    }

    /// @dev The id of the class with index `index`; zero for index 0 (no class).
    function _classIdAt(uint32 index) internal view returns (bytes32) {
        return _classIds[index];
    }

    /// @dev Reverts with {BridgeReserveExceeded} if `token`'s supply exceeds `reserve` tonnes.
    function _checkReserve(bytes32 classId, address token, uint64 reserve) internal view {
        uint256 supply = IERC20(token).totalSupply();
        uint256 reserveWei = uint256(reserve) * _TONNE;
        if (supply > reserveWei) revert BridgeReserveExceeded(classId, supply, reserveWei);
    }
}
