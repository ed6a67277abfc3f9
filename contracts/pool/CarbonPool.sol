// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ERC20} from "solady/tokens/ERC20.sol";
import {SafeTransferLib} from "solady/utils/SafeTransferLib.sol";

import {EligibilityReason, ICarbonPool, PoolRules} from "../interfaces/ICarbonPool.sol";
import {IRetirementLedger, RetirementDetails} from "../interfaces/IRetirementLedger.sol";
import {PoolEligibility} from "./PoolEligibility.sol";

/// @title CarbonPool
/// @notice A basket of carbon-credit class tokens behind one ERC-20 pool token: eligible class tokens are
/// deposited 1:1 for pool tokens (18 decimals, 1e18 = one tonne, EIP-2612 permit), pool tokens redeem for
/// any class the pool holds less a fee, swaps and redeem-and-retire do both legs in one call.
/// @dev One pool per rule set. Invariant: `totalSupply() == sum of classBalance(c)` over the held classes,
/// and `classBalance(c) <= c.balanceOf(pool)`. Fees are paid in pool tokens (see {ICarbonPool}).
///
/// Roles: DEFAULT_ADMIN_ROLE administers roles, sets the fee recipient and skims; POOL_MANAGER_ROLE sets
/// rules, caps and the fee; PAUSER_ROLE pauses deposits and swaps (never redemptions).
///
/// Gas: the token body is solady's ERC20; per-class state (holding, eligibility cache, position in the
/// class list, own-cap flag) is one slot; the fee recipient, fee, pause flag and rules version share one
/// slot; both default caps share one; the reentrancy guard is transient. A deposit of an already checked
/// class re-checks nothing but the rules version. Class tokens are the bridge's own (no hooks), but every
/// entry point that moves tokens is still `nonReentrant` and follows checks-effects-interactions.
contract CarbonPool is ERC20, AccessControl, ReentrancyGuardTransient, PoolEligibility {
    using SafeTransferLib for address;

    /// @dev Per-class state, one slot.
    struct ClassInfo {
        /// @dev Amount of the class the pool accounts for (wei). Never above a cap, so it fits.
        uint128 held;
        /// @dev {rulesVersion} under which the class was last found eligible (0 = never).
        uint32 eligibleVersion;
        /// @dev 1-based position in `_classList` while `held > 0`, else 0.
        uint32 position;
        /// @dev Whether `_classCaps[token]` overrides the default class cap.
        bool hasCap;
    }

    /// @inheritdoc ICarbonPool
    bytes32 public constant POOL_MANAGER_ROLE = keccak256("POOL_MANAGER_ROLE");
    /// @inheritdoc ICarbonPool
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @inheritdoc ICarbonPool
    uint16 public constant MAX_FEE_BPS = 1_000;

    uint256 private constant _BPS = 10_000;
    uint128 private constant _NO_CAP = type(uint128).max;

    // These three pack with `_rulesVersion` (declared last in PoolEligibility) into one slot.
    address private _feeRecipient;
    uint16 private _feeBps;
    bool private _paused;

    uint128 private _supplyCap;
    uint128 private _defaultClassCap;

    mapping(address token => ClassInfo) private _classInfo;
    mapping(address token => uint128 cap) private _classCaps;
    address[] private _classList;

    string private _name;
    string private _symbol;
    bytes32 private immutable _nameHash;

    /// @param name_ Pool token name (also the EIP-712 domain name of its permit).
    /// @param symbol_ Pool token symbol.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, POOL_MANAGER_ROLE and PAUSER_ROLE.
    /// @param feeRecipient_ Receives the fees (pool tokens).
    /// @param feeBps_ Fee in basis points, at most {MAX_FEE_BPS}.
    /// @param initialRules The eligibility rules (version 1).
    /// @param bridge_ The bridge whose class tokens the pool accepts and through which it retires.
    /// @dev No caps at first (`type(uint128).max`). Reverts with {PoolZeroAdmin}, {PoolZeroFeeRecipient},
    /// {PoolZeroBridge}, {PoolFeeTooHigh} or a rules error (see {setRules}). Emits {RoleGranted} per role,
    /// {RulesChanged}, {FeeChanged}, {FeeRecipientChanged}, {SupplyCapChanged} and {DefaultClassCapChanged}.
    constructor(
        string memory name_,
        string memory symbol_,
        address admin,
        address feeRecipient_,
        uint16 feeBps_,
        PoolRules memory initialRules,
        address bridge_
    ) PoolEligibility(bridge_) {
        if (admin == address(0)) revert PoolZeroAdmin();
        _name = name_;
        _symbol = symbol_;
        _nameHash = keccak256(bytes(name_));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POOL_MANAGER_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
        _setRules(initialRules);
        _setFee(feeBps_);
        _setFeeRecipient(feeRecipient_);
        _supplyCap = _NO_CAP;
        _defaultClassCap = _NO_CAP;
        emit SupplyCapChanged(_NO_CAP);
        emit DefaultClassCapChanged(_NO_CAP);
    }

    // ------------------------------------------------------------------ trading

    /// @inheritdoc ICarbonPool
    function deposit(address classToken, uint256 amount) external nonReentrant {
        _deposit(classToken, amount);
    }

    /// @inheritdoc ICarbonPool
    function depositWithPermit(address classToken, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        // A call to an address without code would revert outside the try: refuse it with a clear error.
        if (classToken.code.length == 0) revert PoolNotBridgeToken(classToken);
        try IERC20Permit(classToken).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch (bytes memory reason) {
            // Someone may have submitted the permit first: go on if it took effect, else say why it failed.
            if (IERC20(classToken).allowance(msg.sender, address(this)) < amount) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason)) // re-raise the permit's error unchanged
                }
            }
        }
        _deposit(classToken, amount);
    }

    /// @inheritdoc ICarbonPool
    function redeem(address classToken, uint256 amount) external nonReentrant returns (uint256 received) {
        uint256 fee;
        (received, fee) = _redeemPoolTokens(classToken, amount);
        emit Redeemed(msg.sender, classToken, amount, fee);
        classToken.safeTransfer(msg.sender, received);
    }

    /// @inheritdoc ICarbonPool
    function swap(address classIn, address classOut, uint256 amount) external nonReentrant returns (uint256 received) {
        if (_paused) revert PoolPaused();
        if (amount == 0) revert PoolZeroAmount();
        if (classIn == classOut) revert PoolSameClass(classIn);
        uint256 fee = _feeOf(amount, _feeBps);
        received = amount - fee; // fee <= amount / 10
        _addHolding(classIn, amount, fee);
        _removeHolding(classOut, received);
        if (fee != 0) _mint(_feeRecipient, fee);
        emit Swapped(msg.sender, classIn, classOut, amount, fee);
        classIn.safeTransferFrom(msg.sender, address(this), amount);
        classOut.safeTransfer(msg.sender, received);
    }

    /// @inheritdoc ICarbonPool
    function redeemAndRetire(address classToken, uint256 amount, RetirementDetails calldata details)
        external
        nonReentrant
        returns (uint256 certificateId)
    {
        (uint256 retired, uint256 fee) = _redeemPoolTokens(classToken, amount);
        // A held class was admitted, so its class id is known. The bridge burns `retired` from the pool.
        certificateId = IRetirementLedger(_bridge).retire(_classIdOf(classToken), retired, details);
        // After the call because it reports the certificate id; the guard stops any reentrancy.
        emit RedeemedAndRetired(msg.sender, classToken, certificateId, amount, fee);
    }

    // ------------------------------------------------------------------ management

    /// @inheritdoc ICarbonPool
    function setRules(PoolRules calldata newRules) external onlyRole(POOL_MANAGER_ROLE) {
        _setRules(newRules);
    }

    /// @inheritdoc ICarbonPool
    function setSupplyCap(uint128 cap) external onlyRole(POOL_MANAGER_ROLE) {
        _supplyCap = cap;
        emit SupplyCapChanged(cap);
    }

    /// @inheritdoc ICarbonPool
    function setDefaultClassCap(uint128 cap) external onlyRole(POOL_MANAGER_ROLE) {
        _defaultClassCap = cap;
        emit DefaultClassCapChanged(cap);
    }

    /// @inheritdoc ICarbonPool
    function setClassCap(address token, uint128 cap) external onlyRole(POOL_MANAGER_ROLE) {
        _classCaps[token] = cap;
        _classInfo[token].hasCap = true;
        emit ClassCapChanged(token, cap);
    }

    /// @inheritdoc ICarbonPool
    function clearClassCap(address token) external onlyRole(POOL_MANAGER_ROLE) {
        delete _classCaps[token];
        _classInfo[token].hasCap = false;
        emit ClassCapCleared(token);
    }

    /// @inheritdoc ICarbonPool
    function setFee(uint16 bps) external onlyRole(POOL_MANAGER_ROLE) {
        _setFee(bps);
    }

    /// @inheritdoc ICarbonPool
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFeeRecipient(recipient);
    }

    /// @inheritdoc ICarbonPool
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_paused) revert PoolPaused();
        _paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICarbonPool
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_paused) revert PoolNotPaused();
        _paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc ICarbonPool
    function skim(address token, address to)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        nonReentrant
        returns (uint256 amount)
    {
        if (to == address(0)) revert PoolZeroRecipient();
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 held = _classInfo[token].held;
        if (balance <= held) revert PoolNothingToSkim(token);
        // Cannot underflow: `balance > held` was checked above.
        unchecked {
            amount = balance - held;
        }
        emit Skimmed(token, to, amount);
        token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The pool token's name.
    function name() public view override returns (string memory) {
        return _name;
    }

    /// @notice The pool token's symbol.
    function symbol() public view override returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc ICarbonPool
    function isEligible(address token) external view returns (bool eligible, EligibilityReason reason) {
        if (_classInfo[token].eligibleVersion == _rulesVersion) return (true, EligibilityReason.Eligible);
        (reason,) = _eligibility(token);
        eligible = reason == EligibilityReason.Eligible;
    }

    /// @inheritdoc ICarbonPool
    function composition() external view returns (address[] memory tokens, uint256[] memory amounts) {
        tokens = _classList;
        amounts = new uint256[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            amounts[i] = _classInfo[tokens[i]].held;
        }
    }

    /// @inheritdoc ICarbonPool
    function classCount() external view returns (uint256) {
        return _classList.length;
    }

    /// @inheritdoc ICarbonPool
    function classAt(uint256 index) external view returns (address) {
        return _classList[index];
    }

    /// @inheritdoc ICarbonPool
    function classBalance(address token) external view returns (uint256) {
        return _classInfo[token].held;
    }

    /// @inheritdoc ICarbonPool
    function classCap(address token) external view returns (uint256) {
        return _classInfo[token].hasCap ? _classCaps[token] : _defaultClassCap;
    }

    /// @inheritdoc ICarbonPool
    function defaultClassCap() external view returns (uint256) {
        return _defaultClassCap;
    }

    /// @inheritdoc ICarbonPool
    function supplyCap() external view returns (uint256) {
        return _supplyCap;
    }

    /// @inheritdoc ICarbonPool
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @inheritdoc ICarbonPool
    function feeRecipient() external view returns (address) {
        return _feeRecipient;
    }

    /// @inheritdoc ICarbonPool
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @inheritdoc ICarbonPool
    function previewRedeem(uint256 amount) external view returns (uint256 received, uint256 fee) {
        fee = _feeOf(amount, _feeBps);
        received = amount - fee;
    }

    // ------------------------------------------------------------------ internals

    /// @dev See {deposit}; the caller holds the reentrancy guard.
    function _deposit(address token, uint256 amount) private {
        if (_paused) revert PoolPaused();
        if (amount == 0) revert PoolZeroAmount();
        _addHolding(token, amount, amount);
        _mint(msg.sender, amount);
        emit Deposited(msg.sender, token, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Burns `amount - fee` of the caller's pool tokens, moves `fee` of them to the fee recipient and
    /// lowers the holding of `token` by `amount - fee`. See {redeem}.
    function _redeemPoolTokens(address token, uint256 amount) private returns (uint256 received, uint256 fee) {
        if (amount == 0) revert PoolZeroAmount();
        fee = _feeOf(amount, _feeBps);
        received = amount - fee; // fee <= amount / 10
        _removeHolding(token, received);
        _burn(msg.sender, received);
        if (fee != 0) _transfer(msg.sender, _feeRecipient, fee);
    }

    /// @dev Adds `amount` to the holding of `token` after checking its eligibility (cached per rules
    /// version) and its cap, and that the supply may grow by `supplyIncrease`.
    function _addHolding(address token, uint256 amount, uint256 supplyIncrease) private {
        ClassInfo memory info = _classInfo[token];
        uint32 version = _rulesVersion;
        if (info.eligibleVersion != version) {
            _requireEligible(token);
            info.eligibleVersion = version;
        }
        uint256 cap = info.hasCap ? _classCaps[token] : _defaultClassCap;
        uint256 holding = _saturatingAdd(info.held, amount);
        if (holding > cap) revert PoolClassCapExceeded(token, cap, holding);
        if (supplyIncrease != 0) {
            uint256 supply = _saturatingAdd(totalSupply(), supplyIncrease);
            uint256 maxSupply = _supplyCap;
            if (supply > maxSupply) revert PoolSupplyCapExceeded(maxSupply, supply);
        }
        if (info.held == 0) {
            _classList.push(token);
            info.position = uint32(_classList.length);
        }
        // casting to 'uint128' is safe because holding <= cap <= type(uint128).max
        // forge-lint: disable-next-line(unsafe-typecast)
        info.held = uint128(holding);
        _classInfo[token] = info;
    }

    /// @dev Lowers the holding of `token` by `amount`, dropping the class from the list at zero.
    /// Reverts with {PoolInsufficientClassBalance}.
    function _removeHolding(address token, uint256 amount) private {
        ClassInfo storage info = _classInfo[token];
        uint256 held = info.held;
        if (amount > held) revert PoolInsufficientClassBalance(token, held, amount);
        if (amount == held) {
            _dropFromList(info.position);
            info.position = 0;
        }
        // Cannot underflow: `amount <= held` was checked above.
        unchecked {
            // casting to 'uint128' is safe because the result is at most `held`, itself a uint128
            // forge-lint: disable-next-line(unsafe-typecast)
            info.held = uint128(held - amount);
        }
    }

    /// @dev Removes the class at 1-based `position` from `_classList` (swap with the last, pop).
    function _dropFromList(uint32 position) private {
        uint256 last = _classList.length;
        if (position != last) {
            address moved = _classList[last - 1];
            _classList[position - 1] = moved;
            _classInfo[moved].position = position;
        }
        _classList.pop();
    }

    function _setFee(uint16 bps) private {
        if (bps > MAX_FEE_BPS) revert PoolFeeTooHigh(bps, MAX_FEE_BPS);
        _feeBps = bps;
        emit FeeChanged(bps);
    }

    function _setFeeRecipient(address recipient) private {
        if (recipient == address(0)) revert PoolZeroFeeRecipient();
        _feeRecipient = recipient;
        emit FeeRecipientChanged(recipient);
    }

    /// @dev `floor(amount * bps / 10_000)`, full precision: no overflow for any `amount`.
    function _feeOf(uint256 amount, uint256 bps) private pure returns (uint256) {
        return Math.mulDiv(amount, bps, _BPS);
    }

    /// @dev `a + b`, or `type(uint256).max` if that overflows (only ever compared against a cap).
    function _saturatingAdd(uint256 a, uint256 b) private pure returns (uint256 sum) {
        // Overflow is detected right after and mapped to the maximum.
        unchecked {
            sum = a + b;
        }
        if (sum < a) sum = type(uint256).max;
    }

    /// @dev The permit domain name hash is fixed (the name never changes): saves hashing it per permit.
    function _constantNameHash() internal view override returns (bytes32) {
        return _nameHash;
    }

    /// @dev Permit2 gets no implicit infinite allowance (plain ERC-20 allowance rules).
    function _givePermit2InfiniteAllowance() internal pure override returns (bool) {
        return false;
    }
}
