// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IRetirementLedger} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BatchSplits} from "../utils/BatchSplits.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract RetirementLedgerFuzzTest is BridgeFixture {
    CreditClass internal vcs;
    bytes32 internal classId;
    CarbonCreditToken internal token;
    bytes32[] internal keys;
    uint64[] internal quantities;

    function setUp() public override {
        super.setUp();
        vcs = vcs1477();
        classId = classIdOf(vcs);
        // Three batches, 60 t in all: alice holds 40 t, bob 20 t.
        keys.push(bridgeUnits(vcs, 1, 25, alice));
        keys.push(bridgeUnits(vcs, 26, 15, alice));
        keys.push(bridgeUnits(vcs, 41, 20, bob));
        quantities.push(25);
        quantities.push(15);
        quantities.push(20);
        token = tokenOf(vcs);
    }

    /// @dev Any amount up to the balance (fractions and single wei included) burns at once, is added to the
    /// unsettled amount and gets a certificate; more than the balance is refused.
    function testFuzz_retire_anyAmount(uint256 amount, uint32 timestamp) public {
        amount = bound(amount, 1, 80 * TONNE);
        vm.warp(timestamp);
        vm.prank(alice);
        if (amount > 40 * TONNE) vm.expectRevert(ERC20.InsufficientBalance.selector);
        uint256 id = bridge.retire(classId, amount, "Beneficiary", "Reason");
        if (amount > 40 * TONNE) {
            assertEq(bridge.retiredUnsettled(classId), 0);
            return;
        }
        assertEq(token.balanceOf(alice), 40 * TONNE - amount);
        assertEq(token.totalSupply(), 60 * TONNE - amount);
        assertEq(bridge.retiredUnsettled(classId), amount);
        (address retiree, bytes32 c, uint256 a, uint64 at,) = bridge.certificate(id);
        assertEq(retiree, alice);
        assertEq(c, classId);
        assertEq(a, amount);
        assertEq(at, timestamp);
        assertClassAccounting(vcs);
    }

    /// @dev Random fractional retirements by two holders, then the whole tonnes they add up to settled over
    /// a random split of the batches: what stays unsettled is the fraction below one tonne, and the
    /// accounting identity holds at every step.
    function testFuzz_retireFractionsThenSettleWholeTonnes(uint256[6] memory amounts, uint256 splitSeed) public {
        uint256 retired;
        for (uint256 i; i < amounts.length; ++i) {
            address holder = i % 2 == 0 ? alice : bob;
            uint256 balance = token.balanceOf(holder);
            if (balance == 0) continue;
            uint256 amount = bound(amounts[i], 1, balance);
            vm.prank(holder);
            bridge.retire(classId, amount, "B", "");
            retired += amount;
            assertClassAccounting(vcs);
        }
        assertEq(bridge.retiredUnsettled(classId), retired);

        // casting to 'uint64' is safe because at most 40 t can be retired here
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 whole = uint64(retired / TONNE);
        if (whole == 0) return;
        (bytes32[] memory planKeys, uint64[] memory planTonnes) = BatchSplits.split(keys, quantities, whole, splitSeed);
        vm.prank(engine);
        bridge.settleRetirements(keccak256(abi.encode(splitSeed)), classId, planKeys, planTonnes, "VCS-RET");

        assertEq(bridge.retiredUnsettled(classId), retired % TONNE);
        assertEq(bridge.classReserve(classId), 60 - whole);
        assertClassAccounting(vcs);
    }

    /// @dev A settlement of more whole tonnes than are unsettled is refused.
    function testFuzz_settleRetirements_neverPastUnsettled(uint256 retired, uint64 tonnes) public {
        retired = bound(retired, 1, 40 * TONNE);
        tonnes = uint64(bound(tonnes, 1, 25));
        vm.prank(alice);
        bridge.retire(classId, retired, "B", "");
        (bytes32[] memory planKeys, uint64[] memory planTonnes) = split1(keys[0], tonnes);
        if (uint256(tonnes) * TONNE > retired) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IRetirementLedger.BridgeSettlementExceedsUnsettled.selector,
                    classId,
                    retired,
                    uint256(tonnes) * TONNE
                )
            );
        }
        vm.prank(engine);
        bridge.settleRetirements(bytes32(retired), classId, planKeys, planTonnes, "");
        assertClassAccounting(vcs);
    }
}
