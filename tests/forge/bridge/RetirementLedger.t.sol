// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IClassTokenFactory} from "../../../contracts/interfaces/IClassTokenFactory.sol";
import {IRetirementLedger} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice A contract that holds class tokens and retires them itself, as a pool does.
contract RetiringHolder {
    function retire(IRetirementLedger bridge, bytes32 classId, uint256 amount) external returns (uint256) {
        return bridge.retire(classId, amount, "Pool beneficiary", "");
    }
}

contract RetirementLedgerTest is BridgeFixture {
    string internal constant BENEFICIARY = "Acme Offsets Ltd";
    string internal constant REASON = "FY2024 scope 1";

    CreditClass internal vcs;
    bytes32 internal classId;
    CarbonCreditToken internal token;
    /// @dev Two batches of the class: 10 t to alice, 5 t to bob.
    bytes32 internal keyA;
    bytes32 internal keyB;
    /// @dev A batch of another class, 30 t to alice.
    bytes32 internal keyOther;

    function setUp() public override {
        super.setUp();
        vcs = vcs1477();
        classId = classIdOf(vcs);
        keyA = bridgeUnits(vcs, 1, 10, alice);
        keyB = bridgeUnits(vcs, 11, 5, bob);
        keyOther = bridgeUnits(gs5000(), 1, 30, alice);
        token = tokenOf(vcs);
    }

    // ---------------------------------------------------------------- retire

    function test_retire_burnsAndIssuesACertificate() public {
        vm.warp(1_750_000_000);
        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(1, classId, alice, 2.5e18, BENEFICIARY, REASON);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, address(0), 2.5e18);
        vm.prank(alice);
        uint256 id = bridge.retire(classId, 2.5e18, BENEFICIARY, REASON);

        assertEq(id, 1);
        assertEq(token.balanceOf(alice), 7.5e18);
        assertEq(token.totalSupply(), 12.5e18);
        assertEq(bridge.retiredUnsettled(classId), 2.5e18);
        assertEq(bridge.classReserve(classId), 15, "the reserve moves only on settlement");
        assertEq(bridge.batch(keyA).remaining, 10);
        _assertCertificate(id, alice, classId, 2.5e18, 1_750_000_000, _details(BENEFICIARY, REASON));
        assertClassAccounting(vcs);
    }

    function test_retire_certificatesAreSequentialAndPerClass() public {
        vm.prank(alice);
        assertEq(bridge.retire(classId, 1, BENEFICIARY, REASON), 1);
        vm.prank(bob);
        assertEq(bridge.retire(classId, 0.25e18, "Bob", ""), 2);
        vm.prank(alice);
        assertEq(bridge.retire(classIdOf(gs5000()), 3e18, BENEFICIARY, REASON), 3);

        assertEq(bridge.retiredUnsettled(classId), 0.25e18 + 1);
        assertEq(bridge.retiredUnsettled(classIdOf(gs5000())), 3e18);
        _assertCertificate(2, bob, classId, 0.25e18, uint64(block.timestamp), _details("Bob", ""));
        _assertCertificate(3, alice, classIdOf(gs5000()), 3e18, uint64(block.timestamp), _details(BENEFICIARY, REASON));
        assertClassAccounting(vcs);
        assertClassAccounting(gs5000());
    }

    function test_retire_oneWeiAndTheWholeBalance() public {
        vm.startPrank(alice);
        bridge.retire(classId, 1, BENEFICIARY, REASON);
        bridge.retire(classId, token.balanceOf(alice), BENEFICIARY, REASON);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 0);
        assertEq(bridge.retiredUnsettled(classId), 10e18);
        assertClassAccounting(vcs);
    }

    function test_retire_byAContractNamesItAsRetiree() public {
        RetiringHolder holder = new RetiringHolder();
        vm.prank(alice);
        assertTrue(token.transfer(address(holder), 1e18));
        uint256 id = holder.retire(bridge, classId, 0.4e18);
        (address retiree,,,,) = bridge.certificate(id);
        assertEq(retiree, address(holder));
        assertEq(token.balanceOf(address(holder)), 0.6e18);
    }

    function test_retire_rejectsZeroAmount() public {
        vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        vm.prank(alice);
        bridge.retire(classId, 0, BENEFICIARY, REASON);
    }

    function test_retire_beneficiaryLengthLimits() public {
        assertEq(bridge.MAX_BENEFICIARY_LENGTH(), 200);
        vm.startPrank(alice);
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        bridge.retire(classId, 1, "", REASON);
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        bridge.retire(classId, 1, _text(201), REASON);
        bridge.retire(classId, 1, _text(200), REASON);
        bridge.retire(classId, 1, "X", REASON);
        vm.stopPrank();
    }

    function test_retire_reasonLengthLimits() public {
        assertEq(bridge.MAX_REASON_LENGTH(), 500);
        vm.startPrank(alice);
        vm.expectRevert(IRetirementLedger.BridgeReasonTooLong.selector);
        bridge.retire(classId, 1, BENEFICIARY, _text(501));
        uint256 id = bridge.retire(classId, 1, BENEFICIARY, _text(500));
        uint256 noReason = bridge.retire(classId, 1, BENEFICIARY, "");
        vm.stopPrank();
        (,,,, bytes32 detailsHash) = bridge.certificate(id);
        assertEq(detailsHash, _details(BENEFICIARY, _text(500)));
        (,,,, detailsHash) = bridge.certificate(noReason);
        assertEq(detailsHash, _details(BENEFICIARY, ""));
    }

    function test_retire_detailsHashSeparatesBeneficiaryFromReason() public {
        vm.startPrank(alice);
        uint256 first = bridge.retire(classId, 1, "ab", "c");
        uint256 second = bridge.retire(classId, 1, "a", "bc");
        vm.stopPrank();
        (,,,, bytes32 h1) = bridge.certificate(first);
        (,,,, bytes32 h2) = bridge.certificate(second);
        assertTrue(h1 != h2);
    }

    function test_retire_rejectsUnknownClass() public {
        bytes32 unknown = keccak256("no such class");
        vm.expectRevert(abi.encodeWithSelector(IClassTokenFactory.BridgeUnknownClass.selector, unknown));
        vm.prank(alice);
        bridge.retire(unknown, 1, BENEFICIARY, REASON);
    }

    function test_retire_rejectsMoreThanTheBalance() public {
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        vm.prank(alice);
        bridge.retire(classId, 10e18 + 1, BENEFICIARY, REASON);
        assertEq(bridge.retiredUnsettled(classId), 0);
        (address retiree,,,,) = bridge.certificate(1);
        assertEq(retiree, address(0), "no certificate");
    }

    function test_retire_worksWhilePaused() public {
        vm.prank(engine);
        bridge.pause();
        vm.prank(alice);
        assertEq(bridge.retire(classId, 1e18, BENEFICIARY, REASON), 1);
    }

    function test_certificate_ofUnknownIdIsEmpty() public view {
        _assertCertificate(0, address(0), bytes32(0), 0, 0, bytes32(0));
        _assertCertificate(9, address(0), bytes32(0), 0, 0, bytes32(0));
    }

    // ---------------------------------------------------------------- settle

    function test_settleRetirements_shrinksBatchAndReserveWithoutBurning() public {
        _retire(alice, 2.5e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 2);
        bytes32 settlementId = keccak256("s1");

        vm.expectEmit(address(bridge));
        emit IRetirementLedger.RetirementsSettled(settlementId, classId, 2, "VCS-RET-1");
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(keyA, address(0), 2, 8);
        vm.recordLogs();
        vm.prank(engine);
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "VCS-RET-1");
        assertEq(vm.getRecordedLogs().length, 2, "no Transfer: nothing burns");

        assertTrue(bridge.isSettlementRecorded(settlementId));
        assertEq(bridge.retiredUnsettled(classId), 0.5e18);
        assertEq(bridge.classReserve(classId), 13);
        assertEq(bridge.batch(keyA).remaining, 8);
        assertEq(token.totalSupply(), 12.5e18);
        assertClassAccounting(vcs);
    }

    function test_settleRetirements_splitsOverBatchesAndReleasesEmptiedOnes() public {
        _retire(alice, 4e18);
        _retire(bob, 3.5e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyB, 5, keyA, 2);
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchReleased(keyB);
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "VCS-RET-2");
        assertEq(uint8(bridge.batch(keyB).status), uint8(IBatchLedger.BatchStatus.Released));
        assertEq(bridge.batch(keyA).remaining, 8);
        assertEq(bridge.retiredUnsettled(classId), 0.5e18);
        assertEq(bridge.classReserve(classId), 8);
        assertClassAccounting(vcs);
    }

    function test_settleRetirements_exactlyTheUnsettledAmount() public {
        _retire(alice, 3e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 3);
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
        assertEq(bridge.retiredUnsettled(classId), 0);
        assertClassAccounting(vcs);
    }

    function test_settleRetirements_requiresSettlerRole() public {
        _retire(alice, 3e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 3);
        bytes32 role = bridge.SETTLER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
    }

    function test_settleRetirements_rejectsAReusedSettlementId() public {
        _retire(alice, 3e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 1);
        bytes32 settlementId = keccak256("s");
        vm.startPrank(engine);
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");
        vm.expectRevert(
            abi.encodeWithSelector(IRetirementLedger.BridgeSettlementAlreadyRecorded.selector, settlementId)
        );
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");
        // ...even for another class
        vm.expectRevert(
            abi.encodeWithSelector(IRetirementLedger.BridgeSettlementAlreadyRecorded.selector, settlementId)
        );
        bridge.settleRetirements(settlementId, classIdOf(gs5000()), keys, tonnes, "");
        vm.stopPrank();
        assertEq(bridge.retiredUnsettled(classId), 2e18);
    }

    function test_settleRetirements_rejectsUnknownClass() public {
        bytes32 unknown = keccak256("no such class");
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 1);
        vm.expectRevert(abi.encodeWithSelector(IClassTokenFactory.BridgeUnknownClass.selector, unknown));
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), unknown, keys, tonnes, "");
    }

    function test_settleRetirements_rejectsLengthMismatchAndNothing() public {
        _retire(alice, 3e18);
        vm.startPrank(engine);
        vm.expectRevert(IBatchLedger.BridgeArrayLengthMismatch.selector);
        bridge.settleRetirements(keccak256("s"), classId, new bytes32[](1), new uint64[](2), "");
        vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        bridge.settleRetirements(keccak256("s"), classId, new bytes32[](0), new uint64[](0), "");
        vm.stopPrank();
    }

    function test_settleRetirements_rejectsMoreThanUnsettled() public {
        vm.startPrank(engine);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRetirementLedger.BridgeSettlementExceedsUnsettled.selector, classId, 0, 1e18)
        );
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
        vm.stopPrank();

        _retire(alice, 2.5e18);
        (keys, tonnes) = split2(keyA, 2, keyB, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRetirementLedger.BridgeSettlementExceedsUnsettled.selector, classId, 2.5e18, 3e18)
        );
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
    }

    function test_settleRetirements_rejectsBadBatches() public {
        _retire(alice, 9e18);
        _retire(bob, 5e18);
        bytes32 unknown = batchKeyOf("VCS", "never bridged");
        bytes32 settlementId = keccak256("s");
        vm.startPrank(engine);

        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 1, unknown, 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, unknown));
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");

        (keys, tonnes) = split1(keyOther, 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchClassMismatch.selector, keyOther, classId));
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");

        (keys, tonnes) = split2(keyA, 1, keyB, 0);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, keyB, 5, 0));
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");

        (keys, tonnes) = split2(keyB, 6, keyA, 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, keyB, 5, 6));
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");

        // Released batches are not active.
        (keys, tonnes) = split1(keyB, 5);
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");
        (keys, tonnes) = split1(keyB, 1);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, keyB));
        bridge.settleRetirements(keccak256("s2"), classId, keys, tonnes, "");
        vm.stopPrank();
    }

    function test_failedSettlement_recordsNothing() public {
        _retire(alice, 3e18);
        bytes32 settlementId = keccak256("s");
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 1, keyOther, 1);
        vm.prank(engine);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchClassMismatch.selector, keyOther, classId));
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");
        assertFalse(bridge.isSettlementRecorded(settlementId));
        assertEq(bridge.retiredUnsettled(classId), 3e18);
        assertEq(bridge.batch(keyA).remaining, 10);
        // the engine retries with a corrected plan under the same id
        (keys, tonnes) = split1(keyA, 2);
        vm.prank(engine);
        bridge.settleRetirements(settlementId, classId, keys, tonnes, "");
        assertTrue(bridge.isSettlementRecorded(settlementId));
    }

    function test_settleRetirements_worksWhilePaused() public {
        _retire(alice, 1e18);
        vm.startPrank(engine);
        bridge.pause();
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyA, 1);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
        vm.stopPrank();
        assertEq(bridge.retiredUnsettled(classId), 0);
    }

    function test_retiredSerial_canBeBridgedAgainOnceSettled() public {
        _retire(bob, 5e18);
        (bytes32[] memory keys, uint64[] memory tonnes) = split1(keyB, 5);
        vm.prank(engine);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
        assertEq(bridgeUnits(vcs, 11, 5, alice), keyB);
        assertClassAccounting(vcs);
    }

    /// @dev Retirement and redemption share the reserve: the identity holds through a mixed sequence.
    function test_mixedRedemptionAndRetirement_keepTheAccounting() public {
        vm.prank(alice);
        uint256 redemptionId = bridge.requestRedemption(classId, 4e18, "ACCT");
        _retire(alice, 1.75e18);
        _retire(bob, 0.5e18);
        assertClassAccounting(vcs);
        vm.startPrank(engine);
        (bytes32[] memory keys, uint64[] memory tonnes) = split2(keyA, 3, keyB, 1);
        bridge.finalizeRedemption(redemptionId, keys, tonnes, "");
        assertClassAccounting(vcs);
        (keys, tonnes) = split1(keyB, 2);
        bridge.settleRetirements(keccak256("s"), classId, keys, tonnes, "");
        vm.stopPrank();
        assertClassAccounting(vcs);
        assertEq(bridge.retiredUnsettled(classId), 0.25e18);
        assertEq(bridge.classReserve(classId), 9);
        assertEq(token.totalSupply(), 8.75e18);
    }

    // ---------------------------------------------------------------- helpers

    function _retire(address holder, uint256 amount) internal returns (uint256) {
        vm.prank(holder);
        return bridge.retire(classId, amount, BENEFICIARY, REASON);
    }

    function _details(string memory beneficiary, string memory reason) internal pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(bytes(beneficiary)), keccak256(bytes(reason))));
    }

    /// @dev `length` bytes of text.
    function _text(uint256 length) internal pure returns (string memory) {
        bytes memory out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            out[i] = bytes1(uint8(97 + (i % 26)));
        }
        return string(out);
    }

    function _assertCertificate(
        uint256 id,
        address retiree,
        bytes32 expectedClassId,
        uint256 amount,
        uint64 retiredAt,
        bytes32 detailsHash
    ) internal view {
        (address r, bytes32 c, uint256 a, uint64 t, bytes32 d) = bridge.certificate(id);
        assertEq(r, retiree, "retiree");
        assertEq(c, expectedClassId, "classId");
        assertEq(a, amount, "amount");
        assertEq(t, retiredAt, "retiredAt");
        assertEq(d, detailsHash, "detailsHash");
    }
}
