// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {IRetirementLedger} from "../interfaces/IRetirementLedger.sol";
import {BatchLedger} from "./BatchLedger.sol";

/// @title RetirementLedger
/// @notice Retirements of any amount (certificate on-chain, tokens burned at once) and their settlement in
/// whole registry units, once per settlement id. See {IRetirementLedger}.
/// @dev One of the abstract pieces of {CarbonBridge}. A certificate is three storage slots (retiree,
/// timestamp and class index packed; amount; details hash); the beneficiary and reason texts live only in
/// the {Retired} event, committed to by the details hash.
abstract contract RetirementLedger is BatchLedger, IRetirementLedger {
    /// @dev Three slots per certificate.
    struct Certificate {
        /// @dev Who retired; zero for an unknown id.
        address retiree;
        /// @dev Block timestamp of the retirement.
        uint64 retiredAt;
        /// @dev The class, by its index (see {ClassTokenFactory}).
        uint32 classIndex;
        /// @dev Wei retired.
        uint256 amount;
        /// @dev `keccak256(abi.encode(keccak256(bytes(beneficiary)), keccak256(bytes(reason))))`.
        bytes32 detailsHash;
    }

    /// @inheritdoc IRetirementLedger
    uint256 public constant MAX_BENEFICIARY_LENGTH = 200;
    /// @inheritdoc IRetirementLedger
    uint256 public constant MAX_REASON_LENGTH = 500;

    /// @dev The id the next certificate gets. Starts at 1 (ids from 1; and the first retirement then updates
    /// a non-zero slot).
    uint256 private _nextCertificateId = 1;
    mapping(uint256 certificateId => Certificate) private _certificates;
    mapping(bytes32 classId => uint256) private _retiredUnsettled;
    mapping(bytes32 settlementId => bool) private _settlements;

    /// @inheritdoc IRetirementLedger
    function retire(bytes32 classId, uint256 amount, string calldata beneficiary, string calldata reason)
        external
        returns (uint256 certificateId)
    {
        if (amount == 0) revert BridgeZeroAmount();
        uint256 beneficiaryLength = bytes(beneficiary).length;
        if (beneficiaryLength == 0 || beneficiaryLength > MAX_BENEFICIARY_LENGTH) revert BridgeInvalidBeneficiary();
        if (bytes(reason).length > MAX_REASON_LENGTH) revert BridgeReasonTooLong();
        (address token, uint32 classIndex,) = _classOf(classId);
        bytes32 detailsHash = keccak256(abi.encode(keccak256(bytes(beneficiary)), keccak256(bytes(reason))));

        // Effects.
        certificateId = _nextCertificateId;
        _nextCertificateId = certificateId + 1;
        _retiredUnsettled[classId] += amount;
        // A timestamp is only recorded here, never compared; 64 bits outlast the chain.
        _certificates[certificateId] = Certificate(msg.sender, uint64(block.timestamp), classIndex, amount, detailsHash);
        emit Retired(certificateId, classId, msg.sender, amount, beneficiary, reason);

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).burn(msg.sender, amount);
    }

    /// @inheritdoc IRetirementLedger
    function settleRetirements(
        bytes32 settlementId,
        bytes32 classId,
        bytes32[] calldata batchKeys,
        uint64[] calldata units,
        string calldata registryRetirement
    ) external onlyRole(SETTLER_ROLE) {
        if (_settlements[settlementId]) {
            revert BridgeSettlementAlreadyRecorded(settlementId);
        }
        (address token, uint256 total, uint256 amount) = _settlementAmount(classId, batchKeys, units);
        uint256 unsettled = _retiredUnsettled[classId];
        if (amount > unsettled) revert BridgeSettlementExceedsUnsettled(classId, unsettled, amount);

        // Effects (no interaction: the tokens burned at retirement).
        _settlements[settlementId] = true;
        // Cannot underflow: `amount <= unsettled` was checked above.
        unchecked {
            _retiredUnsettled[classId] = unsettled - amount;
        }
        // Fits: `total * unitWei <= unsettled <= classReserve * unitWei`, and the reserve is 64 bits.
        emit RetirementsSettled(settlementId, classId, SafeCast.toUint64(total), registryRetirement);
        _takeFromBatches(classId, token, batchKeys, units, address(0));
    }

    /// @dev The token of class `classId`, and the registry units and wei a settlement of `units[i]` from batch
    /// `batchKeys[i]` takes. Reverts with {BridgeUnknownClass}, {BridgeArrayLengthMismatch} or
    /// {BridgeZeroAmount} (see {settleRetirements}).
    function _settlementAmount(bytes32 classId, bytes32[] calldata batchKeys, uint64[] calldata units)
        private
        view
        returns (address token, uint256 total, uint256 amount)
    {
        uint256 unitWei;
        (token,, unitWei) = _classOf(classId);
        total = _sumUnits(batchKeys, units);
        if (total == 0) revert BridgeZeroAmount();
        // Cannot overflow: `total` is at most 2^64 times the array length, `unitWei` at most 1e18.
        amount = total * unitWei;
    }

    /// @inheritdoc IRetirementLedger
    function certificate(uint256 certificateId)
        external
        view
        returns (address retiree, bytes32 classId, uint256 amount, uint64 retiredAt, bytes32 detailsHash)
    {
        Certificate storage cert = _certificates[certificateId];
        return (cert.retiree, _classIdAt(cert.classIndex), cert.amount, cert.retiredAt, cert.detailsHash);
    }

    /// @inheritdoc IRetirementLedger
    function retiredUnsettled(bytes32 classId) external view returns (uint256) {
        return _retiredUnsettled[classId];
    }

    /// @inheritdoc IRetirementLedger
    function isSettlementRecorded(bytes32 settlementId) external view returns (bool) {
        return _settlements[settlementId];
    }
}
