// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IRetirementLedger, RetirementDetails} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BatchSplits} from "../utils/BatchSplits.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

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
        uint256 id = bridge.retire(classId, amount, Retirements.simple("Beneficiary", "Reason"));
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

    /// @dev Any jurisdiction is accepted exactly when it has the ISO 3166 shape: zero, "CC", or "CC-" and 1 to
    /// 3 capitals or digits, zero-padded (a reference check written differently from the contract's).
    function testFuzz_retire_jurisdictionShape(bytes6 code) public {
        RetirementDetails memory details = Retirements.simple("B", "");
        details.claimJurisdiction = code;
        bool valid = _referenceJurisdiction(code);
        if (!valid) {
            vm.expectRevert(abi.encodeWithSelector(IRetirementLedger.BridgeInvalidJurisdiction.selector, code));
        }
        vm.prank(alice);
        bridge.retire(classId, 1, details);
        assertEq(bridge.retiredUnsettled(classId), valid ? 1 : 0);
    }

    /// @dev Shapes the fuzzer rarely hits at random: every valid one of a few lengths, and one bad byte in it.
    function testFuzz_retire_jurisdictionNearMisses(uint8 length, uint8 badAt, bytes1 bad) public {
        length = uint8(bound(length, 1, 3));
        bytes memory text =
            abi.encodePacked("US-", length >= 1 ? "C" : "", length >= 2 ? "A" : "", length >= 3 ? "9" : "");
        bytes6 code = bytes6(bytes(text));
        assertTrue(_referenceJurisdiction(code));
        bytes6 broken = code ^ (bytes6(bad) >> (8 * (badAt % 6)));
        testFuzz_retire_jurisdictionShape(broken);
    }

    /// @dev Several beneficiaries in one call: each gets its own certificate (consecutive ids) for its own
    /// amount, the total burns once, and a total above the balance changes nothing.
    function testFuzz_retireMany(uint256[5] memory seeds, uint8 count) public {
        count = uint8(bound(count, 1, 5));
        uint256[] memory amounts = new uint256[](count);
        RetirementDetails[] memory details = new RetirementDetails[](count);
        uint256 total;
        for (uint256 i; i < count; ++i) {
            amounts[i] = bound(seeds[i], 1, 12 * TONNE);
            total += amounts[i];
            details[i] = Retirements.simple(string(abi.encodePacked("Beneficiary ", bytes1(uint8(65 + i)))), "");
        }
        vm.prank(alice);
        if (total > 40 * TONNE) vm.expectRevert(ERC20.InsufficientBalance.selector);
        uint256 first = bridge.retireMany(classId, amounts, details);
        if (total > 40 * TONNE) {
            assertEq(bridge.retiredUnsettled(classId), 0);
            assertEq(token.balanceOf(alice), 40 * TONNE);
            return;
        }
        assertEq(first, 1);
        assertEq(token.balanceOf(alice), 40 * TONNE - total);
        assertEq(bridge.retiredUnsettled(classId), total);
        for (uint256 i; i < count; ++i) {
            (address retiree,, uint256 amount,, bytes20 detailsHash) = bridge.certificate(first + i);
            assertEq(retiree, alice);
            assertEq(amount, amounts[i]);
            assertEq(detailsHash, bytes20(keccak256(abi.encode(details[i]))));
        }
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
            bridge.retire(classId, amount, Retirements.simple("B", ""));
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
        bridge.retire(classId, retired, Retirements.simple("B", ""));
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

    function _referenceJurisdiction(bytes6 code) internal pure returns (bool) {
        bytes memory b = abi.encodePacked(code);
        uint256 used = 6;
        while (used > 0 && b[used - 1] == 0) --used;
        for (uint256 i; i < used; ++i) {
            if (b[i] == 0) return false; // a zero inside the text
        }
        if (used == 0) return true;
        if (used != 2 && (used < 4 || b[2] != "-")) return false;
        for (uint256 i; i < used; ++i) {
            bytes1 c = b[i];
            bool capital = c >= "A" && c <= "Z";
            bool digit = c >= "0" && c <= "9";
            if (i < 2 && !capital) return false;
            if (i > 2 && !capital && !digit) return false;
        }
        return true;
    }
}
