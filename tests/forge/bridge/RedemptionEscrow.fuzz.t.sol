// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IRedemptionEscrow} from "../../../contracts/interfaces/IRedemptionEscrow.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BatchSplits} from "../utils/BatchSplits.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract RedemptionEscrowFuzzTest is BridgeFixture {
    uint256 internal constant BATCHES = 5;

    CreditClass internal vcs;
    bytes32 internal classId;

    function setUp() public override {
        super.setUp();
        vcs = vcs1477();
        classId = classIdOf(vcs);
    }

    /// @dev Any amount: zero, fractions and more than the balance are refused with their own errors; whole
    /// tonnes within the balance are escrowed.
    function testFuzz_requestRedemption_acceptsWholeTonnesWithinTheBalanceOnly(uint256 amount, bool fraction) public {
        bridgeUnits(vcs, 1, 1000, alice);
        amount = fraction ? bound(amount, 0, 2000 * TONNE) : bound(amount, 0, 2000) * TONNE;
        vm.prank(alice);
        if (amount == 0) {
            vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        } else if (amount % TONNE != 0) {
            vm.expectRevert(
                abi.encodeWithSelector(IRedemptionEscrow.BridgeFractionalRedemption.selector, amount, TONNE)
            );
        } else if (amount > 1000 * TONNE) {
            vm.expectRevert(ERC20.InsufficientBalance.selector);
        }
        uint256 id = bridge.requestRedemption(classId, amount, "ACCT");
        bool accepted = amount > 0 && amount % TONNE == 0 && amount <= 1000 * TONNE;
        assertEq(bridge.escrowed(classId), accepted ? amount : 0);
        assertEq(tokenOf(vcs).balanceOf(alice), 1000 * TONNE - (accepted ? amount : 0));
        if (accepted) {
            (address holder,, uint64 tonnes, IRedemptionEscrow.RedemptionStatus status) = bridge.redemption(id);
            assertEq(holder, alice);
            assertEq(tonnes, amount / TONNE);
            assertEq(uint8(status), uint8(IRedemptionEscrow.RedemptionStatus.Pending));
        }
        assertClassAccounting(vcs);
    }

    /// @dev A redemption of any size, finalized against any split over several batches, takes exactly that
    /// split from the batches and the reserve, and burns exactly the escrow.
    function testFuzz_finalizeRedemption_anySplitOverBatches(
        uint64[BATCHES] memory quantities,
        uint256 tonnesSeed,
        uint256 splitSeed
    ) public {
        (bytes32[] memory keys, uint64[] memory remaining, uint64 total) = _bridgeBatches(quantities);
        uint64 tonnes = uint64(bound(tonnesSeed, 1, total));
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, uint256(tonnes) * TONNE, "ACCT");

        (bytes32[] memory planKeys, uint64[] memory planTonnes) = BatchSplits.split(keys, remaining, tonnes, splitSeed);
        vm.prank(engine);
        bridge.finalizeRedemption(id, planKeys, planTonnes, "serials");

        for (uint256 i; i < planKeys.length; ++i) {
            for (uint256 j; j < keys.length; ++j) {
                if (keys[j] == planKeys[i]) remaining[j] -= planTonnes[i];
            }
        }
        for (uint256 j; j < keys.length; ++j) {
            assertEq(bridge.batch(keys[j]).remaining, remaining[j]);
            IBatchLedger.BatchStatus expected =
                remaining[j] == 0 ? IBatchLedger.BatchStatus.Released : IBatchLedger.BatchStatus.Active;
            assertEq(uint8(bridge.batch(keys[j]).status), uint8(expected));
        }
        assertEq(bridge.classReserve(classId), total - tonnes);
        assertEq(tokenOf(vcs).totalSupply(), uint256(total - tonnes) * TONNE);
        assertEq(bridge.escrowed(classId), 0);
        (,,, IRedemptionEscrow.RedemptionStatus status) = bridge.redemption(id);
        assertEq(uint8(status), uint8(IRedemptionEscrow.RedemptionStatus.Finalized));
        assertClassAccounting(vcs);
    }

    /// @dev Any plan whose tonnes do not add up to the redemption is refused, and changes nothing.
    function testFuzz_finalizeRedemption_rejectsAnyOtherSum(uint64 tonnes, uint64 a, uint64 b) public {
        bytes32 key = bridgeUnits(vcs, 1, 1_000_000, alice);
        tonnes = uint64(bound(tonnes, 1, 1_000_000));
        vm.assume(uint256(a) + b != tonnes);
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, uint256(tonnes) * TONNE, "ACCT");
        (bytes32[] memory keys, uint64[] memory amounts) = split2(key, a, key, b);
        uint256 sum = uint256(a) + b;
        // casting to 'uint64' is safe because larger sums were replaced by the maximum
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 reported = sum > type(uint64).max ? type(uint64).max : uint64(sum);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeUnitsMismatch.selector, tonnes, reported));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, amounts, "");
        assertEq(bridge.batch(key).remaining, 1_000_000);
        assertEq(bridge.escrowed(classId), uint256(tonnes) * TONNE);
    }

    /// @dev Cancelling gives back exactly what was escrowed; nothing else moves.
    function testFuzz_cancelRedemption_restoresTheHolder(uint64[BATCHES] memory quantities, uint256 tonnesSeed) public {
        (bytes32[] memory keys, uint64[] memory remaining, uint64 total) = _bridgeBatches(quantities);
        uint64 tonnes = uint64(bound(tonnesSeed, 1, total));
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, uint256(tonnes) * TONNE, "ACCT");
        vm.prank(engine);
        bridge.cancelRedemption(id, "refused");
        CarbonCreditToken token = tokenOf(vcs);
        assertEq(token.balanceOf(alice), uint256(total) * TONNE);
        assertEq(token.balanceOf(address(bridge)), 0);
        assertEq(bridge.classReserve(classId), total);
        for (uint256 j; j < keys.length; ++j) {
            assertEq(bridge.batch(keys[j]).remaining, remaining[j]);
        }
        assertClassAccounting(vcs);
    }

    /// @dev BATCHES batches of 1..1e6 tonnes each, all to alice.
    function _bridgeBatches(uint64[BATCHES] memory quantities)
        internal
        returns (bytes32[] memory keys, uint64[] memory remaining, uint64 total)
    {
        keys = new bytes32[](BATCHES);
        remaining = new uint64[](BATCHES);
        uint64 start = 1;
        for (uint256 i; i < BATCHES; ++i) {
            uint64 q = uint64(bound(quantities[i], 1, 1e6));
            keys[i] = bridgeUnits(vcs, start, q, alice);
            remaining[i] = q;
            start += q;
            total += q;
        }
    }
}
