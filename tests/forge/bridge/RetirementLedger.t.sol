// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {IClassTokenFactory} from "../../../contracts/interfaces/IClassTokenFactory.sol";
import {IRetirementLedger, RetirementDetails} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";
import {Retirements} from "../utils/Retirements.sol";

/// @notice A contract that holds class tokens and retires them itself, as a pool does.
contract RetiringHolder {
    function retire(IRetirementLedger bridge, bytes32 classId, uint256 amount) external returns (uint256) {
        return bridge.retire(classId, amount, Retirements.simple("Pool beneficiary", ""));
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
        emit IRetirementLedger.Retired(1, classId, alice, 2.5e18, Retirements.simple(BENEFICIARY, REASON));
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, address(0), 2.5e18);
        vm.prank(alice);
        uint256 id = bridge.retire(classId, 2.5e18, Retirements.simple(BENEFICIARY, REASON));

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
        assertEq(bridge.retire(classId, 1, Retirements.simple(BENEFICIARY, REASON)), 1);
        vm.prank(bob);
        assertEq(bridge.retire(classId, 0.25e18, Retirements.simple("Bob", "")), 2);
        vm.prank(alice);
        assertEq(bridge.retire(classIdOf(gs5000()), 3e18, Retirements.simple(BENEFICIARY, REASON)), 3);

        assertEq(bridge.retiredUnsettled(classId), 0.25e18 + 1);
        assertEq(bridge.retiredUnsettled(classIdOf(gs5000())), 3e18);
        _assertCertificate(2, bob, classId, 0.25e18, uint64(block.timestamp), _details("Bob", ""));
        _assertCertificate(3, alice, classIdOf(gs5000()), 3e18, uint64(block.timestamp), _details(BENEFICIARY, REASON));
        assertClassAccounting(vcs);
        assertClassAccounting(gs5000());
    }

    function test_retire_oneWeiAndTheWholeBalance() public {
        vm.startPrank(alice);
        bridge.retire(classId, 1, Retirements.simple(BENEFICIARY, REASON));
        bridge.retire(classId, token.balanceOf(alice), Retirements.simple(BENEFICIARY, REASON));
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
        bridge.retire(classId, 0, Retirements.simple(BENEFICIARY, REASON));
    }

    function test_retire_beneficiaryLengthLimits() public {
        assertEq(bridge.MAX_BENEFICIARY_LENGTH(), 200);
        vm.startPrank(alice);
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        bridge.retire(classId, 1, Retirements.simple("", REASON));
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        bridge.retire(classId, 1, Retirements.simple(_text(201), REASON));
        bridge.retire(classId, 1, Retirements.simple(_text(200), REASON));
        bridge.retire(classId, 1, Retirements.simple("X", REASON));
        vm.stopPrank();
    }

    function test_retire_reasonLengthLimits() public {
        assertEq(bridge.MAX_REASON_LENGTH(), 500);
        vm.startPrank(alice);
        vm.expectRevert(IRetirementLedger.BridgeReasonTooLong.selector);
        bridge.retire(classId, 1, Retirements.simple(BENEFICIARY, _text(501)));
        uint256 id = bridge.retire(classId, 1, Retirements.simple(BENEFICIARY, _text(500)));
        uint256 noReason = bridge.retire(classId, 1, Retirements.simple(BENEFICIARY, ""));
        vm.stopPrank();
        (,,,, bytes20 detailsHash) = bridge.certificate(id);
        assertEq(detailsHash, _details(BENEFICIARY, _text(500)));
        (,,,, detailsHash) = bridge.certificate(noReason);
        assertEq(detailsHash, _details(BENEFICIARY, ""));
    }

    function test_retire_detailsHashSeparatesBeneficiaryFromReason() public {
        vm.startPrank(alice);
        uint256 first = bridge.retire(classId, 1, Retirements.simple("ab", "c"));
        uint256 second = bridge.retire(classId, 1, Retirements.simple("a", "bc"));
        vm.stopPrank();
        (,,,, bytes20 h1) = bridge.certificate(first);
        (,,,, bytes20 h2) = bridge.certificate(second);
        assertTrue(h1 != h2);
    }

    function test_retire_completeDetailsAreInTheEventAndHashed() public {
        RetirementDetails memory details = Retirements.complete(BENEFICIARY, REASON);
        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(1, classId, alice, 1e18, details);
        uint256 id = _retireWith(details);
        (,,,, bytes20 detailsHash) = bridge.certificate(id);
        assertEq(detailsHash, bytes20(keccak256(abi.encode(details))));
    }

    function test_retire_purposeMustBeListed() public {
        assertEq(bridge.MAX_PURPOSE(), 8);
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        for (uint8 purpose; purpose <= 8; ++purpose) {
            details.purpose = purpose;
            _retireWith(details);
        }
        details.purpose = 9;
        vm.expectRevert(abi.encodeWithSelector(IRetirementLedger.BridgeInvalidPurpose.selector, uint8(9)));
        _retireWith(details);
    }

    function test_retire_countryIsTwoCapitalsOrNothing() public {
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        details.consumptionCountry = "FR";
        _retireWith(details);
        bytes2[4] memory bad = [bytes2("fr"), bytes2("F1"), bytes2(0x4600), bytes2(0x0046)];
        for (uint256 i; i < bad.length; ++i) {
            details.consumptionCountry = bad[i];
            vm.expectRevert(abi.encodeWithSelector(IRetirementLedger.BridgeInvalidCountry.selector, bad[i]));
            _retireWith(details);
        }
    }

    function test_retire_jurisdictionShapes() public {
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        bytes6[5] memory good = [bytes6("US-CA"), bytes6("GB-ABC"), bytes6("FR-75"), bytes6("DE"), bytes6("CN-1")];
        for (uint256 i; i < good.length; ++i) {
            details.claimJurisdiction = good[i];
            _retireWith(details);
        }
        bytes6[7] memory bad = [
            bytes6("US-"),
            bytes6("us-CA"),
            bytes6("USA"),
            bytes6("US-ca"),
            bytes6("US CA"),
            bytes6(0x55532d4300aa), // "US-C", then a byte after the padding
            bytes6(0x000055530000)
        ];
        for (uint256 i; i < bad.length; ++i) {
            details.claimJurisdiction = bad[i];
            vm.expectRevert(abi.encodeWithSelector(IRetirementLedger.BridgeInvalidJurisdiction.selector, bad[i]));
            _retireWith(details);
        }
    }

    function test_retire_consumptionPeriod() public {
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        details.consumptionStart = 20240101;
        details.consumptionEnd = 20240101;
        _retireWith(details);
        uint32[2][3] memory bad =
            [[uint32(20240102), uint32(20240101)], [uint32(0), uint32(20240101)], [uint32(20240101), uint32(0)]];
        for (uint256 i; i < bad.length; ++i) {
            details.consumptionStart = bad[i][0];
            details.consumptionEnd = bad[i][1];
            vm.expectRevert(
                abi.encodeWithSelector(IRetirementLedger.BridgeInvalidConsumptionPeriod.selector, bad[i][0], bad[i][1])
            );
            _retireWith(details);
        }
    }

    function test_retire_retiringEntityLengthLimit() public {
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        details.retiringEntity = _text(200);
        _retireWith(details);
        details.retiringEntity = _text(201);
        vm.expectRevert(IRetirementLedger.BridgeInvalidRetiringEntity.selector);
        _retireWith(details);
    }

    function test_retire_personalDataOnlyAsItsHash() public {
        RetirementDetails memory details = Retirements.hashed(keccak256("salt"), "Jane Doe", "Doe Consulting");
        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(1, classId, alice, 1e18, details);
        _retireWith(details);
        // a name in clear beside the hash is refused: the hash is there to keep it off-chain
        details.beneficiaryName = "Jane Doe";
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        _retireWith(details);
        details.beneficiaryName = "";
        details.retiringEntity = "Doe Consulting";
        vm.expectRevert(IRetirementLedger.BridgeInvalidRetiringEntity.selector);
        _retireWith(details);
    }

    function test_retire_amountAbove96BitsIsRefused() public {
        CreditClass memory gs = gs5000();
        bridgeUnits(gs, 1000, 80_000_000_000, bob); // 80 billion t: more than 2^96 wei
        uint256 amount = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 96, amount));
        vm.prank(bob);
        bridge.retire(classIdOf(gs), amount, Retirements.simple(BENEFICIARY, REASON));
        vm.prank(bob);
        uint256 id = bridge.retire(classIdOf(gs), amount - 1, Retirements.simple(BENEFICIARY, REASON));
        (,, uint256 stored,,) = bridge.certificate(id);
        assertEq(stored, amount - 1);
    }

    function test_refusedDetails_changeNothing() public {
        RetirementDetails memory details = Retirements.simple(BENEFICIARY, REASON);
        details.purpose = 200;
        vm.expectRevert(abi.encodeWithSelector(IRetirementLedger.BridgeInvalidPurpose.selector, uint8(200)));
        _retireWith(details);
        assertEq(token.balanceOf(alice), 10e18);
        assertEq(bridge.retiredUnsettled(classId), 0);
        (address retiree,,,,) = bridge.certificate(1);
        assertEq(retiree, address(0));
    }

    // ---------------------------------------------------------------- retire many

    function test_retireMany_oneCertificatePerBeneficiaryOneBurn() public {
        uint256[] memory amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (1e18, 0.25e18, 2e18);
        RetirementDetails[] memory details = new RetirementDetails[](3);
        details[0] = Retirements.simple("Ann", "a");
        details[1] = Retirements.complete("Ben", "b");
        details[2] = Retirements.hashed(bytes32(uint256(7)), "Cat", "");
        vm.prank(alice);
        bridge.retire(classId, 1, Retirements.simple("first", "")); // certificate 1

        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(2, classId, alice, 1e18, details[0]);
        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(3, classId, alice, 0.25e18, details[1]);
        vm.expectEmit(address(bridge));
        emit IRetirementLedger.Retired(4, classId, alice, 2e18, details[2]);
        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, address(0), 3.25e18);
        vm.prank(alice);
        uint256 first = bridge.retireMany(classId, amounts, details);

        assertEq(first, 2);
        assertEq(token.balanceOf(alice), 10e18 - 1 - 3.25e18);
        assertEq(bridge.retiredUnsettled(classId), 3.25e18 + 1);
        for (uint256 i; i < 3; ++i) {
            _assertCertificate(
                first + i,
                alice,
                classId,
                amounts[i],
                uint64(block.timestamp),
                bytes20(keccak256(abi.encode(details[i])))
            );
        }
        vm.prank(bob);
        assertEq(bridge.retire(classId, 1, Retirements.simple("next", "")), 5, "ids go on after the batch");
        assertClassAccounting(vcs);
    }

    function test_retireMany_refusals() public {
        RetirementDetails[] memory one = new RetirementDetails[](1);
        one[0] = Retirements.simple("Ann", "");
        vm.startPrank(alice);
        vm.expectRevert(IBatchLedger.BridgeArrayLengthMismatch.selector);
        bridge.retireMany(classId, new uint256[](2), one);
        vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        bridge.retireMany(classId, new uint256[](0), new RetirementDetails[](0));
        vm.expectRevert(IBatchLedger.BridgeZeroAmount.selector);
        bridge.retireMany(classId, new uint256[](1), one);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (6e18, 5e18);
        RetirementDetails[] memory two = new RetirementDetails[](2);
        (two[0], two[1]) = (one[0], one[0]);
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        bridge.retireMany(classId, amounts, two);
        amounts[1] = 1e18;
        two[1].beneficiaryName = "";
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector);
        bridge.retireMany(classId, amounts, two);
        vm.stopPrank();
        assertEq(bridge.retiredUnsettled(classId), 0);
        assertEq(token.balanceOf(alice), 10e18);
    }

    function test_retire_rejectsUnknownClass() public {
        bytes32 unknown = keccak256("no such class");
        vm.expectRevert(abi.encodeWithSelector(IClassTokenFactory.BridgeUnknownClass.selector, unknown));
        vm.prank(alice);
        bridge.retire(unknown, 1, Retirements.simple(BENEFICIARY, REASON));
    }

    function test_retire_rejectsMoreThanTheBalance() public {
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        vm.prank(alice);
        bridge.retire(classId, 10e18 + 1, Retirements.simple(BENEFICIARY, REASON));
        assertEq(bridge.retiredUnsettled(classId), 0);
        (address retiree,,,,) = bridge.certificate(1);
        assertEq(retiree, address(0), "no certificate");
    }

    function test_retire_worksWhilePaused() public {
        vm.prank(engine);
        bridge.pause();
        vm.prank(alice);
        assertEq(bridge.retire(classId, 1e18, Retirements.simple(BENEFICIARY, REASON)), 1);
    }

    function test_certificate_ofUnknownIdIsEmpty() public view {
        _assertCertificate(0, address(0), bytes32(0), 0, 0, bytes20(0));
        _assertCertificate(9, address(0), bytes32(0), 0, 0, bytes20(0));
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
        return bridge.retire(classId, amount, Retirements.simple(BENEFICIARY, REASON));
    }

    function _details(string memory beneficiary, string memory reason) internal pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(Retirements.simple(beneficiary, reason))));
    }

    function _retireWith(RetirementDetails memory details) internal returns (uint256) {
        vm.prank(alice);
        return bridge.retire(classId, 1e18, details);
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
        bytes20 detailsHash
    ) internal view {
        (address r, bytes32 c, uint256 a, uint64 t, bytes20 d) = bridge.certificate(id);
        assertEq(r, retiree, "retiree");
        assertEq(c, expectedClassId, "classId");
        assertEq(a, amount, "amount");
        assertEq(t, retiredAt, "retiredAt");
        assertEq(d, detailsHash, "detailsHash");
    }
}
