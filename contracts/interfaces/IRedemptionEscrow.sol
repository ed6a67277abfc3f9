// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IBatchLedger} from "./IBatchLedger.sol";

/// @title IRedemptionEscrow
/// @notice Redemption: a holder asks for whole registry units of a class (tonnes, or kilograms for a class
/// counted in kilograms) back in a registry account. The bridge
/// escrows the tokens at once; when the bridge engine reports the registry's answer, a settler either
/// finalizes (the units were released from trust to the account: the escrowed tokens burn and the named
/// batches shrink) or cancels (the registry refused: the tokens go back to the holder). Each redemption
/// ends exactly once.
/// @dev Escrowed tokens are held by the bridge and stay in the token's total supply until finalized.
interface IRedemptionEscrow is IBatchLedger {
    /// @notice Life cycle of a redemption.
    enum RedemptionStatus {
        /// @dev No such redemption.
        None,
        /// @dev Requested: the tokens are escrowed by the bridge, waiting for the registry's answer.
        Pending,
        /// @dev The registry released the units to the holder's account; the escrowed tokens were burned.
        Finalized,
        /// @dev The registry refused; the escrowed tokens went back to the holder.
        Cancelled
    }

    /// @dev A redemption must be a whole number of the class's registry units: `amount % weiPerUnit != 0`.
    error BridgeFractionalRedemption(uint256 amount, uint256 weiPerUnit);
    /// @dev The registry account to deliver to is the empty string.
    error BridgeEmptyRegistryAccount();
    /// @dev Redemption `redemptionId` does not exist or was already finalized or cancelled.
    error BridgeRedemptionNotPending(uint256 redemptionId);
    /// @dev The units taken from the batches (`actual`, saturated at 2^64 - 1) differ from the
    /// redemption's units (`expected`).
    error BridgeUnitsMismatch(uint64 expected, uint64 actual);

    /// @dev `holder` asked for `units` registry units of class `classId` in registry account
    /// `registryAccount`; their tokens are escrowed by the bridge under `redemptionId`.
    event RedemptionRequested(
        uint256 indexed redemptionId,
        bytes32 indexed classId,
        address indexed holder,
        uint64 units,
        string registryAccount
    );
    /// @dev The registry released the units of `redemptionId` (serial blocks `releasedSerials`) to the
    /// holder's account; the escrowed tokens were burned.
    event RedemptionFinalized(uint256 indexed redemptionId, string releasedSerials);
    /// @dev The registry refused redemption `redemptionId` for `reason`; the escrowed tokens went back.
    event RedemptionCancelled(uint256 indexed redemptionId, string reason);

    /// @notice Asks for `amount / weiPerUnit(classId)` whole registry units of class `classId` in the registry
    /// account `registryAccount`, escrowing `amount` of the caller's class tokens in the bridge (no approval
    /// needed).
    /// @dev Requirements:
    /// - the bridge is not paused ({EnforcedPause});
    /// - `amount > 0` ({BridgeZeroAmount});
    /// - `registryAccount` is not empty ({BridgeEmptyRegistryAccount});
    /// - the class exists ({BridgeUnknownClass});
    /// - `amount` is a whole number of registry units ({BridgeFractionalRedemption});
    /// - the caller holds `amount` (else the token reverts with its `InsufficientBalance`).
    ///
    /// Emits {RedemptionRequested} and the token's {Transfer} from the caller to the bridge.
    /// @return redemptionId Sequential, from 1.
    function requestRedemption(bytes32 classId, uint256 amount, string calldata registryAccount)
        external
        returns (uint256 redemptionId);

    /// @notice Records that the registry released the redemption's units from trust to the holder's account:
    /// burns the escrowed tokens and takes `units[i]` from batch `batchKeys[i]` (and from the class reserve).
    /// @dev Works while paused, so that pending redemptions can complete.
    ///
    /// Requirements:
    /// - the caller has SETTLER_ROLE ({AccessControlUnauthorizedAccount});
    /// - the redemption is pending ({BridgeRedemptionNotPending});
    /// - the arrays have the same length ({BridgeArrayLengthMismatch}) and `units` sum to the redemption's
    ///   units ({BridgeUnitsMismatch});
    /// - each batch is active ({BridgeBatchNotActive}), of the redemption's class ({BridgeBatchClassMismatch}),
    ///   and `0 < units[i] <=` its remaining units at that point ({BridgeInvalidBurnAmount}); a batch may be
    ///   named more than once.
    ///
    /// Emits {RedemptionFinalized}, then per batch {BatchBurned} (with the holder as `from`) and
    /// {BatchReleased} when the batch reaches zero, and the token's {Transfer} from the bridge to zero.
    function finalizeRedemption(
        uint256 redemptionId,
        bytes32[] calldata batchKeys,
        uint64[] calldata units,
        string calldata releasedSerials
    ) external;

    /// @notice Records that the registry refused the redemption: the escrowed tokens go back to the holder.
    /// @dev Works while paused. Requirements: the caller has SETTLER_ROLE ({AccessControlUnauthorizedAccount});
    /// the redemption is pending ({BridgeRedemptionNotPending}).
    /// Emits {RedemptionCancelled} and the token's {Transfer} from the bridge to the holder.
    function cancelRedemption(uint256 redemptionId, string calldata reason) external;

    /// @notice Redemption `redemptionId`: who asked, for which class, how many registry units, and where it
    /// stands.
    /// All zero (status None) for an unknown id; the record stays readable after it ends.
    function redemption(uint256 redemptionId)
        external
        view
        returns (address holder, bytes32 classId, uint64 units, RedemptionStatus status);

    /// @notice Class tokens (wei) of class `classId` escrowed by pending redemptions.
    function escrowed(bytes32 classId) external view returns (uint256);
}
