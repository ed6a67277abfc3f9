// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "../interfaces/CarbonTypes.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {EligibilityReason, ICarbonPool, PoolRules} from "../interfaces/ICarbonPool.sol";
import {IClassTokenFactory} from "../interfaces/IClassTokenFactory.sol";

/// @title PoolEligibility
/// @notice Which class tokens a pool accepts: genuine class tokens of one bridge whose class attributes
/// meet the pool's rules.
/// @dev Set membership is `keccak256(bytes(value)) => version`: a value belongs to a set of the current
/// rules when its entry equals {rulesVersion}. Replacing the rules writes the new members with the new
/// version, so the old members drop out without being cleared. The rules themselves are also kept as
/// given, for the {rules} view.
///
/// Genuineness is checked once per token and remembered (its class id, non-zero): a token's bridge and
/// class attributes are clone immutables and the bridge never reassigns a class's token, so it cannot
/// change. Attribute checks are cached per class by the concrete pool, keyed by {rulesVersion}.
abstract contract PoolEligibility is ICarbonPool {
    /// @dev Every label bit a class can carry (CCP_APPROVED | CORSIA_ELIGIBLE | REMOVAL | ARTICLE6_AUTHORIZED).
    uint8 private constant _KNOWN_LABELS = 1 | 2 | 4 | 8;
    /// @dev `CreditClass.adjustment` value of a completed corresponding adjustment.
    uint8 private constant _ADJUSTMENT_COMPLETED = 4;

    /// @dev The bridge whose class tokens are accepted.
    address internal immutable _bridge;

    PoolRules private _rules;
    mapping(bytes32 valueHash => uint32 version) private _programs;
    mapping(bytes32 valueHash => uint32 version) private _methodologies;
    mapping(bytes32 valueHash => uint32 version) private _deniedMethodologies;
    mapping(bytes32 valueHash => uint32 version) private _hostCountries;
    /// @dev Class id of every token found genuine (zero = not checked yet, or not genuine).
    mapping(address token => bytes32 classId) private _classIds;
    /// @dev Declared last so that it shares a slot with the first small variables of the concrete pool,
    /// which reads them together on every deposit.
    uint32 internal _rulesVersion;

    /// @param bridge_ The bridge whose class tokens the pool accepts.
    constructor(address bridge_) {
        if (bridge_ == address(0)) revert PoolZeroBridge();
        _bridge = bridge_;
    }

    /// @inheritdoc ICarbonPool
    function bridge() external view returns (address) {
        return _bridge;
    }

    /// @inheritdoc ICarbonPool
    function rules() external view returns (PoolRules memory) {
        return _rules;
    }

    /// @inheritdoc ICarbonPool
    function rulesVersion() external view returns (uint32) {
        return _rulesVersion;
    }

    /// @dev Validates `newRules`, makes them the current rules under a new version, and returns it.
    /// Emits {RulesChanged}.
    function _setRules(PoolRules memory newRules) internal returns (uint32 version) {
        uint32 minVintage = newRules.minVintageStart;
        if (minVintage != 0 && (minVintage < 10_000_000 || minVintage > 99_999_999)) {
            revert PoolInvalidMinVintage(minVintage);
        }
        if (newRules.requiredLabels & ~_KNOWN_LABELS != 0) revert PoolInvalidLabels(newRules.requiredLabels);
        version = _rulesVersion + 1;
        _enlist(_programs, newRules.programs, version);
        _enlist(_methodologies, newRules.methodologies, version);
        _enlist(_deniedMethodologies, newRules.deniedMethodologies, version);
        _enlist(_hostCountries, newRules.hostCountries, version);
        _rules = newRules;
        _rulesVersion = version;
        emit RulesChanged(version, newRules);
    }

    /// @dev Whether `token` is a genuine class token meeting the current rules (else the first rule it fails),
    /// and its class id (zero if not genuine). Never reverts for an arbitrary address.
    function _eligibility(address token) internal view returns (EligibilityReason reason, bytes32 classId) {
        classId = _classIds[token];
        if (classId == bytes32(0)) {
            classId = _genuineClassId(token);
            if (classId == bytes32(0)) return (EligibilityReason.NotBridgeToken, bytes32(0));
        }
        // Genuine: the token is the bridge's own clone, so its attributes can be trusted and decoded.
        reason = _evaluate(ICarbonCreditToken(token).creditClass());
    }

    /// @dev Reverts unless `token` may be deposited under the current rules; remembers it as genuine.
    /// Reverts with {PoolNotBridgeToken} or {PoolClassNotEligible}.
    function _requireEligible(address token) internal {
        (EligibilityReason reason, bytes32 classId) = _eligibility(token);
        if (reason == EligibilityReason.NotBridgeToken) revert PoolNotBridgeToken(token);
        if (reason != EligibilityReason.Eligible) revert PoolClassNotEligible(token, reason);
        if (_classIds[token] == bytes32(0)) _classIds[token] = classId;
    }

    /// @dev The class id of `token`, remembered when it was first admitted (zero if never admitted).
    function _classIdOf(address token) internal view returns (bytes32) {
        return _classIds[token];
    }

    /// @dev The first rule `c` fails, or {EligibilityReason-Eligible}.
    function _evaluate(CreditClass memory c) private view returns (EligibilityReason) {
        uint32 version = _rulesVersion;
        PoolRules storage r = _rules;
        if (r.programs.length != 0 && _programs[keccak256(bytes(c.program))] != version) {
            return EligibilityReason.ProgramNotAllowed;
        }
        bytes32 methodologyHash = keccak256(bytes(c.methodology));
        if (r.methodologies.length != 0 && _methodologies[methodologyHash] != version) {
            return EligibilityReason.MethodologyNotAllowed;
        }
        // Versions start at 1, so a never-listed value (entry 0) is never "denied".
        if (_deniedMethodologies[methodologyHash] == version) return EligibilityReason.MethodologyDenied;
        if (c.vintageStart < r.minVintageStart) return EligibilityReason.VintageTooOld;
        if (r.hostCountries.length != 0 && _hostCountries[keccak256(bytes(c.hostCountry))] != version) {
            return EligibilityReason.HostCountryNotAllowed;
        }
        uint8 missing = r.requiredLabels & ~c.labels;
        if (missing != 0) {
            if (missing & 1 != 0) return EligibilityReason.NotCcpApproved;
            if (missing & 2 != 0) return EligibilityReason.NotCorsiaEligible;
            if (missing & 4 != 0) return EligibilityReason.NotRemoval;
            return EligibilityReason.NotArticle6Authorized;
        }
        if (r.requireCorrespondingAdjustment && c.adjustment != _ADJUSTMENT_COMPLETED) {
            return EligibilityReason.NoCorrespondingAdjustment;
        }
        return EligibilityReason.Eligible;
    }

    /// @dev The class id of `token` if it is a class token created by the bridge, else zero: its `bridge()`
    /// is the bridge, and the bridge's token for its `classId()` is `token` itself (so a token that merely
    /// claims the bridge, or claims a class, is refused). Low-level calls: `token` may be anything.
    function _genuineClassId(address token) private view returns (bytes32) {
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeCall(ICarbonCreditToken.bridge, ()));
        if (!ok || ret.length < 32 || abi.decode(ret, (uint256)) != uint256(uint160(_bridge))) return bytes32(0);
        (ok, ret) = token.staticcall(abi.encodeCall(ICarbonCreditToken.classId, ()));
        if (!ok || ret.length < 32) return bytes32(0);
        bytes32 classId = abi.decode(ret, (bytes32));
        // The bridge is trusted code: a plain call.
        if (IClassTokenFactory(_bridge).classToken(classId) != token) return bytes32(0);
        return classId;
    }

    /// @dev Makes `values` the members of `set` under `version`. Reverts with {PoolDuplicateRuleEntry}.
    function _enlist(mapping(bytes32 => uint32) storage set, string[] memory values, uint32 version) private {
        for (uint256 i; i < values.length; ++i) {
            bytes32 valueHash = keccak256(bytes(values[i]));
            if (set[valueHash] == version) revert PoolDuplicateRuleEntry(values[i]);
            set[valueHash] = version;
        }
    }
}
