// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IRedemptionEscrow} from "../../../contracts/interfaces/IRedemptionEscrow.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice Registry units that are tonnes (unitDecimals 0) or kilograms (3): a tonne is always 1e18 wei;
/// reserves, batches, redemptions and settlements count registry units, and the reserve identity holds
/// exactly through mints, redemptions, retirements and settlements.
contract UnitsFuzzTest is BridgeFixture {
    function testFuzz_units_mintRedeemRetireSettle(
        bool kilograms,
        uint64 quantitySeed,
        uint64 redeemSeed,
        uint256 retireSeed,
        uint64 settleSeed
    ) public {
        CreditClass memory c = kilograms ? isoKg() : vcs1477();
        uint64 quantity = uint64(bound(quantitySeed, 2, 1e12));
        bytes32 key = bridgeUnits(c, 1, quantity, alice);
        assertEq(bridge.weiPerUnit(classIdOf(c)), unitWei(c));
        assertEq(tokenOf(c).totalSupply(), uint256(quantity) * unitWei(c));
        assertEq(bridge.classReserve(classIdOf(c)), quantity);

        uint64 redeemed = uint64(bound(redeemSeed, 1, quantity - 1));
        _redeem(c, key, redeemed);
        assertEq(bridge.classReserve(classIdOf(c)), quantity - redeemed);
        assertClassAccounting(c);

        uint64 settled = _retireAndSettle(c, key, retireSeed, settleSeed);
        assertEq(bridge.classReserve(classIdOf(c)), quantity - redeemed - settled);
        assertClassAccounting(c);
    }

    /// @dev Alice redeems `units` whole registry units of `c` from batch `key`; a part of a unit is refused.
    function _redeem(CreditClass memory c, bytes32 key, uint64 units) private {
        uint256 unit = unitWei(c);
        bytes32 classId = classIdOf(c);
        if (unit > 1) {
            uint256 ragged = uint256(units) * unit + 1;
            vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeFractionalRedemption.selector, ragged, unit));
            vm.prank(alice);
            bridge.requestRedemption(classId, ragged, "ACCT");
        }
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, uint256(units) * unit, "ACCT");
        (,, uint64 recorded,) = bridge.redemption(id);
        assertEq(recorded, units);
        (bytes32[] memory keys, uint64[] memory amounts) = split1(key, units);
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, amounts, "released");
    }

    /// @dev Alice retires any wei of `c`; the engine settles some whole registry units of it. Returns them.
    function _retireAndSettle(CreditClass memory c, bytes32 key, uint256 retireSeed, uint64 settleSeed)
        private
        returns (uint64 settled)
    {
        bytes32 classId = classIdOf(c);
        // a certificate holds at most 2^96 - 1 wei (79 billion tonnes): larger retirements are refused
        uint256 balance = tokenOf(c).balanceOf(alice);
        uint256 retired = bound(retireSeed, 1, balance < type(uint96).max ? balance : type(uint96).max);
        vm.prank(alice);
        bridge.retire(classId, retired, Retirements.simple("Beneficiary", "Reason"));
        assertClassAccounting(c);
        uint256 wholeUnits = retired / unitWei(c);
        if (wholeUnits == 0) return 0;
        settled = uint64(bound(settleSeed, 1, wholeUnits));
        (bytes32[] memory keys, uint64[] memory amounts) = split1(key, settled);
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), classId, keys, amounts, "RET");
        assertEq(bridge.retiredUnsettled(classId), retired - uint256(settled) * unitWei(c));
    }
}
