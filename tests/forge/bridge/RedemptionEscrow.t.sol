// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IClassTokenFactory} from "../../../contracts/interfaces/IClassTokenFactory.sol";
import {IRedemptionEscrow} from "../../../contracts/interfaces/IRedemptionEscrow.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract RedemptionEscrowTest is BridgeFixture {
    string internal constant ACCOUNT = "VCS-ACCT-88213";

    CreditClass internal vcs;
    bytes32 internal classId;
    CarbonCreditToken internal token;
    /// @dev Two batches of the class: 100 t to alice, 50 t to bob.
    bytes32 internal keyA;
    bytes32 internal keyB;
    /// @dev A batch of another class, 30 t to alice.
    bytes32 internal keyOther;

    function setUp() public override {
        super.setUp();
        vcs = vcs1477();
        classId = classIdOf(vcs);
        keyA = bridgeUnits(vcs, 1, 100, alice);
        keyB = bridgeUnits(vcs, 101, 50, bob);
        keyOther = bridgeUnits(gs5000(), 1, 30, alice);
        token = tokenOf(vcs);
    }

    // ---------------------------------------------------------------- request

    function test_requestRedemption_escrowsTokensAndRecords() public {
        vm.expectEmit(address(bridge));
        emit IRedemptionEscrow.RedemptionRequested(1, classId, alice, 25, ACCOUNT);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, address(bridge), 25 * TONNE);
        vm.prank(alice);
        uint256 id = bridge.requestRedemption(classId, 25 * TONNE, ACCOUNT);

        assertEq(id, 1);
        assertEq(token.balanceOf(alice), 75 * TONNE);
        assertEq(token.balanceOf(address(bridge)), 25 * TONNE);
        assertEq(bridge.escrowed(classId), 25 * TONNE);
        assertEq(token.totalSupply(), 150 * TONNE, "escrowed tokens stay in the supply");
        assertEq(bridge.classReserve(classId), 150, "the reserve moves only on finalize");
        _assertRedemption(id, alice, classId, 25, IRedemptionEscrow.RedemptionStatus.Pending);
        assertClassAccounting(vcs);
    }

    function test_requestRedemption_idsAreSequentialAcrossHoldersAndClasses() public {
        vm.prank(alice);
        assertEq(bridge.requestRedemption(classId, 1 * TONNE, ACCOUNT), 1);
        vm.prank(bob);
        assertEq(bridge.requestRedemption(classId, 2 * TONNE, "GS-ACCT-1"), 2);
        vm.prank(alice);
        assertEq(bridge.requestRedemption(classIdOf(gs5000()), 3 * TONNE, ACCOUNT), 3);

        assertEq(bridge.escrowed(classId), 3 * TONNE);
        assertEq(bridge.escrowed(classIdOf(gs5000())), 3 * TONNE);
        _assertRedemption(2, bob, classId, 2, IRedemptionEscrow.RedemptionStatus.Pending);
        _assertRedemption(3, alice, classIdOf(gs5000()), 3, IRedemptionEscrow.RedemptionStatus.Pending);
    }

    function test_requestRedemption_wholeBalance() public {
        vm.prank(bob);
        bridge.requestRedemption(classId, 50 * TONNE, ACCOUNT);
        assertEq(token.balanceOf(bob), 0);
        assertEq(bridge.escrowed(classId), 50 * TONNE);
    }

    function test_requestRedemption_rejectsZeroAmount() public {
        vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        vm.prank(alice);
        bridge.requestRedemption(classId, 0, ACCOUNT);
    }

    function test_requestRedemption_rejectsFractionalAmounts() public {
        uint256[3] memory amounts = [uint256(1), TONNE / 2, 10 * TONNE + 1];
        for (uint256 i; i < amounts.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IRedemptionEscrow.BridgeFractionalRedemption.selector, amounts[i], TONNE)
            );
            vm.prank(alice);
            bridge.requestRedemption(classId, amounts[i], ACCOUNT);
        }
    }

    function test_requestRedemption_rejectsEmptyRegistryAccount() public {
        vm.expectRevert(IRedemptionEscrow.BridgeEmptyRegistryAccount.selector);
        vm.prank(alice);
        bridge.requestRedemption(classId, TONNE, "");
    }

    function test_requestRedemption_rejectsUnknownClass() public {
        bytes32 unknown = keccak256("no such class");
        vm.expectRevert(abi.encodeWithSelector(IClassTokenFactory.BridgeUnknownClass.selector, unknown));
        vm.prank(alice);
        bridge.requestRedemption(unknown, TONNE, ACCOUNT);
    }

    function test_requestRedemption_rejectsMoreThanTheBalance() public {
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        vm.prank(alice);
        bridge.requestRedemption(classId, 101 * TONNE, ACCOUNT);
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        vm.prank(makeAddr("nobody"));
        bridge.requestRedemption(classId, TONNE, ACCOUNT);
    }

    function test_requestRedemption_rejectsTonnesPast64Bits() public {
        uint256 amount = (uint256(type(uint64).max) + 1) * TONNE;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 64, amount / TONNE));
        vm.prank(alice);
        bridge.requestRedemption(classId, amount, ACCOUNT);
    }

    function test_requestRedemption_isStoppedByPause() public {
        vm.prank(engine);
        bridge.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(alice);
        bridge.requestRedemption(classId, TONNE, ACCOUNT);
        vm.prank(admin);
        bridge.unpause();
        vm.prank(alice);
        assertEq(bridge.requestRedemption(classId, TONNE, ACCOUNT), 1);
    }

    function test_failedRequest_leavesNoTrace() public {
        vm.prank(alice);
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        bridge.requestRedemption(classId, 500 * TONNE, ACCOUNT);
        _assertRedemption(1, address(0), bytes32(0), 0, IRedemptionEscrow.RedemptionStatus.None);
        assertEq(bridge.escrowed(classId), 0);
        vm.prank(alice);
        assertEq(bridge.requestRedemption(classId, TONNE, ACCOUNT), 1, "the id was not consumed");
    }

    // ---------------------------------------------------------------- finalize

    function test_finalizeRedemption_burnsEscrowAndShrinksTheBatch() public {
        uint256 id = _request(alice, 25);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 25);

        vm.expectEmit(address(bridge));
        emit IRedemptionEscrow.RedemptionFinalized(id, "VCS-1-25");
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(keyA, alice, 25, 75);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(address(bridge), address(0), 25 * TONNE);
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "VCS-1-25");

        _assertRedemption(id, alice, classId, 25, IRedemptionEscrow.RedemptionStatus.Finalized);
        assertEq(bridge.escrowed(classId), 0);
        assertEq(token.balanceOf(address(bridge)), 0);
        assertEq(token.balanceOf(alice), 75 * TONNE);
        assertEq(token.totalSupply(), 125 * TONNE);
        assertEq(bridge.classReserve(classId), 125);
        assertEq(bridge.batch(keyA).remaining, 75);
        assertEq(uint8(bridge.batch(keyA).status), uint8(IBatchLedger.BatchStatus.Active));
        assertClassAccounting(vcs);
    }

    function test_finalizeRedemption_splitsOverBatchesAndReleasesEmptiedOnes() public {
        uint256 id = _request(alice, 80);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyB, 50, keyA, 30);

        vm.expectEmit(address(bridge));
        emit IRedemptionEscrow.RedemptionFinalized(id, "two blocks");
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(keyB, alice, 50, 0);
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchReleased(keyB);
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(keyA, alice, 30, 70);
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "two blocks");

        assertEq(uint8(bridge.batch(keyB).status), uint8(IBatchLedger.BatchStatus.Released));
        assertEq(bridge.batch(keyB).remaining, 0);
        assertEq(bridge.batch(keyA).remaining, 70);
        assertEq(bridge.classReserve(classId), 70);
        assertEq(token.totalSupply(), 70 * TONNE, "bob's 50 t are now backed by batch A");
        assertClassAccounting(vcs);
    }

    function test_finalizeRedemption_acceptsTheSameBatchTwice() public {
        uint256 id = _request(alice, 10);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 4, keyA, 6);
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
        assertEq(bridge.batch(keyA).remaining, 90);
        assertClassAccounting(vcs);
    }

    function test_finalizeRedemption_requiresSettlerRole() public {
        uint256 id = _request(alice, 5);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 5);
        bytes32 role = bridge.SETTLER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.finalizeRedemption(id, keys, tonnes, "");

        vm.prank(admin);
        bridge.grantRole(role, bob);
        vm.prank(bob);
        bridge.finalizeRedemption(id, keys, tonnes, "");
        _assertRedemption(id, alice, classId, 5, IRedemptionEscrow.RedemptionStatus.Finalized);
    }

    function test_finalizeRedemption_rejectsUnknownIds() public {
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 5);
        vm.startPrank(engine);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeRedemptionNotPending.selector, 0));
        bridge.finalizeRedemption(0, keys, tonnes, "");
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeRedemptionNotPending.selector, 1));
        bridge.finalizeRedemption(1, keys, tonnes, "");
        vm.stopPrank();
    }

    function test_finalizeRedemption_rejectsLengthMismatch() public {
        uint256 id = _request(alice, 5);
        vm.expectRevert(IBatchLedger.BridgeArrayLengthMismatch.selector);
        vm.prank(engine);
        bridge.finalizeRedemption(id, new bytes32[](2), new uint64[](1), "");
    }

    function test_finalizeRedemption_rejectsTonnesThatDoNotAddUp() public {
        uint256 id = _request(alice, 10);
        vm.startPrank(engine);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 4, keyB, 5);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeUnitsMismatch.selector, 10, 9));
        bridge.finalizeRedemption(id, keys, tonnes, "");
        (keys, tonnes) = split2(keyA, 4, keyB, 7);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeUnitsMismatch.selector, 10, 11));
        bridge.finalizeRedemption(id, keys, tonnes, "");
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeUnitsMismatch.selector, 10, 0));
        bridge.finalizeRedemption(id, new bytes32[](0), new uint64[](0), "");
        // A sum past 64 bits is reported saturated.
        (keys, tonnes) = split2(keyA, type(uint64).max, keyB, type(uint64).max);
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeUnitsMismatch.selector, 10, type(uint64).max));
        bridge.finalizeRedemption(id, keys, tonnes, "");
        vm.stopPrank();
    }

    function test_finalizeRedemption_rejectsInactiveBatches() public {
        uint256 id = _request(alice, 10);
        bytes32 unknown = batchKeyOf("VCS", "never bridged");
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(unknown, 10);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, unknown));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");

        // Release batch B through another redemption, then name it again.
        vm.prank(bob);
        uint256 other = bridge.requestRedemption(classId, 50 * TONNE, ACCOUNT);
        (keys, tonnes) = split1(keyB, 50);
        vm.prank(engine);
        bridge.finalizeRedemption(other, keys, tonnes, "");
        (keys, tonnes) = split2(keyA, 5, keyB, 5);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, keyB));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
    }

    function test_finalizeRedemption_rejectsBatchesOfAnotherClass() public {
        uint256 id = _request(alice, 10);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 5, keyOther, 5);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchClassMismatch.selector, keyOther, classId));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
    }

    function test_finalizeRedemption_rejectsZeroOrExcessiveTonnesForABatch() public {
        uint256 id = _request(alice, 60);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 0, keyB, 60);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, keyA, 100, 0));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
        (keys, tonnes) = split2(keyA, 5, keyB, 55);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, keyB, 50, 55));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
        // Naming a batch twice counts against what is left of it.
        (keys, tonnes) = split2(keyB, 30, keyB, 30);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, keyB, 20, 30));
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
    }

    function test_failedFinalize_changesNothing() public {
        uint256 id = _request(alice, 10);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 5, keyOther, 5);
        vm.prank(engine);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchClassMismatch.selector, keyOther, classId));
        bridge.finalizeRedemption(id, keys, tonnes, "");
        _assertRedemption(id, alice, classId, 10, IRedemptionEscrow.RedemptionStatus.Pending);
        assertEq(bridge.batch(keyA).remaining, 100);
        assertEq(bridge.escrowed(classId), 10 * TONNE);
        assertEq(bridge.classReserve(classId), 150);
    }

    // ---------------------------------------------------------------- cancel

    function test_cancelRedemption_returnsTheTokens() public {
        uint256 id = _request(alice, 25);
        vm.expectEmit(address(bridge));
        emit IRedemptionEscrow.RedemptionCancelled(id, "account closed");
        vm.expectEmit(address(token));
        emit IERC20.Transfer(address(bridge), alice, 25 * TONNE);
        vm.prank(engine);
        bridge.cancelRedemption(id, "account closed");

        _assertRedemption(id, alice, classId, 25, IRedemptionEscrow.RedemptionStatus.Cancelled);
        assertEq(token.balanceOf(alice), 100 * TONNE);
        assertEq(bridge.escrowed(classId), 0);
        assertEq(token.totalSupply(), 150 * TONNE);
        assertEq(bridge.classReserve(classId), 150);
        assertEq(bridge.batch(keyA).remaining, 100);
        assertClassAccounting(vcs);
    }

    function test_cancelRedemption_returnsToTheHolderEvenAfterItMovedItsOtherTokens() public {
        uint256 id = _request(alice, 25);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 75 * TONNE));
        vm.prank(engine);
        bridge.cancelRedemption(id, "refused");
        assertEq(token.balanceOf(alice), 25 * TONNE);
    }

    function test_cancelRedemption_requiresSettlerRole() public {
        uint256 id = _request(alice, 5);
        bytes32 role = bridge.SETTLER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.cancelRedemption(id, "");
    }

    function test_cancelRedemption_rejectsUnknownIds() public {
        vm.expectRevert(abi.encodeWithSelector(IRedemptionEscrow.BridgeRedemptionNotPending.selector, 7));
        vm.prank(engine);
        bridge.cancelRedemption(7, "");
    }

    // ---------------------------------------------------------------- exactly once

    function test_redemption_endsExactlyOnce() public {
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 5);
        uint256 finalized = _request(alice, 5);
        uint256 cancelled = _request(alice, 5);
        vm.startPrank(engine);
        bridge.finalizeRedemption(finalized, keys, tonnes, "");
        bridge.cancelRedemption(cancelled, "");

        bytes memory notPendingFinalized =
            abi.encodeWithSelector(IRedemptionEscrow.BridgeRedemptionNotPending.selector, finalized);
        bytes memory notPendingCancelled =
            abi.encodeWithSelector(IRedemptionEscrow.BridgeRedemptionNotPending.selector, cancelled);
        vm.expectRevert(notPendingFinalized);
        bridge.finalizeRedemption(finalized, keys, tonnes, "");
        vm.expectRevert(notPendingFinalized);
        bridge.cancelRedemption(finalized, "");
        vm.expectRevert(notPendingCancelled);
        bridge.finalizeRedemption(cancelled, keys, tonnes, "");
        vm.expectRevert(notPendingCancelled);
        bridge.cancelRedemption(cancelled, "");
        vm.stopPrank();

        _assertRedemption(finalized, alice, classId, 5, IRedemptionEscrow.RedemptionStatus.Finalized);
        _assertRedemption(cancelled, alice, classId, 5, IRedemptionEscrow.RedemptionStatus.Cancelled);
        assertEq(token.balanceOf(alice), 95 * TONNE);
        assertClassAccounting(vcs);
    }

    function test_finalizeAndCancel_workWhilePaused() public {
        uint256 first = _request(alice, 5);
        uint256 second = _request(alice, 5);
        vm.startPrank(engine);
        bridge.pause();
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 5);
        bridge.finalizeRedemption(first, keys, tonnes, "");
        bridge.cancelRedemption(second, "");
        vm.stopPrank();
        _assertRedemption(first, alice, classId, 5, IRedemptionEscrow.RedemptionStatus.Finalized);
        _assertRedemption(second, alice, classId, 5, IRedemptionEscrow.RedemptionStatus.Cancelled);
    }

    function test_redemption_ofUnknownIdIsEmpty() public view {
        _assertRedemption(0, address(0), bytes32(0), 0, IRedemptionEscrow.RedemptionStatus.None);
        _assertRedemption(42, address(0), bytes32(0), 0, IRedemptionEscrow.RedemptionStatus.None);
    }

    function test_redeemedSerial_canBeBridgedAgain() public {
        uint256 id = _request(bob, 50);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyB, 50);
        vm.prank(engine);
        bridge.finalizeRedemption(id, keys, tonnes, "");
        assertEq(bridgeUnits(vcs, 101, 50, alice), keyB);
        assertEq(bridge.classReserve(classId), 150);
        assertClassAccounting(vcs);
    }

    // ---------------------------------------------------------------- helpers

    function _request(address holder, uint256 tonnes) internal returns (uint256) {
        vm.prank(holder);
        return bridge.requestRedemption(classId, tonnes * TONNE, ACCOUNT);
    }

    function _assertRedemption(
        uint256 id,
        address holder,
        bytes32 expectedClassId,
        uint64 tonnes,
        IRedemptionEscrow.RedemptionStatus status
    ) internal view {
        (address h, bytes32 c, uint64 t, IRedemptionEscrow.RedemptionStatus s) = bridge.redemption(id);
        assertEq(h, holder, "holder");
        assertEq(c, expectedClassId, "classId");
        assertEq(t, tonnes, "tonnes");
        assertEq(uint8(s), uint8(status), "status");
    }
}
