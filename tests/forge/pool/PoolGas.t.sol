// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {console} from "forge-std/console.sol";

import {PoolRules} from "../../../contracts/interfaces/ICarbonPool.sol";
import {IRetirementLedger} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {PoolFixture} from "./PoolFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice Gas of the pool's trading operations as a transaction receipt reports it (Cancun, optimizer 200,
/// intrinsic cost and calldata included), measured like tests/forge/gas/Gas.t.sol: the suite runs isolated
/// (inline config below), so every top-level call is its own transaction with cold accounts and slots, and
/// `vm.lastCallGas().gasTotalUsed` is the receipt's gasUsed.
///
/// The "typical trade" set-up: the class is already in the pool and checked under the current rules; the
/// trader already holds pool tokens and the class tokens involved; the fee recipient already holds pool
/// tokens; the trader's allowance to the pool is a finite amount that stays non-zero. None of the measured
/// operations earns a refund.
/// forge-config: default.isolate = true
contract PoolGasTest is PoolFixture {
    uint256 internal constant DEPOSIT_TARGET = 110_000;
    uint256 internal constant REDEEM_TARGET = 110_000;

    CarbonCreditToken internal vcsToken;
    CarbonCreditToken internal gsToken;

    function setUp() public override {
        super.setUp();
        vcsToken = mintClass(vcs(), 1000, alice);
        gsToken = mintClass(gs(), 1000, alice);
        mintClass(vcs(), 1000, bob);
    }

    /// @dev The warm state of a typical trade (each step its own transaction under isolation).
    function _warmUp() internal {
        vm.startPrank(alice);
        vcsToken.approve(address(pool), 900 * TONNE);
        gsToken.approve(address(pool), 900 * TONNE);
        pool.deposit(address(vcsToken), 100 * TONNE); // first deposit of the class: checks and caches it
        pool.deposit(address(gsToken), 100 * TONNE);
        pool.redeem(address(vcsToken), 1 * TONNE); // alice holds vcs anyway; the fee recipient now holds pool tokens
        vm.stopPrank();
    }

    function test_gas_deposit() public {
        _warmUp();
        uint256 gasUsed =
            _receiptGasFrom(alice, address(pool), abi.encodeCall(pool.deposit, (address(vcsToken), 10 * TONNE)));
        console.log("pool deposit (class checked under current rules, existing holders):", gasUsed);
        assertLe(gasUsed, DEPOSIT_TARGET);
    }

    function test_gas_deposit_infiniteApproval() public {
        _warmUp();
        vm.prank(alice);
        vcsToken.approve(address(pool), type(uint256).max);
        uint256 gasUsed =
            _receiptGasFrom(alice, address(pool), abi.encodeCall(pool.deposit, (address(vcsToken), 10 * TONNE)));
        console.log("pool deposit, infinite approval:", gasUsed);
        assertLe(gasUsed, DEPOSIT_TARGET);
    }

    function test_gas_deposit_firstOfItsClass() public {
        vm.startPrank(alice);
        vcsToken.approve(address(pool), 900 * TONNE);
        gsToken.approve(address(pool), 900 * TONNE);
        pool.deposit(address(gsToken), 100 * TONNE); // alice already holds pool tokens
        vm.stopPrank();
        uint256 gasUsed =
            _receiptGasFrom(alice, address(pool), abi.encodeCall(pool.deposit, (address(vcsToken), 10 * TONNE)));
        console.log("pool deposit, first of its class (genuineness + rules checked, class listed):", gasUsed);
    }

    function test_gas_deposit_afterARuleChange() public {
        _warmUp();
        PoolRules memory r = openRules();
        r.programs = list("VCS", "GS");
        r.deniedMethodologies = list("VM0001");
        r.minVintageStart = 20160101;
        r.requiredLabels = CORSIA;
        setRulesAs(r);
        uint256 gasUsed =
            _receiptGasFrom(alice, address(pool), abi.encodeCall(pool.deposit, (address(vcsToken), 10 * TONNE)));
        console.log("pool deposit, first after a rule change (class re-checked):", gasUsed);
    }

    function test_gas_depositWithPermit() public {
        (address trader, uint256 key) = makeAddrAndKey("trader");
        CarbonCreditToken token = mintClass(vcs(), 100, trader);
        _warmUp();
        vm.startPrank(trader);
        token.approve(address(pool), 1); // an earlier permit or approval left a non-zero allowance
        pool.deposit(address(token), 1);
        vm.stopPrank();
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                trader,
                address(pool),
                10 * TONNE,
                token.nonces(trader),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        uint256 gasUsed = _receiptGasFrom(
            trader,
            address(pool),
            abi.encodeCall(pool.depositWithPermit, (address(token), 10 * TONNE, deadline, v, r, s))
        );
        console.log("pool depositWithPermit:", gasUsed);
    }

    function test_gas_redeem() public {
        _warmUp();
        uint256 gasUsed =
            _receiptGasFrom(alice, address(pool), abi.encodeCall(pool.redeem, (address(vcsToken), 10 * TONNE)));
        console.log("pool redeem one class, 1% fee (existing holders):", gasUsed);
        assertLe(gasUsed, REDEEM_TARGET);
    }

    function test_gas_swap() public {
        _warmUp();
        uint256 gasUsed = _receiptGasFrom(
            alice, address(pool), abi.encodeCall(pool.swap, (address(gsToken), address(vcsToken), 10 * TONNE))
        );
        console.log("pool swap, 1% fee (both classes held, existing holders):", gasUsed);
    }

    function test_gas_redeemAndRetire() public {
        _warmUp();
        vm.prank(alice);
        pool.redeemAndRetire(address(vcsToken), 1 * TONNE, Retirements.simple("Acme Corp", "2025 offsets")); // class already retired once
        uint256 gasUsed = _receiptGasFrom(
            alice,
            address(pool),
            abi.encodeCall(
                pool.redeemAndRetire, (address(vcsToken), 10 * TONNE, Retirements.simple("Acme Corp", "2025 offsets"))
            )
        );
        console.log("pool redeemAndRetire, 1% fee (bridge retire incl. certificate):", gasUsed);
    }

    function test_gas_bridgeRetireDirect_forComparison() public {
        _warmUp();
        bytes32 classId = classIdOf(vcs());
        vm.prank(alice);
        IRetirementLedger(address(bridge)).retire(classId, 1 * TONNE, Retirements.simple("Acme Corp", "2025 offsets"));
        uint256 gasUsed = _receiptGasFrom(
            alice,
            address(bridge),
            abi.encodeCall(IRetirementLedger.retire, (classId, 9.9e18, Retirements.simple("Acme Corp", "2025 offsets")))
        );
        console.log("bridge retire called directly by a holder (same amount), for comparison:", gasUsed);
    }

    /// @dev Calls `target` with `data` from `from` as its own transaction and returns the receipt gas.
    function _receiptGasFrom(address from, address target, bytes memory data) internal returns (uint256 gasUsed) {
        vm.prank(from);
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret)) // bubble the revert reason up unchanged
            }
        }
        gasUsed = vm.lastCallGas().gasTotalUsed;
        // Under isolation the intrinsic cost is part of the call's gas; without it the number is meaningless.
        assertGe(gasUsed, 21_000 + _calldataGas(data), "gas tests need isolation (forge-config isolate)");
    }

    function _calldataGas(bytes memory data) private pure returns (uint256 cost) {
        for (uint256 i; i < data.length; ++i) {
            cost += data[i] == 0 ? 4 : 16;
        }
    }
}
