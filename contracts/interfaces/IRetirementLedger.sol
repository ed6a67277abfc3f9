// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IBatchLedger} from "./IBatchLedger.sol";

/// @title IRetirementLedger
/// @notice Retirement: a holder retires any amount of a class (fractions of a tonne included) for a
/// beneficiary and a reason; the tokens burn at once and an on-chain certificate records it. The amount
/// stays "retired but unsettled" until the bridge engine has retired whole units in the registry, which a
/// settler then records against named batches ({settleRetirements}), once per settlement id.
/// @dev Per class, at all times: `classReserve * weiPerUnit == totalSupply + retiredUnsettled`.
interface IRetirementLedger is IBatchLedger {
    /// @dev The beneficiary is empty or longer than {MAX_BENEFICIARY_LENGTH} bytes.
    error BridgeInvalidBeneficiary();
    /// @dev The reason is longer than {MAX_REASON_LENGTH} bytes.
    error BridgeReasonTooLong();
    /// @dev A settlement of `amount` (wei) exceeds the `unsettled` retired amount (wei) of class `classId`.
    error BridgeSettlementExceedsUnsettled(bytes32 classId, uint256 unsettled, uint256 amount);
    /// @dev Settlement `settlementId` was already recorded.
    error BridgeSettlementAlreadyRecorded(bytes32 settlementId);

    /// @dev `retiree` retired `amount` (wei) of class `classId` for `beneficiary` and `reason`; certificate
    /// `certificateId` records it (its `detailsHash` commits to the two texts).
    event Retired(
        uint256 indexed certificateId,
        bytes32 indexed classId,
        address indexed retiree,
        uint256 amount,
        string beneficiary,
        string reason
    );
    /// @dev The engine retired `units` whole registry units of class `classId` from trust in the registry
    /// (registry reference `registryRetirement`), settling that much of the class's retired amount.
    event RetirementsSettled(
        bytes32 indexed settlementId, bytes32 indexed classId, uint64 units, string registryRetirement
    );

    /// @notice Longest beneficiary accepted, in bytes (200).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_BENEFICIARY_LENGTH() external view returns (uint256);

    /// @notice Longest reason accepted, in bytes (500).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_REASON_LENGTH() external view returns (uint256);

    /// @notice Retires `amount` (wei; any fraction of a tonne) of the caller's class `classId` tokens for
    /// `beneficiary` and `reason`: burns them at once and issues a certificate to the caller.
    /// @dev Works while paused: a holder can always retire. A contract holding class tokens (a pool) retires
    /// by calling this itself; the certificate's retiree is then that contract.
    ///
    /// Requirements:
    /// - `amount > 0` ({BridgeZeroAmount});
    /// - `beneficiary` is 1 to {MAX_BENEFICIARY_LENGTH} bytes ({BridgeInvalidBeneficiary});
    /// - `reason` is at most {MAX_REASON_LENGTH} bytes, possibly empty ({BridgeReasonTooLong});
    /// - the class exists ({BridgeUnknownClass});
    /// - the caller holds `amount` (else the token reverts with its `InsufficientBalance`).
    ///
    /// Emits {Retired} and the token's {Transfer} from the caller to the zero address.
    /// @return certificateId Sequential, from 1.
    function retire(bytes32 classId, uint256 amount, string calldata beneficiary, string calldata reason)
        external
        returns (uint256 certificateId);

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
    /// @return detailsHash `keccak256(abi.encode(keccak256(bytes(beneficiary)), keccak256(bytes(reason))))`;
    /// the texts themselves are in the {Retired} event.
    function certificate(uint256 certificateId)
        external
        view
        returns (address retiree, bytes32 classId, uint256 amount, uint64 retiredAt, bytes32 detailsHash);

    /// @notice Wei of class `classId` retired on-chain and not yet settled in the registry.
    function retiredUnsettled(bytes32 classId) external view returns (uint256);

    /// @notice Whether settlement `settlementId` was recorded.
    function isSettlementRecorded(bytes32 settlementId) external view returns (bool);
}
