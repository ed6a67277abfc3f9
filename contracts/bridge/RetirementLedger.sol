// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {IRetirementLedger, RetirementDetails} from "../interfaces/IRetirementLedger.sol";
import {BatchLedger} from "./BatchLedger.sol";

/// @title RetirementLedger
/// @notice Retirements of any amount (certificate on-chain, tokens burned at once) and their settlement in
/// whole registry units, once per settlement id. See {IRetirementLedger}.
/// @dev One of the abstract pieces of {CarbonBridge}. A certificate is two storage slots (retiree and
/// amount; details hash, timestamp and class index); the {RetirementDetails} live only in the {Retired}
/// event, committed to by the details hash.
abstract contract RetirementLedger is BatchLedger, IRetirementLedger {
    /// @dev Two slots per certificate (a third would cost 22,100 gas per retirement).
    struct Certificate {
        /// @dev Who retired; zero for an unknown id.
        address retiree;
        /// @dev Wei retired: 96 bits hold 79 billion tonnes, more than any class's reserve can back.
        uint96 amount;
        /// @dev The first 20 bytes of `keccak256(abi.encode(details))`: 160 bits leave a second preimage
        /// (other details with the same hash) out of reach.
        bytes20 detailsHash;
        /// @dev Block timestamp of the retirement.
        uint64 retiredAt;
        /// @dev The class, by its index (see {ClassTokenFactory}).
        uint32 classIndex;
    }

    /// @inheritdoc IRetirementLedger
    uint256 public constant MAX_BENEFICIARY_LENGTH = 200;
    /// @inheritdoc IRetirementLedger
    uint256 public constant MAX_REASON_LENGTH = 500;
    /// @inheritdoc IRetirementLedger
    uint8 public constant MAX_PURPOSE = 8;

    /// @dev The id the next certificate gets. Starts at 1 (ids from 1; and the first retirement then updates
    /// a non-zero slot).
    uint256 private _nextCertificateId = 1;
    mapping(uint256 certificateId => Certificate) private _certificates;
    mapping(bytes32 classId => uint256) private _retiredUnsettled;
    mapping(bytes32 settlementId => bool) private _settlements;

    /// @inheritdoc IRetirementLedger
    function retire(bytes32 classId, uint256 amount, RetirementDetails calldata details)
        external
        returns (uint256 certificateId)
    {
        if (amount == 0) revert BridgeZeroAmount();
        (address token, uint32 classIndex,) = _classOf(classId);

        // Effects.
        certificateId = _nextCertificateId;
        _nextCertificateId = certificateId + 1;
        _retiredUnsettled[classId] += amount;
        _certify(certificateId, classId, classIndex, amount, details);

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).burn(msg.sender, amount);
    }

    /// @inheritdoc IRetirementLedger
    function retireMany(bytes32 classId, uint256[] calldata amounts, RetirementDetails[] calldata details)
        external
        returns (uint256 firstCertificateId)
    {
        uint256 count = amounts.length;
        if (count != details.length) revert BridgeArrayLengthMismatch();
        if (count == 0) revert BridgeZeroAmount();
        (address token, uint32 classIndex,) = _classOf(classId);

        // Effects.
        firstCertificateId = _nextCertificateId;
        uint256 total = 0; // summed below (explicit: a reader, and slither, need not know the default)
        for (uint256 i; i < count; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) revert BridgeZeroAmount();
            total += amount;
            _certify(firstCertificateId + i, classId, classIndex, amount, details[i]);
        }
        _nextCertificateId = firstCertificateId + count;
        _retiredUnsettled[classId] += total;

        // Interaction: the class token is ours; it calls nobody back.
        ICarbonCreditToken(token).burn(msg.sender, total);
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
        returns (address retiree, bytes32 classId, uint256 amount, uint64 retiredAt, bytes20 detailsHash)
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

    /// @dev Checks `details`, stores certificate `certificateId` (its hash) and emits {Retired}.
    function _certify(
        uint256 certificateId,
        bytes32 classId,
        uint32 classIndex,
        uint256 amount,
        RetirementDetails calldata details
    ) private {
        _checkDetails(details);
        // A timestamp is only recorded here, never compared; 64 bits outlast the chain.
        _certificates[certificateId] = Certificate(
            msg.sender,
            SafeCast.toUint96(amount),
            bytes20(keccak256(abi.encode(details))),
            uint64(block.timestamp),
            classIndex
        );
        emit Retired(certificateId, classId, msg.sender, amount, details);
    }

    /// @dev Refuses malformed details (shapes only: whether a country or subdivision code exists is the
    /// bridge's check off-chain, which reports an unknown one on the certificate).
    function _checkDetails(RetirementDetails calldata details) private pure {
        uint256 nameLength = bytes(details.beneficiaryName).length;
        uint256 entityLength = bytes(details.retiringEntity).length;
        if (details.personalDataHash == bytes32(0)) {
            if (nameLength == 0 || nameLength > MAX_BENEFICIARY_LENGTH) revert BridgeInvalidBeneficiary();
            if (entityLength > MAX_BENEFICIARY_LENGTH) revert BridgeInvalidRetiringEntity();
        } else {
            // Personal data only as its hash: no name in clear beside it.
            if (nameLength != 0) revert BridgeInvalidBeneficiary();
            if (entityLength != 0) revert BridgeInvalidRetiringEntity();
        }
        if (bytes(details.reason).length > MAX_REASON_LENGTH) revert BridgeReasonTooLong();
        if (details.purpose > MAX_PURPOSE) revert BridgeInvalidPurpose(details.purpose);
        bytes2 country = details.consumptionCountry;
        if (country != bytes2(0) && !(_isCapital(country[0]) && _isCapital(country[1]))) {
            revert BridgeInvalidCountry(country);
        }
        (uint32 start, uint32 end) = (details.consumptionStart, details.consumptionEnd);
        if ((start == 0 && end != 0) || start > end) revert BridgeInvalidConsumptionPeriod(start, end);
        if (!_isJurisdiction(details.claimJurisdiction)) revert BridgeInvalidJurisdiction(details.claimJurisdiction);
    }

    /// @dev Zero, "CC" or "CC-X" to "CC-XXX" (X: a capital letter or digit), zero-padded to 6 bytes.
    function _isJurisdiction(bytes6 code) private pure returns (bool) {
        if (code == bytes6(0)) return true;
        if (!_isCapital(code[0]) || !_isCapital(code[1])) return false;
        uint256 i = 2;
        if (code[2] == "-") {
            for (i = 3; i < 6 && (_isCapital(code[i]) || (code[i] >= "0" && code[i] <= "9")); ++i) {}
            if (i == 3) return false; // "CC-" with nothing after the dash
        }
        for (; i < 6; ++i) {
            if (code[i] != 0) return false;
        }
        return true;
    }

    function _isCapital(bytes1 char) private pure returns (bool) {
        return char >= "A" && char <= "Z";
    }
}
