// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {RetirementDetails} from "./IRetirementLedger.sol";

/// @notice The eligibility rules of a pool, over the attributes of a class token's `CreditClass`.
/// Every rule must pass for a class to be deposited; an empty set means "any".
/// @dev Set members are compared by `keccak256(bytes(value))`, so comparison is exact (case-sensitive).
struct PoolRules {
    /// @dev Allowed program codes (`CreditClass.program`, e.g. "VCS", "GS"); empty = any program.
    string[] programs;
    /// @dev Allowed methodologies (`CreditClass.methodology`); empty = any methodology.
    string[] methodologies;
    /// @dev Refused methodologies; checked after {methodologies}.
    string[] deniedMethodologies;
    /// @dev Allowed ISO 3166-1 alpha-2 host countries (`CreditClass.hostCountry`); empty = any country.
    string[] hostCountries;
    /// @dev Minimum vintage: a class needs `vintageStart >= minVintageStart` (YYYYMMDD); 0 = any vintage.
    uint32 minVintageStart;
    /// @dev Labels every class must carry (all of them), as the bitmask of `CreditClass.labels`:
    /// 1 CCP_APPROVED, 2 CORSIA_ELIGIBLE, 4 REMOVAL (removals only), 8 ARTICLE6_AUTHORIZED; 0 = none.
    uint8 requiredLabels;
    /// @dev If set, a class needs a completed corresponding adjustment (`CreditClass.adjustment == 4`).
    bool requireCorrespondingAdjustment;
}

/// @notice Why a class token may or may not be deposited into a pool (the first rule it fails, in this order).
enum EligibilityReason {
    /// @dev 0: meets every rule.
    Eligible,
    /// @dev 1: not a class token of the pool's bridge (or not a token at all).
    NotBridgeToken,
    /// @dev 2: its program is not in {PoolRules-programs}.
    ProgramNotAllowed,
    /// @dev 3: its methodology is not in {PoolRules-methodologies}.
    MethodologyNotAllowed,
    /// @dev 4: its methodology is in {PoolRules-deniedMethodologies}.
    MethodologyDenied,
    /// @dev 5: its `vintageStart` is before {PoolRules-minVintageStart}.
    VintageTooOld,
    /// @dev 6: its host country is not in {PoolRules-hostCountries}.
    HostCountryNotAllowed,
    /// @dev 7: required CCP_APPROVED label missing.
    NotCcpApproved,
    /// @dev 8: required CORSIA_ELIGIBLE label missing.
    NotCorsiaEligible,
    /// @dev 9: required REMOVAL label missing (the pool takes removals only).
    NotRemoval,
    /// @dev 10: required ARTICLE6_AUTHORIZED label missing.
    NotArticle6Authorized,
    /// @dev 11: a completed corresponding adjustment is required and the class has none.
    NoCorrespondingAdjustment
}

/// @title ICarbonPool
/// @notice A basket of carbon-credit class tokens behind one ERC-20 pool token (18 decimals, EIP-2612
/// permit). Eligible class tokens are deposited 1:1 for pool tokens (1e18 = one tonne); pool tokens redeem
/// for a chosen class held by the pool, less a fee; a swap deposits one class and redeems another in one
/// call; a redemption can also retire the class tokens through the bridge at once.
/// @dev Fee model: the fee is `floor(amount * feeBps / 10_000)` of the pool-token amount and is paid in
/// pool tokens to the fee recipient, so that the pool token's total supply always equals the class tokens
/// the pool accounts for. On {redeem} and {redeemAndRetire} the caller's `amount` pool tokens are split:
/// `amount - fee` are burned against the class tokens that leave, `fee` are transferred to the fee
/// recipient. On {swap} the caller gives `amount` of one class and receives `amount - fee` of the other;
/// the pool mints `fee` pool tokens to the fee recipient against the extra class tokens it keeps.
/// The ERC-20 surface (`transfer`, `permit`, ...) is the standard one and is not repeated here.
interface ICarbonPool {
    // ------------------------------------------------------------------ errors

    /// @dev An amount of zero was given.
    error PoolZeroAmount();
    /// @dev A swap named the same class token `token` on both sides.
    error PoolSameClass(address token);
    /// @dev `token` is not a class token created by the pool's bridge.
    error PoolNotBridgeToken(address token);
    /// @dev `token` is a class token of the bridge but fails the pool's current rules; see {EligibilityReason}.
    error PoolClassNotEligible(address token, EligibilityReason reason);
    /// @dev The pool would hold `holding` of `token`, above the class's cap `cap` (wei).
    error PoolClassCapExceeded(address token, uint256 cap, uint256 holding);
    /// @dev The pool token's supply would become `supply`, above the pool's supply cap `cap` (wei).
    error PoolSupplyCapExceeded(uint256 cap, uint256 supply);
    /// @dev The pool holds only `held` of `token`, less than the `requested` amount.
    error PoolInsufficientClassBalance(address token, uint256 held, uint256 requested);
    /// @dev A fee of `bps` basis points is above the maximum `maxBps`.
    error PoolFeeTooHigh(uint16 bps, uint16 maxBps);
    /// @dev The operation is stopped while the pool is paused (deposits and swaps).
    error PoolPaused();
    /// @dev `unpause` was called while the pool is not paused.
    error PoolNotPaused();
    /// @dev The admin given to the constructor is the zero address.
    error PoolZeroAdmin();
    /// @dev The bridge given to the constructor is the zero address.
    error PoolZeroBridge();
    /// @dev The fee recipient is the zero address.
    error PoolZeroFeeRecipient();
    /// @dev The recipient of skimmed tokens is the zero address.
    error PoolZeroRecipient();
    /// @dev The rules list `value` twice in the same set.
    error PoolDuplicateRuleEntry(string value);
    /// @dev The minimum vintage is neither 0 nor an 8-digit YYYYMMDD date.
    error PoolInvalidMinVintage(uint32 minVintageStart);
    /// @dev The required labels have bits outside the known labels (1 | 2 | 4 | 8).
    error PoolInvalidLabels(uint8 labels);
    /// @dev The pool holds no more of `token` than it accounts for: nothing to skim.
    error PoolNothingToSkim(address token);

    // ------------------------------------------------------------------ events

    /// @dev `account` deposited `amount` of `classToken` and received `amount` pool tokens.
    event Deposited(address indexed account, address indexed classToken, uint256 amount);
    /// @dev `account` gave `amount` pool tokens: `fee` went to the fee recipient, `amount - fee` were burned,
    /// and `account` received `amount - fee` of `classToken`.
    event Redeemed(address indexed account, address indexed classToken, uint256 amount, uint256 fee);
    /// @dev `account` gave `amount` of `classIn` and received `amount - fee` of `classOut`; `fee` pool tokens
    /// were minted to the fee recipient.
    event Swapped(
        address indexed account, address indexed classIn, address indexed classOut, uint256 amount, uint256 fee
    );
    /// @dev As {Redeemed}, except that the `amount - fee` of `classToken` were retired through the bridge
    /// (with the pool as retiree on the bridge's certificate `certificateId`, and the caller's beneficiary
    /// and reason) instead of being sent to `account`.
    event RedeemedAndRetired(
        address indexed account, address indexed classToken, uint256 indexed certificateId, uint256 amount, uint256 fee
    );
    /// @dev The rules were replaced by `rules`; eligibility cached under earlier versions no longer counts.
    event RulesChanged(uint32 indexed version, PoolRules rules);
    /// @dev The pool token's supply cap became `cap` (wei).
    event SupplyCapChanged(uint128 cap);
    /// @dev The cap of every class without its own cap became `cap` (wei).
    event DefaultClassCapChanged(uint128 cap);
    /// @dev `token` got its own cap `cap` (wei), overriding the default class cap.
    event ClassCapChanged(address indexed token, uint128 cap);
    /// @dev `token` lost its own cap and follows the default class cap again.
    event ClassCapCleared(address indexed token);
    /// @dev The fee became `bps` basis points.
    event FeeChanged(uint16 bps);
    /// @dev Fees now go to `recipient`.
    event FeeRecipientChanged(address indexed recipient);
    /// @dev `account` paused deposits and swaps.
    event Paused(address account);
    /// @dev `account` unpaused deposits and swaps.
    event Unpaused(address account);
    /// @dev `amount` of `token`, held by the pool beyond what it accounts for, was sent to `to`.
    event Skimmed(address indexed token, address indexed to, uint256 amount);

    // ------------------------------------------------------------------ trading

    /// @notice Deposits `amount` of the class token `classToken` and mints `amount` pool tokens to the caller.
    /// @dev Requirements:
    /// - not paused ({PoolPaused}); `amount > 0` ({PoolZeroAmount});
    /// - `classToken` is a class token of the pool's bridge ({PoolNotBridgeToken}) and meets the current
    ///   rules ({PoolClassNotEligible});
    /// - the pool's holding of the class stays within its cap ({PoolClassCapExceeded}) and the pool token's
    ///   supply within the supply cap ({PoolSupplyCapExceeded});
    /// - the caller approved the pool for `amount` of `classToken` and holds it.
    /// Emits the pool token's {Transfer} from zero, {Deposited}, and the class token's {Transfer}.
    function deposit(address classToken, uint256 amount) external;

    /// @notice As {deposit}, with an EIP-2612 permit of the class token (caller as owner, the pool as
    /// spender, `amount` as value) signed by the caller.
    /// @dev A permit that fails is ignored if the allowance is already sufficient (so a front-run permit
    /// cannot block the deposit); otherwise its error is re-raised. An address without code is refused with
    /// {PoolNotBridgeToken} before any call. Requirements and events: as {deposit}, plus the class token's
    /// {Approval}.
    function depositWithPermit(address classToken, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Gives `amount` pool tokens for `amount - fee` of the class token `classToken`.
    /// @dev Works for any class the pool holds, whatever the current rules, and while paused.
    /// Requirements: `amount > 0` ({PoolZeroAmount}); the pool holds at least `amount - fee` of the class
    /// ({PoolInsufficientClassBalance}); the caller holds `amount` pool tokens.
    /// Emits the pool token's {Transfer} to zero (and to the fee recipient if `fee > 0`), {Redeemed}, and the
    /// class token's {Transfer}.
    /// @return received `amount - fee`, the class tokens sent to the caller.
    function redeem(address classToken, uint256 amount) external returns (uint256 received);

    /// @notice Gives `amount` of class `classIn` for `amount - fee` of class `classOut`, in one call.
    /// @dev Requirements: not paused ({PoolPaused}); `amount > 0` ({PoolZeroAmount}); `classIn != classOut`
    /// ({PoolSameClass}); `classIn` passes every check of {deposit} (the supply grows by `fee`); the pool
    /// holds at least `amount - fee` of `classOut` ({PoolInsufficientClassBalance}).
    /// Emits the pool token's {Transfer} from zero to the fee recipient if `fee > 0`, {Swapped}, and the
    /// class tokens' {Transfer}s.
    /// @return received `amount - fee`, the `classOut` tokens sent to the caller.
    function swap(address classIn, address classOut, uint256 amount) external returns (uint256 received);

    /// @notice As {redeem}, but retires the `amount - fee` class tokens through the bridge, as `details`
    /// state (beneficiary, purpose, ...: see {RetirementDetails}), instead of sending them to the caller.
    /// @dev The bridge's certificate names the pool as retiree (it burns the pool's tokens); the
    /// {RedeemedAndRetired} event links the certificate to the caller. Works while paused.
    /// Requirements: as {redeem}; the bridge's own requirements for a retirement.
    /// Emits what {redeem} emits except the class token's transfer to the caller, the bridge's retirement
    /// events, and {RedeemedAndRetired}.
    /// @return certificateId The bridge's certificate id.
    function redeemAndRetire(address classToken, uint256 amount, RetirementDetails calldata details)
        external
        returns (uint256 certificateId);

    // ------------------------------------------------------------------ management

    /// @notice Replaces the eligibility rules (tightening or loosening them) and bumps {rulesVersion}.
    /// @dev Classes already held stay redeemable; a class that fails the new rules cannot be deposited again.
    /// Requirements: caller has POOL_MANAGER_ROLE; no duplicate in any set ({PoolDuplicateRuleEntry});
    /// `minVintageStart` is 0 or 8 digits ({PoolInvalidMinVintage}); `requiredLabels <= 15`
    /// ({PoolInvalidLabels}). Emits {RulesChanged}.
    function setRules(PoolRules calldata newRules) external;

    /// @notice Sets the pool token's supply cap (wei; `type(uint128).max` = no cap).
    /// @dev Lowering it below the supply stops deposits only. Requirements: caller has POOL_MANAGER_ROLE.
    /// Emits {SupplyCapChanged}.
    function setSupplyCap(uint128 cap) external;

    /// @notice Sets the cap of every class without its own cap (wei; `type(uint128).max` = no cap).
    /// @dev Requirements: caller has POOL_MANAGER_ROLE. Emits {DefaultClassCapChanged}.
    function setDefaultClassCap(uint128 cap) external;

    /// @notice Gives `token` its own cap (wei), overriding the default class cap.
    /// @dev Requirements: caller has POOL_MANAGER_ROLE. Emits {ClassCapChanged}.
    function setClassCap(address token, uint128 cap) external;

    /// @notice Removes `token`'s own cap: it follows the default class cap again.
    /// @dev Requirements: caller has POOL_MANAGER_ROLE. Emits {ClassCapCleared}.
    function clearClassCap(address token) external;

    /// @notice Sets the redemption/swap fee in basis points.
    /// @dev Requirements: caller has POOL_MANAGER_ROLE; `bps <= MAX_FEE_BPS` ({PoolFeeTooHigh}).
    /// Emits {FeeChanged}.
    function setFee(uint16 bps) external;

    /// @notice Sends future fees to `recipient`.
    /// @dev Requirements: caller has DEFAULT_ADMIN_ROLE; `recipient` is not zero ({PoolZeroFeeRecipient}).
    /// Emits {FeeRecipientChanged}.
    function setFeeRecipient(address recipient) external;

    /// @notice Stops deposits and swaps (redemptions and retirements go on).
    /// @dev Requirements: caller has PAUSER_ROLE; not paused ({PoolPaused}). Emits {Paused}.
    function pause() external;

    /// @notice Resumes deposits and swaps.
    /// @dev Requirements: caller has PAUSER_ROLE; paused ({PoolNotPaused}). Emits {Unpaused}.
    function unpause() external;

    /// @notice Sends `to` whatever amount of `token` the pool holds beyond its accounted holding (class
    /// tokens transferred to the pool directly, or any other token sent by mistake).
    /// @dev Accounted holdings are never touched, so the supply still equals them.
    /// Requirements: caller has DEFAULT_ADMIN_ROLE; `to` is not zero ({PoolZeroRecipient}); there is an
    /// excess ({PoolNothingToSkim}). Emits {Skimmed} and the token's {Transfer}.
    /// @return amount The amount sent.
    function skim(address token, address to) external returns (uint256 amount);

    // ------------------------------------------------------------------ views

    /// @notice Role that sets rules, caps and the fee.
    function POOL_MANAGER_ROLE() external view returns (bytes32);

    /// @notice Role that pauses and unpauses deposits and swaps.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice The highest fee, in basis points (1,000 = 10%).
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice The bridge whose class tokens the pool accepts and through which it retires.
    function bridge() external view returns (address);

    /// @notice The current eligibility rules.
    function rules() external view returns (PoolRules memory);

    /// @notice Bumped on every rule change (1 after construction).
    function rulesVersion() external view returns (uint32);

    /// @notice Whether `token` may be deposited under the current rules, and if not, the first rule it fails.
    /// @dev Caps and pause are not considered. Never reverts for an arbitrary address.
    function isEligible(address token) external view returns (bool eligible, EligibilityReason reason);

    /// @notice Every class token the pool holds, with the amounts it accounts for (their sum is the pool
    /// token's total supply).
    /// @dev Unbounded; for on-chain use prefer {classCount}, {classAt} and {classBalance}.
    function composition() external view returns (address[] memory tokens, uint256[] memory amounts);

    /// @notice How many classes the pool holds (a non-zero amount of).
    function classCount() external view returns (uint256);

    /// @notice The `index`-th class the pool holds (order changes when a class is emptied).
    function classAt(uint256 index) external view returns (address);

    /// @notice The amount of `token` the pool accounts for (excluding tokens sent to it directly).
    function classBalance(address token) external view returns (uint256);

    /// @notice The cap that applies to `token`: its own cap if set, else the default class cap (wei).
    function classCap(address token) external view returns (uint256);

    /// @notice The cap of classes without their own cap (wei; `type(uint128).max` = no cap).
    function defaultClassCap() external view returns (uint256);

    /// @notice The pool token's supply cap (wei; `type(uint128).max` = no cap).
    function supplyCap() external view returns (uint256);

    /// @notice The redemption/swap fee in basis points.
    function feeBps() external view returns (uint16);

    /// @notice Where fees go.
    function feeRecipient() external view returns (address);

    /// @notice Whether deposits and swaps are paused.
    function paused() external view returns (bool);

    /// @notice What a redemption or swap of `amount` gives at the current fee.
    /// @return received `amount - fee` class tokens.
    /// @return fee `floor(amount * feeBps / 10_000)` pool tokens.
    function previewRedeem(uint256 amount) external view returns (uint256 received, uint256 fee);
}
