// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../interfaces/CarbonTypes.sol";
import {ICarbonCreditToken} from "../interfaces/ICarbonCreditToken.sol";
import {CreditClassCodec} from "../libraries/CreditClassCodec.sol";

/// @title CarbonCreditToken
/// @notice The ERC-20 of one credit class (program + project + vintage): 18 decimals, 1e18 = one tonne,
/// EIP-2612 permit. Only the bridge mints, burns, and moves tokens without an allowance.
/// @dev Deployed once by the bridge as an implementation; every class token is an EIP-1167 clone of it
/// (OpenZeppelin `Clones.cloneDeterministicWithImmutableArgs`) whose immutable args encode the class
/// attributes ({CreditClassCodec-encodeArgs}), so a clone needs no initializer and no storage of its own
/// beyond balances. The bridge address is an immutable of the implementation, which clones share.
///
/// Names: `name()` is "<program> <projectId> <YYYY-MM-DD>..<YYYY-MM-DD>" (vintage start..end), e.g.
/// "VCS 1477 2019-01-01..2019-12-31"; `symbol()` is "<program>-<projectId>-<start year>", e.g.
/// "VCS-1477-2019". The permit domain is (name, "1", chainId, token address), so it differs per class.
///
/// The body is solady's ERC20 (lean enough that a clone transfer stays near a plain ERC-20). Unlike
/// solady's default, Permit2 gets no implicit infinite allowance: allowances follow plain ERC-20 rules.
contract CarbonCreditToken is ERC20, ICarbonCreditToken {
    /// @dev The bridge that creates the clones of this implementation.
    address private immutable _bridge;

    /// @param bridge_ The only account allowed to mint, burn and call {bridgeTransfer}.
    constructor(address bridge_) {
        _bridge = bridge_;
    }

    /// @dev Reverts with {CarbonTokenUnauthorized} unless the caller is the bridge.
    modifier onlyBridge() {
        if (msg.sender != _bridge) revert CarbonTokenUnauthorized(msg.sender);
        _;
    }

    /// @inheritdoc ICarbonCreditToken
    function bridge() external view returns (address) {
        return _bridge;
    }

    /// @inheritdoc ICarbonCreditToken
    function mint(address to, uint256 amount) external onlyBridge returns (uint256) {
        _mint(to, amount);
        return totalSupply();
    }

    /// @inheritdoc ICarbonCreditToken
    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }

    /// @inheritdoc ICarbonCreditToken
    function bridgeTransfer(address from, address to, uint256 amount) external onlyBridge {
        _transfer(from, to, amount);
    }

    /// @inheritdoc ICarbonCreditToken
    function creditClass() public view returns (CreditClass memory) {
        return CreditClassCodec.decodeArgs(Clones.fetchCloneArgs(address(this)));
    }

    /// @inheritdoc ICarbonCreditToken
    function classId() external view returns (bytes32) {
        return CreditClassCodec.classIdMemory(creditClass());
    }

    /// @inheritdoc ICarbonCreditToken
    function classHash() external view returns (bytes32) {
        return CreditClassCodec.classHashMemory(creditClass());
    }

    /// @notice "<program> <projectId> <YYYY-MM-DD>..<YYYY-MM-DD>", e.g. "VCS 1477 2019-01-01..2019-12-31".
    function name() public view override returns (string memory) {
        CreditClass memory c = creditClass();
        return string.concat(c.program, " ", c.projectId, " ", _date(c.vintageStart), "..", _date(c.vintageEnd));
    }

    /// @notice "<program>-<projectId>-<vintage start year>", e.g. "VCS-1477-2019".
    function symbol() public view override returns (string memory) {
        CreditClass memory c = creditClass();
        return string.concat(c.program, "-", c.projectId, "-", Strings.toString(c.vintageStart / 10_000));
    }

    /// @dev Permit2 gets no implicit infinite allowance.
    function _givePermit2InfiniteAllowance() internal pure override returns (bool) {
        return false;
    }

    /// @dev YYYYMMDD as "YYYY-MM-DD".
    function _date(uint32 yyyymmdd) private pure returns (string memory) {
        return string.concat(
            Strings.toString(yyyymmdd / 10_000),
            "-",
            _twoDigits((yyyymmdd / 100) % 100),
            "-",
            _twoDigits(yyyymmdd % 100)
        );
    }

    /// @dev `value` (< 100) as two decimal digits.
    function _twoDigits(uint256 value) private pure returns (string memory) {
        return value < 10 ? string.concat("0", Strings.toString(value)) : Strings.toString(value);
    }
}
