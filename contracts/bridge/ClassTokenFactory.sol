// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {CreditClass} from "../interfaces/CarbonTypes.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {IClassTokenFactory} from "../interfaces/IClassTokenFactory.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";
import {CarbonCreditToken} from "../token/CarbonCreditToken.sol";

/// @title ClassTokenFactory
/// @notice Creates one class token per credit class and keeps each class's attested reserve, in registry
/// units of the class (a tonne, or a kilogram for a class with `unitDecimals` 3).
/// @dev A class token is a clone of one implementation, deployed with CREATE2 (salt = classId) and the
/// class attributes as immutable args. Its address therefore commits to every attribute: a later batch
/// matches its class exactly when re-deriving the address from the attested attributes gives the stored
/// token, so no class hash needs to be stored. Class data is one storage slot: token + reserve + index +
/// unit decimals. The index (creation order, from 1) lets per-redemption and per-certificate records name
/// their class in a few bytes instead of a 32-byte class id, which keeps each of those records a slot smaller.
abstract contract ClassTokenFactory is IClassTokenFactory {
    /// @dev One slot per class.
    struct ClassInfo {
        /// @dev The class token (zero until the first batch).
        address token;
        /// @dev Attested reserve in registry units: remaining units of the class's active batches.
        uint64 reserve;
        /// @dev Position of the class in creation order, from 1 (zero until the first batch).
        uint24 index;
        /// @dev The class's `unitDecimals`: one registry unit is `10 ** (18 - unitDecimals)` wei.
        uint8 unitDecimals;
    }

    /// @dev Token wei per tonne, whatever the registry's unit.
    uint256 internal constant _TONNE = 1e18;
    /// @dev Largest `unitDecimals`: a registry unit is at least one token wei.
    uint8 internal constant _MAX_UNIT_DECIMALS = 18;

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
    function weiPerUnit(bytes32 classId) external view returns (uint256) {
        ClassInfo memory info = _classes[classId];
        return info.token == address(0) ? 0 : _weiPerUnit(info.unitDecimals);
    }

    /// @inheritdoc IClassTokenFactory
    function predictClassToken(CreditClass calldata creditClass) external view returns (address) {
        return Clones.predictDeterministicAddressWithImmutableArgs(
            _tokenImplementation, CreditClassCodec.encodeArgs(creditClass), CreditClassCodec.classIdMemory(creditClass)
        );
    }

    /// @dev The token of `creditClass` (id `classId`, struct hash `classHash`): the existing one, or the address
    /// its first batch will create; the wei of one of its registry units; and its clone args (see {_addToReserve}).
    ///
    /// Requirements: if the class exists, `creditClass` equals its attributes ({BridgeClassMismatch}); if not,
    /// its `unitDecimals` is at most 18 ({BridgeInvalidUnitDecimals}).
    function _resolveClass(CreditClass calldata creditClass, bytes32 classId, bytes32 classHash)
        internal
        view
        returns (address token, uint256 unitWei, bytes memory args)
    {
        token = _classes[classId].token;
        args = CreditClassCodec.encodeArgs(creditClass);
        address derived = Clones.predictDeterministicAddressWithImmutableArgs(_tokenImplementation, args, classId);
        if (token == address(0)) {
            if (creditClass.unitDecimals > _MAX_UNIT_DECIMALS) {
                revert BridgeInvalidUnitDecimals(creditClass.unitDecimals);
            }
            token = derived;
        } else if (token != derived) {
            revert BridgeClassMismatch(classId, ICarbonCreditToken(token).classHash(), classHash);
        }
        unitWei = _weiPerUnit(creditClass.unitDecimals);
    }

    /// @dev Adds `units` to the reserve of class `classId`, creating its token on the class's first batch.
    /// `resolved` and `args` are what {_resolveClass} gave for `creditClass`; if the class was created since
    /// (by another entry of the same class id in one call), its token must still be `resolved`
    /// ({BridgeClassMismatch}). Emits a {ClassCreated} event when the token is created.
    function _addToReserve(
        CreditClass calldata creditClass,
        bytes32 classId,
        bytes32 classHash,
        uint64 units,
        address resolved,
        bytes memory args
    ) internal {
        ClassInfo storage info = _classes[classId];
        address token = info.token;
        if (token != address(0)) {
            if (token != resolved) {
                revert BridgeClassMismatch(classId, ICarbonCreditToken(token).classHash(), classHash);
            }
            info.reserve += units;
            return;
        }
        // The clone is our own code and its creation runs no code of anyone else: no reentrancy.
        token = Clones.cloneDeterministicWithImmutableArgs(_tokenImplementation, args, classId);
        uint32 index = _nextClassIndex;
        _nextClassIndex = index + 1;
        _classIds[index] = classId;
        _classes[classId] = ClassInfo(token, units, SafeCast.toUint24(index), creditClass.unitDecimals);
        emit ClassCreated(classId, token, classHash);
    }

    /// @dev The reserve of class `classId` in registry units.
    function _reserveOf(bytes32 classId) internal view returns (uint256) {
        return _classes[classId].reserve;
    }

    /// @dev Lowers the reserve of class `classId` by `units` (the caller burns the matching tokens).
    function _removeFromReserve(bytes32 classId, uint64 units) internal {
        _classes[classId].reserve -= units;
    }

    /// @dev The token, index and wei per registry unit of class `classId`. Reverts with {BridgeUnknownClass}
    /// if it has no token.
    function _classOf(bytes32 classId) internal view returns (address token, uint32 index, uint256 unitWei) {
        ClassInfo memory info = _classes[classId];
        if (info.token == address(0)) revert BridgeUnknownClass(classId);
        return (info.token, info.index, _weiPerUnit(info.unitDecimals));
    }

    /// @dev The id, token and wei per registry unit of the class with index `index`; all zero for index 0.
    function _classAt(uint32 index) internal view returns (bytes32 classId, address token, uint256 unitWei) {
        classId = _classIds[index];
        ClassInfo memory info = _classes[classId];
        return (classId, info.token, info.token == address(0) ? 0 : _weiPerUnit(info.unitDecimals));
    }

    /// @dev The id of the class with index `index`; zero for index 0 (no class).
    function _classIdAt(uint32 index) internal view returns (bytes32) {
        return _classIds[index];
    }

    /// @dev Token wei per registry unit of a class with `unitDecimals`, which the caller checked is at most 18.
    function _weiPerUnit(uint8 unitDecimals) internal pure returns (uint256) {
        // Cannot overflow or underflow for `unitDecimals <= 18`: the power is at most 1e18 (one EXP opcode
        // instead of the checked exponentiation loop).
        unchecked {
            return 10 ** (_MAX_UNIT_DECIMALS - unitDecimals);
        }
    }
}
