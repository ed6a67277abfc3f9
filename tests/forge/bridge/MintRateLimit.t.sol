// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Lock} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IMintRateLimit} from "../../../contracts/interfaces/IMintRateLimit.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract MintRateLimitTest is BridgeFixture {
    uint64 internal constant CAP = 100;
    uint32 internal constant PERIOD = 1 days;

    function setUp() public override {
        super.setUp();
        vm.prank(admin);
        bridge.setMintCap(CAP, PERIOD);
    }

    function test_setMintCap_byTheAdmin_emits() public {
        vm.expectEmit(address(bridge));
        emit IMintRateLimit.MintCapChanged(5, 60);
        vm.prank(admin);
        bridge.setMintCap(5, 60);
        (uint64 tonnes, uint32 period) = bridge.mintCap();
        assertEq(tonnes, 5);
        assertEq(period, 60);
    }

    function test_setMintCap_rejectsZeroes() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeInvalidMintCap.selector, 0, 60));
        bridge.setMintCap(0, 60);
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeInvalidMintCap.selector, 5, 0));
        bridge.setMintCap(5, 0);
        vm.stopPrank();
    }

    function test_aClassMintsUpToTheCapPerWindow() public {
        bytes32 classId = classIdOf(vcs1477());
        bridgeUnits(vcs1477(), 1, 60, alice);
        (uint64 end, uint256 available) = bridge.mintWindow(classId);
        assertEq(end, block.timestamp + PERIOD);
        assertEq(available, 40 * TONNE);
        bridgeUnits(vcs1477(), 61, 40, alice);

        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 101, 1, alice)));
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeMintRateExceeded.selector, classId, 0, TONNE));
        mintAll(s);
        assertFalse(bridge.isLockUsed("VCS", s.leaves[0].lockId), "a refused mint records nothing");
    }

    function test_aNewWindowOpensOnceThePeriodEnded() public {
        bridgeUnits(vcs1477(), 1, 100, alice);
        vm.warp(block.timestamp + PERIOD - 1);
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 101, 100, alice)));
        vm.expectRevert(
            abi.encodeWithSelector(IMintRateLimit.BridgeMintRateExceeded.selector, classIdOf(vcs1477()), 0, 100 * TONNE)
        );
        mintAll(s);
        vm.warp(block.timestamp + 1);
        mintAll(s);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 200);
    }

    function test_eachClassHasItsOwnWindow() public {
        bridgeUnits(vcs1477(), 1, 100, alice);
        bridgeUnits(gs5000(), 1, 100, alice);
        assertEq(bridge.classReserve(classIdOf(gs5000())), 100);
    }

    function test_aKilogramClassCountsTonnes() public {
        bytes32 classId = classIdOf(isoKg());
        bridgeUnits(isoKg(), 1, 100_000, alice); // 100 t
        SignedLocks memory s = signLocks(one(lockOf(isoKg(), 100_001, 1, alice)));
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeMintRateExceeded.selector, classId, 0, 1e15));
        mintAll(s);
    }

    /// @dev The whole call is one amount per class: a batch past the cap mints none of its locks.
    function test_aBatchPastTheCapMintsNothing() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 60, alice);
        locks[1] = lockOf(vcs1477(), 61, 41, bob);
        SignedLocks memory s = signLocks(locks);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMintRateLimit.BridgeMintRateExceeded.selector, classIdOf(vcs1477()), 100 * TONNE, 101 * TONNE
            )
        );
        mintAll(s);
        assertEq(bridge.classToken(classIdOf(vcs1477())), address(0));
    }

    function test_aNewCapAppliesFromTheNextWindow() public {
        bridgeUnits(vcs1477(), 1, 10, alice);
        vm.prank(admin);
        bridge.setMintCap(1000, PERIOD);
        (, uint256 available) = bridge.mintWindow(classIdOf(vcs1477()));
        assertEq(available, 90 * TONNE, "the open window keeps its cap");
        vm.warp(block.timestamp + PERIOD);
        bridgeUnits(vcs1477(), 11, 500, alice);
        (, available) = bridge.mintWindow(classIdOf(vcs1477()));
        assertEq(available, 500 * TONNE);
    }

    /// @dev Any sequence of mints and waits: each mint passes iff the model's window allows it, and the
    /// reserve is exactly what passed.
    function testFuzz_mintCap(uint64 capSeed, uint32 periodSeed, uint64[8] memory amounts, uint32[8] memory waits)
        public
    {
        uint64 cap = uint64(bound(capSeed, 1, 1000));
        uint32 period = uint32(bound(periodSeed, 1, 30 days));
        vm.prank(admin);
        bridge.setMintCap(cap, period);
        uint256 windowEnd;
        uint256 available;
        uint256 minted;
        uint64 start = 1;
        for (uint256 i; i < amounts.length; ++i) {
            vm.warp(block.timestamp + bound(waits[i], 0, uint256(period) * 2));
            uint64 units = uint64(bound(amounts[i], 1, 2 * uint256(cap)));
            // A refused mint changes nothing, so a window opens only with a mint that passes.
            (uint256 end_, uint256 available_) =
                block.timestamp >= windowEnd ? (block.timestamp + period, uint256(cap) * TONNE) : (windowEnd, available);
            SignedLocks memory s = signLocks(one(lockOf(vcs1477(), start, units, alice)));
            start += units;
            if (uint256(units) * TONNE > available_) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        IMintRateLimit.BridgeMintRateExceeded.selector,
                        classIdOf(vcs1477()),
                        available_,
                        uint256(units) * TONNE
                    )
                );
                mintAll(s);
            } else {
                mintAll(s);
                (windowEnd, available) = (end_, available_ - uint256(units) * TONNE);
                minted += units;
            }
            (uint64 end, uint256 left) = bridge.mintWindow(classIdOf(vcs1477()));
            if (minted > 0) {
                assertEq(end, windowEnd);
                assertEq(left, available);
            }
        }
        assertEq(bridge.classReserve(classIdOf(vcs1477())), minted);
    }
}
