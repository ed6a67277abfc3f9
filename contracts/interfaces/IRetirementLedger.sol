// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IBatchLedger} from "./IBatchLedger.sol";

/// @notice What a retirement claims, as the retiree states it. Carried in the {Retired} event (never in
/// storage: the certificate keeps only its hash).
/// @dev Purposes (`purpose`), a fixed list declared once in the bridge (`bridge.chain.retirement.Purpose`;
/// a test keeps this list in sync): 0 unspecified, 1 voluntary_offsetting, 2 corsia, 3 ndc,
/// 4 compliance, 5 product_claim, 6 event_claim, 7 contribution_claim, 8 other.
struct RetirementDetails {
    /// @dev On whose behalf the credits are retired, 1 to 200 bytes; empty when `personalDataHash` is set.
    string beneficiaryName;
    /// @dev The beneficiary's own address, if it has one (zero: none).
    address beneficiaryAddress;
    /// @dev Who retires, when not the beneficiary itself (0 to 200 bytes); empty when `personalDataHash` is set.
    string retiringEntity;
    /// @dev One of the purposes above, at most {MAX_PURPOSE}.
    uint8 purpose;
    /// @dev Where the offset consumption took place: ISO 3166-1 alpha-2 ("DE"), or zero.
    bytes2 consumptionCountry;
    /// @dev First day of the consumption period as YYYYMMDD, or 0 (then `consumptionEnd` is 0 too).
    uint32 consumptionStart;
    /// @dev Last day of the consumption period as YYYYMMDD (>= `consumptionStart`), or 0.
    uint32 consumptionEnd;
    /// @dev Where the claim is made: an ISO 3166-2 subdivision ("US-CA") or an ISO 3166-1 alpha-2 country,
    /// left-aligned and zero-padded, or zero.
    bytes6 claimJurisdiction;
    /// @dev Free text on the claim, at most 500 bytes (may be empty).
    string reason;
    /// @dev Zero, or `keccak256(abi.encode(salt, beneficiaryName, retiringEntity))` (`salt`: 32 random
    /// bytes): the personal data stays off-chain, and the retiree gives the bridge the preimage, which it
    /// checks against this hash before using it.
    bytes32 personalDataHash;
}

/// @title IRetirementLedger
/// @notice Retirement: a holder retires any amount of a class (fractions of a tonne included) for one or
/// several beneficiaries ({RetirementDetails}); the tokens burn at once and an on-chain certificate per
/// beneficiary records it. The amount stays "retired but unsettled" until the bridge engine has retired whole
/// units in the registry, which a settler then records against named batches ({settleRetirements}), once per
/// settlement id.
/// @dev Per class, at all times: `classReserve * weiPerUnit == totalSupply + retiredUnsettled`.
interface IRetirementLedger is IBatchLedger {
    /// @dev The beneficiary name is empty or longer than {MAX_BENEFICIARY_LENGTH} bytes (or, with a personal
    /// data hash, not empty).
    error BridgeInvalidBeneficiary();
    /// @dev The retiring entity is longer than {MAX_BENEFICIARY_LENGTH} bytes (or, with a personal data hash,
    /// not empty).
    error BridgeInvalidRetiringEntity();
    /// @dev The reason is longer than {MAX_REASON_LENGTH} bytes.
    error BridgeReasonTooLong();
    /// @dev `purpose` is not one of the listed purposes (at most {MAX_PURPOSE}).
    error BridgeInvalidPurpose(uint8 purpose);
    /// @dev `country` is neither zero nor two capital letters.
    error BridgeInvalidCountry(bytes2 country);
    /// @dev `jurisdiction` is neither zero, two capital letters, nor two capital letters, "-" and 1 to 3
    /// capital letters or digits (zero-padded).
    error BridgeInvalidJurisdiction(bytes6 jurisdiction);
    /// @dev The consumption period is not `0, 0` nor `start <= end` with `start > 0`.
    error BridgeInvalidConsumptionPeriod(uint32 start, uint32 end);
    /// @dev A settlement of `amount` (wei) exceeds the `unsettled` retired amount (wei) of class `classId`.
    error BridgeSettlementExceedsUnsettled(bytes32 classId, uint256 unsettled, uint256 amount);
    /// @dev Settlement `settlementId` was already recorded.
    error BridgeSettlementAlreadyRecorded(bytes32 settlementId);

    /// @dev `retiree` retired `amount` (wei) of class `classId` as `details` state; certificate `certificateId`
    /// records it (its `detailsHash` commits to `details`).
    event Retired(
        uint256 indexed certificateId,
        bytes32 indexed classId,
        address indexed retiree,
        uint256 amount,
        RetirementDetails details
    );
    /// @dev The engine retired `units` whole registry units of class `classId` from trust in the registry
    /// (registry reference `registryRetirement`), settling that much of the class's retired amount.
    event RetirementsSettled(
        bytes32 indexed settlementId, bytes32 indexed classId, uint64 units, string registryRetirement
    );

    /// @notice Longest beneficiary name or retiring entity accepted, in bytes (200).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_BENEFICIARY_LENGTH() external view returns (uint256);

    /// @notice Longest reason accepted, in bytes (500).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_REASON_LENGTH() external view returns (uint256);

    /// @notice The highest purpose code (see {RetirementDetails}).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_PURPOSE() external view returns (uint8);

    /// @notice Retires `amount` (wei; any fraction of a tonne) of the caller's class `classId` tokens as
    /// `details` state: burns them at once and issues a certificate to the caller.
    /// @dev Works while paused: a holder can always retire. A contract holding class tokens (a pool) retires
    /// by calling this itself; the certificate's retiree is then that contract.
    ///
    /// Requirements:
    /// - `amount > 0` ({BridgeZeroAmount});
    /// - `details` is well formed ({BridgeInvalidBeneficiary}, {BridgeInvalidRetiringEntity},
    ///   {BridgeReasonTooLong}, {BridgeInvalidPurpose}, {BridgeInvalidCountry}, {BridgeInvalidJurisdiction},
    ///   {BridgeInvalidConsumptionPeriod});
    /// - the class exists ({BridgeUnknownClass});
    /// - the caller holds `amount` (else the token reverts with its `InsufficientBalance`), and `amount` fits
    ///   in 96 bits (OpenZeppelin's `SafeCastOverflowedUintDowncast`: 79 billion tonnes).
    ///
    /// Emits {Retired} and the token's {Transfer} from the caller to the zero address.
    /// @return certificateId Sequential, from 1.
    function retire(bytes32 classId, uint256 amount, RetirementDetails calldata details)
        external
        returns (uint256 certificateId);

    /// @notice Retires `amounts[i]` wei of the caller's class `classId` tokens for each `details[i]` in one
    /// call: one certificate per entry (consecutive ids), one burn of the total.
    /// @dev Same rules as {retire} for each entry; the arrays have the same, non-zero length
    /// ({BridgeArrayLengthMismatch}, {BridgeZeroAmount}).
    ///
    /// Emits {Retired} per entry, then the token's {Transfer} of the total to the zero address.
    /// @return firstCertificateId The id of the first entry's certificate; entry `i` has
    /// `firstCertificateId + i`.
    function retireMany(bytes32 classId, uint256[] calldata amounts, RetirementDetails[] calldata details)
        external
        returns (uint256 firstCertificateId);

    /// @notice Records that the engine retired `sum(units)` whole registry units of class `classId` from trust
    /// in the registry: lowers the class's retired-unsettled amount by `sum(units) * weiPerUnit(classId)` and
    /// takes `units[i]` from batch `batchKeys[i]` and from the class reserve. Burns nothing: the tokens burned at
    /// retirement.
    /// @dev `settlementId` is the engine's idempotency key: each is recorded once. Works while paused.
    ///
    /// Requirements:
    /// - the caller has SETTLER_ROLE ({AccessControlUnauthorizedAccount});
    /// - `settlementId` is new ({BridgeSettlementAlreadyRecorded});
    /// - the class exists ({BridgeUnknownClass});
    /// - the arrays have the same length ({BridgeArrayLengthMismatch}) and `units` sum to more than zero
    ///   ({BridgeZeroAmount});
    /// - `sum(units) * weiPerUnit(classId) <= retiredUnsettled(classId)` ({BridgeSettlementExceedsUnsettled});
    /// - each batch is active ({BridgeBatchNotActive}), of class `classId` ({BridgeBatchClassMismatch}), and
    ///   `0 < units[i] <=` its remaining units at that point ({BridgeInvalidBurnAmount}).
    ///
    /// Emits {RetirementsSettled}, then per batch {BatchBurned} (with the zero address as `from`: the tokens
    /// burned at retirement) and {BatchReleased} when the batch reaches zero.
    function settleRetirements(
        bytes32 settlementId,
        bytes32 classId,
        bytes32[] calldata batchKeys,
        uint64[] calldata units,
        string calldata registryRetirement
    ) external;

    /// @notice Retirement certificate `certificateId` (all zero for an unknown id).
    /// @return retiree Who retired (and whose tokens burned).
    /// @return classId The class retired.
    /// @return amount Wei retired (1e18 = one tonne).
    /// @return retiredAt Block timestamp of the retirement.
    /// @return detailsHash The first 20 bytes of `keccak256(abi.encode(details))`, `details` being the
    /// {RetirementDetails} of the {Retired} event.
    function certificate(uint256 certificateId)
        external
        view
        returns (address retiree, bytes32 classId, uint256 amount, uint64 retiredAt, bytes20 detailsHash);

    /// @notice Wei of class `classId` retired on-chain and not yet settled in the registry.
    function retiredUnsettled(bytes32 classId) external view returns (uint256);

    /// @notice Whether settlement `settlementId` was recorded.
    function isSettlementRecorded(bytes32 settlementId) external view returns (bool);
}
