// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC20} from "solady/tokens/ERC20.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {EligibilityReason, ICarbonPool, PoolRules} from "../../../contracts/interfaces/ICarbonPool.sol";
import {CarbonPool} from "../../../contracts/pool/CarbonPool.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {FakeClassToken} from "./FakeClassToken.sol";
import {PoolFixture} from "./PoolFixture.sol";
import {IRetirementLedger} from "../../../contracts/interfaces/IRetirementLedger.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {Retirements} from "../utils/Retirements.sol";

contract CarbonPoolTest is PoolFixture {
    bytes32 private constant MANAGER_ROLE = keccak256("POOL_MANAGER_ROLE");
    bytes32 private constant PAUSER = keccak256("PAUSER_ROLE");
    bytes32 private constant ADMIN_ROLE = 0x00;

    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    CarbonCreditToken internal vcsToken;
    CarbonCreditToken internal gsToken;
    CarbonCreditToken internal puroToken;
    CarbonCreditToken internal pacmToken;

    function setUp() public override {
        super.setUp();
        vcsToken = mintClass(vcs(), 1000, alice);
        gsToken = mintClass(gs(), 1000, alice);
        puroToken = mintClass(puro(), 1000, alice);
        pacmToken = mintClass(pacm(), 1000, alice);
        mintClass(vcs(), 1000, bob);
        mintClass(gs(), 1000, bob);
    }

    // ================================================================ construction

    function test_constructor_setsTokenRolesFeeRulesAndNoCaps() public view {
        assertEq(pool.POOL_MANAGER_ROLE(), MANAGER_ROLE);
        assertEq(pool.PAUSER_ROLE(), PAUSER);
        assertEq(pool.name(), "Nature Carbon Tonne");
        assertEq(pool.symbol(), "NCT");
        assertEq(pool.decimals(), 18);
        assertEq(pool.bridge(), address(bridge));
        assertEq(pool.feeBps(), FEE_BPS);
        assertEq(pool.feeRecipient(), feeTo);
        assertEq(pool.rulesVersion(), 1);
        assertEq(pool.supplyCap(), type(uint128).max);
        assertEq(pool.defaultClassCap(), type(uint128).max);
        assertEq(pool.MAX_FEE_BPS(), 1000);
        assertFalse(pool.paused());
        assertTrue(pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(pool.hasRole(pool.POOL_MANAGER_ROLE(), admin));
        assertTrue(pool.hasRole(pool.PAUSER_ROLE(), admin));
        assertEq(pool.totalSupply(), 0);
        assertEq(pool.classCount(), 0);
    }

    function test_constructor_refusesZeroAddressesAndHighFee() public {
        vm.expectRevert(ICarbonPool.PoolZeroAdmin.selector);
        new CarbonPool("P", "P", address(0), feeTo, 0, openRules(), address(bridge));
        vm.expectRevert(ICarbonPool.PoolZeroFeeRecipient.selector);
        new CarbonPool("P", "P", admin, address(0), 0, openRules(), address(bridge));
        vm.expectRevert(ICarbonPool.PoolZeroBridge.selector);
        new CarbonPool("P", "P", admin, feeTo, 0, openRules(), address(0));
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolFeeTooHigh.selector, uint16(1001), uint16(1000)));
        new CarbonPool("P", "P", admin, feeTo, 1001, openRules(), address(bridge));
    }

    // ================================================================ rules, one by one

    function test_rule_programs_refusesOtherPrograms() public {
        PoolRules memory r = openRules();
        r.programs = list("GS", "PURO");
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.ProgramNotAllowed);
    }

    function test_rule_methodologies_refusesUnlistedMethodologies() public {
        PoolRules memory r = openRules();
        r.methodologies = list("AMS-I.D.");
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.MethodologyNotAllowed);
    }

    function test_rule_deniedMethodologies_refusesListedMethodologies() public {
        PoolRules memory r = openRules();
        r.deniedMethodologies = list("VM0015", "XYZ-1");
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.MethodologyDenied);
    }

    function test_rule_minVintage_refusesOlderVintagesAndAcceptsTheBoundary() public {
        PoolRules memory r = openRules();
        r.minVintageStart = 20210101; // gs starts exactly then
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.VintageTooOld);
    }

    function test_rule_hostCountries_refusesOtherCountries() public {
        PoolRules memory r = openRules();
        r.hostCountries = list("IN", "FI");
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.HostCountryNotAllowed);
    }

    function test_rule_ccpApproved_refusesClassesWithoutTheLabel() public {
        PoolRules memory r = openRules();
        r.requiredLabels = CCP;
        _assertRuleRefuses(r, gsToken, vcsToken, EligibilityReason.NotCcpApproved);
    }

    function test_rule_corsiaEligible_refusesClassesWithoutTheLabel() public {
        PoolRules memory r = openRules();
        r.requiredLabels = CORSIA;
        _assertRuleRefuses(r, puroToken, gsToken, EligibilityReason.NotCorsiaEligible);
    }

    function test_rule_removalsOnly_refusesAvoidance() public {
        PoolRules memory r = openRules();
        r.requiredLabels = REMOVAL;
        _assertRuleRefuses(r, vcsToken, puroToken, EligibilityReason.NotRemoval);
    }

    function test_rule_article6_refusesUnauthorizedClasses() public {
        PoolRules memory r = openRules();
        r.requiredLabels = ARTICLE6;
        _assertRuleRefuses(r, gsToken, pacmToken, EligibilityReason.NotArticle6Authorized);
    }

    function test_rule_correspondingAdjustment_refusesClassesWithoutACompletedOne() public {
        PoolRules memory r = openRules();
        r.requireCorrespondingAdjustment = true;
        _assertRuleRefuses(r, vcsToken, gsToken, EligibilityReason.NoCorrespondingAdjustment);
        // "not started" is not "completed" either
        _assertRefused(puroToken, EligibilityReason.NoCorrespondingAdjustment);
    }

    function test_rule_allLabelsRequired_areAllChecked() public {
        PoolRules memory r = openRules();
        r.requiredLabels = CCP | CORSIA | ARTICLE6;
        _assertRuleRefuses(r, vcsToken, pacmToken, EligibilityReason.NotArticle6Authorized);
        _assertRefused(puroToken, EligibilityReason.NotCorsiaEligible);
    }

    function test_rule_aClassFailingSeveralRules_reportsTheFirstInOrder() public {
        PoolRules memory r = openRules();
        r.programs = list("GS");
        r.minVintageStart = 20300101;
        r.requiredLabels = REMOVAL;
        setRulesAs(r);
        _assertRefused(vcsToken, EligibilityReason.ProgramNotAllowed);
        _assertRefused(gsToken, EligibilityReason.VintageTooOld);
    }

    function test_rule_emptyMethodology_canBeListed() public {
        CreditClass memory c = gs();
        c.projectId = "GS9999";
        c.methodology = "";
        CarbonCreditToken blank = mintClass(c, 10, alice);
        PoolRules memory r = openRules();
        r.methodologies = list("");
        _assertRuleRefuses(r, gsToken, blank, EligibilityReason.MethodologyNotAllowed);
    }

    function test_rule_combinedRules_acceptOnlyWhatMeetsThemAll() public {
        PoolRules memory r = openRules();
        r.programs = list("GS", "PACM");
        r.hostCountries = list("GH", "IN");
        r.minVintageStart = 20200101;
        r.requiredLabels = CORSIA;
        r.requireCorrespondingAdjustment = true;
        setRulesAs(r);
        _assertAccepted(gsToken);
        _assertAccepted(pacmToken);
        _assertRefused(vcsToken, EligibilityReason.ProgramNotAllowed);
        _assertRefused(puroToken, EligibilityReason.ProgramNotAllowed);
    }

    // ================================================================ rule management

    function test_setRules_bumpsTheVersionStoresAndEmits() public {
        PoolRules memory r = openRules();
        r.programs = list("VCS", "GS");
        r.methodologies = list("VM0015");
        r.deniedMethodologies = list("VM0001");
        r.hostCountries = list("ID");
        r.minVintageStart = 20160101;
        r.requiredLabels = CCP | CORSIA;
        r.requireCorrespondingAdjustment = true;
        vm.expectEmit(address(pool));
        emit ICarbonPool.RulesChanged(2, r);
        setRulesAs(r);
        assertEq(pool.rulesVersion(), 2);
        PoolRules memory got = pool.rules();
        assertEq(keccak256(abi.encode(got)), keccak256(abi.encode(r)));
    }

    function test_setRules_replacesEveryOldSetMember() public {
        PoolRules memory r = openRules();
        r.programs = list("VCS");
        setRulesAs(r);
        _assertAccepted(vcsToken);
        r.programs = list("GS");
        setRulesAs(r);
        _assertRefused(vcsToken, EligibilityReason.ProgramNotAllowed);
        _assertAccepted(gsToken);
        // re-listing a value in a later version is not a duplicate
        r.programs = list("GS", "VCS");
        setRulesAs(r);
        _assertAccepted(vcsToken);
    }

    function test_setRules_refusesDuplicates() public {
        PoolRules memory r = openRules();
        r.hostCountries = list("IN", "IN");
        vm.prank(manager);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolDuplicateRuleEntry.selector, "IN"));
        pool.setRules(r);
    }

    function test_setRules_refusesABadMinVintageAndUnknownLabels() public {
        PoolRules memory r = openRules();
        r.minVintageStart = 2019;
        vm.prank(manager);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolInvalidMinVintage.selector, uint32(2019)));
        pool.setRules(r);
        r.minVintageStart = 0;
        r.requiredLabels = 16;
        vm.prank(manager);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolInvalidLabels.selector, uint8(16)));
        pool.setRules(r);
    }

    function test_setRules_needsTheManagerRole() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, MANAGER_ROLE)
        );
        pool.setRules(openRules());
    }

    // ================================================================ genuine bridge tokens only

    function test_fakeToken_claimingTheBridgeAndARealClass_isRefused() public {
        FakeClassToken fake = new FakeClassToken(address(bridge), classIdOf(vcs()), vcs());
        fake.mint(alice, 100 * TONNE);
        (bool eligible, EligibilityReason reason) = pool.isEligible(address(fake));
        assertFalse(eligible);
        assertEq(uint8(reason), uint8(EligibilityReason.NotBridgeToken));
        vm.startPrank(alice);
        fake.approve(address(pool), 100 * TONNE);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolNotBridgeToken.selector, address(fake)));
        pool.deposit(address(fake), 100 * TONNE);
        vm.stopPrank();
    }

    function test_fakeToken_claimingAnUnbridgedClass_isRefused() public {
        CreditClass memory c = puro();
        c.projectId = "NEVER-BRIDGED";
        FakeClassToken fake = new FakeClassToken(address(bridge), classIdOf(c), c);
        _assertNotBridgeToken(address(fake));
    }

    function test_tokenOfAnotherBridge_isRefused() public {
        CarbonBridgeHarness ours = bridge;
        bridge = new CarbonBridgeHarness(admin, engine, verifierAddrs, DEFAULT_THRESHOLD, UNCAPPED, CAP_PERIOD);
        CarbonCreditToken foreign = mintClass(vcs(), 10, alice);
        bridge = ours;
        assertTrue(address(foreign) != address(vcsToken));
        _assertNotBridgeToken(address(foreign));
    }

    function test_nonTokens_areRefused() public {
        _assertNotBridgeToken(address(0));
        _assertNotBridgeToken(alice);
        _assertNotBridgeToken(address(pool));
        _assertNotBridgeToken(address(bridge));
    }

    // ================================================================ deposit

    function test_deposit_mintsPoolTokensOneToOne() public {
        vm.startPrank(alice);
        vcsToken.approve(address(pool), 250 * TONNE);
        vm.expectEmit(address(pool));
        emit ERC20.Transfer(address(0), alice, 250 * TONNE);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Deposited(alice, address(vcsToken), 250 * TONNE);
        pool.deposit(address(vcsToken), 250 * TONNE);
        vm.stopPrank();

        assertEq(pool.balanceOf(alice), 250 * TONNE);
        assertEq(pool.totalSupply(), 250 * TONNE);
        assertEq(vcsToken.balanceOf(address(pool)), 250 * TONNE);
        assertEq(vcsToken.balanceOf(alice), 750 * TONNE);
        assertEq(pool.classBalance(address(vcsToken)), 250 * TONNE);
        (address[] memory tokens, uint256[] memory amounts) = pool.composition();
        assertEq(tokens.length, 1);
        assertEq(tokens[0], address(vcsToken));
        assertEq(amounts[0], 250 * TONNE);
    }

    function test_deposit_ofFractions_andSeveralClasses_keepsSupplyEqualToHoldings() public {
        depositAs(alice, vcsToken, 1.5e18);
        depositAs(alice, gsToken, 3);
        depositAs(bob, vcsToken, 0.25e18);
        assertEq(pool.classCount(), 2);
        assertEq(pool.classAt(0), address(vcsToken));
        assertEq(pool.classAt(1), address(gsToken));
        assertEq(pool.classBalance(address(vcsToken)), 1.75e18);
        assertEq(pool.totalSupply(), 1.75e18 + 3);
        assertEq(sumHoldings(), pool.totalSupply());
    }

    function test_deposit_refusesZero() public {
        vm.prank(alice);
        vm.expectRevert(ICarbonPool.PoolZeroAmount.selector);
        pool.deposit(address(vcsToken), 0);
    }

    function test_deposit_withoutAllowance_reverts() public {
        vm.prank(alice);
        vm.expectRevert(); // solady SafeTransferLib.TransferFromFailed
        pool.deposit(address(vcsToken), 1);
        assertEq(pool.totalSupply(), 0);
    }

    // ================================================================ deposit with permit

    function test_depositWithPermit_depositsInOneCall() public {
        (address trader, uint256 key) = makeAddrAndKey("trader");
        mintClass(vcs(), 10, trader);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(vcsToken, key, trader, address(pool), 4 * TONNE, deadline);
        vm.prank(trader);
        pool.depositWithPermit(address(vcsToken), 4 * TONNE, deadline, v, r, s);
        assertEq(pool.balanceOf(trader), 4 * TONNE);
        assertEq(vcsToken.balanceOf(address(pool)), 4 * TONNE);
        assertEq(vcsToken.allowance(trader, address(pool)), 0);
    }

    function test_depositWithPermit_survivesAFrontRunPermit() public {
        (address trader, uint256 key) = makeAddrAndKey("trader");
        mintClass(vcs(), 10, trader);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(vcsToken, key, trader, address(pool), 4 * TONNE, deadline);
        vcsToken.permit(trader, address(pool), 4 * TONNE, deadline, v, r, s); // someone copies it from the mempool
        vm.prank(trader);
        pool.depositWithPermit(address(vcsToken), 4 * TONNE, deadline, v, r, s);
        assertEq(pool.balanceOf(trader), 4 * TONNE);
    }

    function test_depositWithPermit_withABadPermitAndNoAllowance_reraisesThePermitError() public {
        (address trader,) = makeAddrAndKey("trader");
        mintClass(vcs(), 10, trader);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(vcsToken, 0xBAD, trader, address(pool), 4 * TONNE, deadline);
        vm.prank(trader);
        vm.expectRevert(ERC20.InvalidPermit.selector);
        pool.depositWithPermit(address(vcsToken), 4 * TONNE, deadline, v, r, s);
    }

    function test_depositWithPermit_ofANonToken_isRefusedClearly() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolNotBridgeToken.selector, bob));
        pool.depositWithPermit(bob, 1, block.timestamp, 27, bytes32(0), bytes32(0));
    }

    function test_poolToken_permit_usesItsOwnDomain() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        bytes32 expectedDomain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Nature Carbon Tonne"),
                keccak256("1"),
                block.chainid,
                address(pool)
            )
        );
        assertEq(pool.DOMAIN_SEPARATOR(), expectedDomain);
        uint256 deadline = block.timestamp + 1;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01", expectedDomain, keccak256(abi.encode(PERMIT_TYPEHASH, holder, bob, 5, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        pool.permit(holder, bob, 5, deadline, v, r, s);
        assertEq(pool.allowance(holder, bob), 5);
        assertEq(pool.nonces(holder), 1);
    }

    // ================================================================ redeem and fees

    function test_redeem_sendsClassTokensLessTheFeeAndPaysTheFeeInPoolTokens() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(alice);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Redeemed(alice, address(vcsToken), 40 * TONNE, 0.4e18);
        uint256 received = pool.redeem(address(vcsToken), 40 * TONNE);
        assertEq(received, 39.6e18);
        assertEq(vcsToken.balanceOf(alice), 900 * TONNE + 39.6e18);
        assertEq(pool.balanceOf(alice), 60 * TONNE);
        assertEq(pool.balanceOf(feeTo), 0.4e18);
        assertEq(pool.totalSupply(), 60.4e18);
        assertEq(pool.classBalance(address(vcsToken)), 60.4e18);
        assertEq(vcsToken.balanceOf(address(pool)), 60.4e18);
    }

    function testFuzz_redeem_feeMathAndSupplyEqualsHoldings(uint256 depositAmount, uint256 amount, uint16 bps) public {
        bps = uint16(bound(bps, 0, 1000));
        depositAmount = bound(depositAmount, 1, 1000 * TONNE);
        amount = bound(amount, 1, depositAmount);
        vm.prank(manager);
        pool.setFee(bps);
        depositAs(alice, vcsToken, depositAmount);

        (uint256 previewReceived, uint256 previewFee) = pool.previewRedeem(amount);
        vm.prank(alice);
        uint256 received = pool.redeem(address(vcsToken), amount);

        uint256 fee = amount * bps / 10_000;
        assertEq(received, amount - fee);
        assertEq(previewReceived, received);
        assertEq(previewFee, fee);
        assertGe(received, 1);
        assertEq(pool.balanceOf(feeTo), fee);
        assertEq(pool.balanceOf(alice), depositAmount - amount);
        assertEq(pool.totalSupply(), depositAmount - received);
        assertEq(pool.totalSupply(), sumHoldings());
        assertEq(vcsToken.balanceOf(address(pool)), pool.totalSupply());
    }

    function testFuzz_previewRedeem_neverOverflows(uint256 amount, uint16 bps) public {
        bps = uint16(bound(bps, 0, 1000));
        vm.prank(manager);
        pool.setFee(bps);
        (uint256 received, uint256 fee) = pool.previewRedeem(amount);
        assertEq(received + fee, amount);
        assertLe(fee, amount / 10);
    }

    function test_redeem_withZeroFee_movesNothingToTheFeeRecipient() public {
        vm.prank(manager);
        pool.setFee(0);
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.recordLogs();
        vm.prank(alice);
        assertEq(pool.redeem(address(vcsToken), 10 * TONNE), 10 * TONNE);
        assertEq(vm.getRecordedLogs().length, 3); // pool burn, Redeemed, class transfer
        assertEq(pool.balanceOf(feeTo), 0);
        assertEq(pool.totalSupply(), 0);
    }

    function test_redeem_byTheFeeRecipient_works() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(alice);
        pool.redeem(address(vcsToken), 100 * TONNE);
        assertEq(pool.balanceOf(feeTo), 1 * TONNE);
        vm.prank(feeTo);
        pool.redeem(address(vcsToken), 1 * TONNE);
        assertEq(pool.balanceOf(feeTo), 0.01e18);
        assertEq(vcsToken.balanceOf(feeTo), 0.99e18);
        assertEq(pool.totalSupply(), sumHoldings());
    }

    function test_redeem_moreThanThePoolHolds_reverts() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        depositAs(alice, gsToken, 100 * TONNE);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolInsufficientClassBalance.selector, address(vcsToken), 10 * TONNE, 19.8e18
            )
        );
        pool.redeem(address(vcsToken), 20 * TONNE);
    }

    function test_redeem_ofAClassNeverDeposited_reverts() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICarbonPool.PoolInsufficientClassBalance.selector, address(gsToken), 0, 0.99e18)
        );
        pool.redeem(address(gsToken), 1 * TONNE);
    }

    function test_redeem_withoutPoolTokens_reverts() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(bob);
        vm.expectRevert(ERC20.InsufficientBalance.selector);
        pool.redeem(address(vcsToken), 1 * TONNE);
    }

    function test_redeem_refusesZero() public {
        vm.expectRevert(ICarbonPool.PoolZeroAmount.selector);
        pool.redeem(address(vcsToken), 0);
    }

    function test_redeem_emptyingAClass_dropsItFromTheComposition() public {
        vm.prank(manager);
        pool.setFee(0);
        depositAs(alice, vcsToken, 1 * TONNE);
        depositAs(alice, gsToken, 2 * TONNE);
        depositAs(alice, puroToken, 3 * TONNE);
        vm.prank(alice);
        pool.redeem(address(vcsToken), 1 * TONNE);
        (address[] memory tokens, uint256[] memory amounts) = pool.composition();
        assertEq(tokens.length, 2);
        assertEq(tokens[0], address(puroToken)); // the last moved into the emptied place
        assertEq(amounts[0], 3 * TONNE);
        assertEq(tokens[1], address(gsToken));
        vm.startPrank(alice);
        pool.redeem(address(gsToken), 2 * TONNE);
        pool.redeem(address(puroToken), 3 * TONNE);
        vm.stopPrank();
        assertEq(pool.classCount(), 0);
        // and a class can come back
        depositAs(alice, gsToken, 1);
        assertEq(pool.classAt(0), address(gsToken));
    }

    // ================================================================ fee management

    function test_setFee_isCappedAndNeedsTheManagerRole() public {
        vm.prank(manager);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolFeeTooHigh.selector, uint16(1001), uint16(1000)));
        pool.setFee(1001);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, MANAGER_ROLE)
        );
        pool.setFee(5);
        vm.prank(manager);
        vm.expectEmit(address(pool));
        emit ICarbonPool.FeeChanged(1000);
        pool.setFee(1000);
        assertEq(pool.feeBps(), 1000);
    }

    function test_setFeeRecipient_needsTheAdminAndANonZeroAddress() public {
        vm.prank(manager);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, manager, ADMIN_ROLE)
        );
        pool.setFeeRecipient(bob);
        vm.prank(admin);
        vm.expectRevert(ICarbonPool.PoolZeroFeeRecipient.selector);
        pool.setFeeRecipient(address(0));
        vm.prank(admin);
        vm.expectEmit(address(pool));
        emit ICarbonPool.FeeRecipientChanged(bob);
        pool.setFeeRecipient(bob);
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(alice);
        pool.redeem(address(vcsToken), 10 * TONNE);
        assertEq(pool.balanceOf(bob), 0.1e18);
    }

    // ================================================================ swap

    function test_swap_depositsOneClassAndRedeemsAnother() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.startPrank(bob);
        gsToken.approve(address(pool), 10 * TONNE);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Swapped(bob, address(gsToken), address(vcsToken), 10 * TONNE, 0.1e18);
        uint256 received = pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        vm.stopPrank();
        assertEq(received, 9.9e18);
        assertEq(vcsToken.balanceOf(bob), 1000 * TONNE + 9.9e18);
        assertEq(gsToken.balanceOf(bob), 990 * TONNE);
        assertEq(pool.balanceOf(bob), 0);
        assertEq(pool.balanceOf(feeTo), 0.1e18);
        assertEq(pool.classBalance(address(vcsToken)), 90.1e18);
        assertEq(pool.classBalance(address(gsToken)), 10 * TONNE);
        assertEq(pool.totalSupply(), 100.1e18);
        assertEq(pool.totalSupply(), sumHoldings());
    }

    function testFuzz_swap_keepsSupplyEqualToHoldings(uint256 amount, uint16 bps) public {
        bps = uint16(bound(bps, 0, 1000));
        amount = bound(amount, 1, 100 * TONNE);
        vm.prank(manager);
        pool.setFee(bps);
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.startPrank(bob);
        gsToken.approve(address(pool), amount);
        uint256 received = pool.swap(address(gsToken), address(vcsToken), amount);
        vm.stopPrank();
        uint256 fee = amount * bps / 10_000;
        assertEq(received, amount - fee);
        assertEq(pool.balanceOf(feeTo), fee);
        assertEq(pool.totalSupply(), 100 * TONNE + fee);
        assertEq(pool.totalSupply(), sumHoldings());
        assertEq(gsToken.balanceOf(address(pool)) + vcsToken.balanceOf(address(pool)), pool.totalSupply());
    }

    function test_swap_ofTheSameClass_reverts() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolSameClass.selector, address(vcsToken)));
        pool.swap(address(vcsToken), address(vcsToken), 1 * TONNE);
    }

    function test_swap_refusesZero() public {
        vm.expectRevert(ICarbonPool.PoolZeroAmount.selector);
        pool.swap(address(vcsToken), address(gsToken), 0);
    }

    function test_swap_intoAClassThePoolLacks_reverts() public {
        depositAs(alice, vcsToken, 1 * TONNE);
        vm.startPrank(bob);
        gsToken.approve(address(pool), 10 * TONNE);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolInsufficientClassBalance.selector, address(vcsToken), 1 * TONNE, 9.9e18
            )
        );
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        vm.stopPrank();
    }

    function test_swap_withAnIneligibleOrFakeClassIn_reverts() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        PoolRules memory r = openRules();
        r.programs = list("VCS");
        setRulesAs(r);
        vm.startPrank(bob);
        gsToken.approve(address(pool), 10 * TONNE);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolClassNotEligible.selector, address(gsToken), EligibilityReason.ProgramNotAllowed
            )
        );
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        FakeClassToken fake = new FakeClassToken(address(bridge), classIdOf(vcs()), vcs());
        fake.mint(bob, 10 * TONNE);
        fake.approve(address(pool), 10 * TONNE);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolNotBridgeToken.selector, address(fake)));
        pool.swap(address(fake), address(vcsToken), 10 * TONNE);
        vm.stopPrank();
    }

    // ================================================================ redeem and retire

    function test_redeemAndRetire_retiresThroughTheBridgeLessTheFee() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        uint256 classSupply = vcsToken.totalSupply();
        vm.prank(alice);
        vm.expectEmit(address(pool));
        emit ICarbonPool.RedeemedAndRetired(alice, address(vcsToken), 1, 10 * TONNE, 0.1e18);
        uint256 certificateId =
            pool.redeemAndRetire(address(vcsToken), 10 * TONNE, Retirements.simple("Acme Corp", "2025 offsets"));
        assertEq(certificateId, 1);
        (address retiree, bytes32 classId, uint256 retired,,) = IRetirementLedger(address(bridge)).certificate(1);
        assertEq(retiree, address(pool));
        assertEq(classId, classIdOf(vcs()));
        assertEq(retired, 9.9e18);
        assertEq(vcsToken.totalSupply(), classSupply - 9.9e18);
        assertEq(vcsToken.balanceOf(address(pool)), 90.1e18);
        assertEq(pool.classBalance(address(vcsToken)), 90.1e18);
        assertEq(pool.balanceOf(alice), 90 * TONNE);
        assertEq(pool.balanceOf(feeTo), 0.1e18);
        assertEq(pool.totalSupply(), sumHoldings());
    }

    function test_redeemAndRetire_ofFractions_andWhilePaused_works() public {
        depositAs(alice, vcsToken, 1 * TONNE);
        vm.prank(admin);
        pool.pause();
        vm.prank(alice);
        pool.redeemAndRetire(address(vcsToken), 0.3e18, Retirements.simple("Alice", "flight"));
        (,, uint256 retired,,) = IRetirementLedger(address(bridge)).certificate(1);
        assertEq(retired, 0.297e18);
        assertEq(pool.totalSupply(), sumHoldings());
    }

    function test_redeemAndRetire_checksAsRedeemDoes() public {
        vm.expectRevert(ICarbonPool.PoolZeroAmount.selector);
        pool.redeemAndRetire(address(vcsToken), 0, Retirements.simple("", ""));
        depositAs(alice, vcsToken, 1 * TONNE);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICarbonPool.PoolInsufficientClassBalance.selector, address(gsToken), 0, 0.99e18)
        );
        pool.redeemAndRetire(address(gsToken), 1 * TONNE, Retirements.simple("", ""));
    }

    function test_redeemAndRetire_refusedByTheBridge_changesNothing() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(alice);
        vm.expectRevert(IRetirementLedger.BridgeInvalidBeneficiary.selector); // the bridge wants a beneficiary
        pool.redeemAndRetire(address(vcsToken), 1 * TONNE, Retirements.simple("", "no beneficiary"));
        assertEq(pool.balanceOf(alice), 10 * TONNE);
        assertEq(pool.balanceOf(feeTo), 0);
        assertEq(pool.classBalance(address(vcsToken)), 10 * TONNE);
        assertEq(vcsToken.balanceOf(address(pool)), 10 * TONNE);
    }

    // ================================================================ tightening never traps deposits

    function test_tightenedRules_keepHeldClassesRedeemableButRefuseNewDeposits() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        depositAs(alice, gsToken, 100 * TONNE);
        PoolRules memory r = openRules();
        r.requiredLabels = REMOVAL; // neither vcs nor gs qualifies any more
        setRulesAs(r);

        _assertRefused(vcsToken, EligibilityReason.NotRemoval);
        // redeem works for held classes
        vm.startPrank(alice);
        assertEq(pool.redeem(address(vcsToken), 10 * TONNE), 9.9e18);
        pool.redeemAndRetire(address(vcsToken), 10 * TONNE, Retirements.simple("x", "y"));
        // swapping out of a held class works when the class in qualifies
        puroToken.approve(address(pool), 5 * TONNE);
        pool.swap(address(puroToken), address(gsToken), 5 * TONNE);
        // swapping in a class that no longer qualifies does not
        vcsToken.approve(address(pool), 5 * TONNE);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolClassNotEligible.selector, address(vcsToken), EligibilityReason.NotRemoval
            )
        );
        pool.swap(address(vcsToken), address(puroToken), 5 * TONNE);
        // everything can still leave
        pool.redeem(address(gsToken), pool.classBalance(address(gsToken)) * 10_000 / 9_900);
        vm.stopPrank();
        assertEq(pool.classBalance(address(gsToken)), 0);
        assertEq(pool.totalSupply(), sumHoldings());
    }

    function test_loosenedRules_letARefusedClassBackIn() public {
        PoolRules memory r = openRules();
        r.programs = list("GS");
        setRulesAs(r);
        _assertRefused(vcsToken, EligibilityReason.ProgramNotAllowed);
        setRulesAs(openRules());
        _assertAccepted(vcsToken);
    }

    function test_eligibilityCache_isInvalidatedByAnyRuleChange() public {
        depositAs(alice, vcsToken, 1 * TONNE); // cached as eligible under version 1
        (bool eligible,) = pool.isEligible(address(vcsToken));
        assertTrue(eligible);
        PoolRules memory r = openRules();
        r.minVintageStart = 20200101;
        setRulesAs(r);
        _assertRefused(vcsToken, EligibilityReason.VintageTooOld);
    }

    // ================================================================ caps

    function test_defaultClassCap_limitsEachClass() public {
        vm.prank(manager);
        vm.expectEmit(address(pool));
        emit ICarbonPool.DefaultClassCapChanged(100e18);
        pool.setDefaultClassCap(100e18);
        depositAs(alice, vcsToken, 100 * TONNE);
        depositAs(alice, gsToken, 100 * TONNE);
        vm.startPrank(alice);
        vcsToken.approve(address(pool), 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolClassCapExceeded.selector, address(vcsToken), 100e18, 100 * TONNE + 1
            )
        );
        pool.deposit(address(vcsToken), 1);
        vm.stopPrank();
    }

    function test_classCap_overridesTheDefaultUntilCleared() public {
        vm.startPrank(manager);
        pool.setDefaultClassCap(100e18);
        vm.expectEmit(address(pool));
        emit ICarbonPool.ClassCapChanged(address(vcsToken), 500e18);
        pool.setClassCap(address(vcsToken), 500e18);
        vm.stopPrank();
        assertEq(pool.classCap(address(vcsToken)), 500e18);
        assertEq(pool.classCap(address(gsToken)), 100e18);
        depositAs(alice, vcsToken, 500 * TONNE);

        vm.prank(manager);
        vm.expectEmit(address(pool));
        emit ICarbonPool.ClassCapCleared(address(vcsToken));
        pool.clearClassCap(address(vcsToken));
        assertEq(pool.classCap(address(vcsToken)), 100e18);
        vm.startPrank(alice);
        vcsToken.approve(address(pool), 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolClassCapExceeded.selector, address(vcsToken), 100e18, 500 * TONNE + 1
            )
        );
        pool.deposit(address(vcsToken), 1);
        // above the cap, redemptions still work
        pool.redeem(address(vcsToken), 450 * TONNE);
        vm.stopPrank();
    }

    function test_classCap_ofZero_freezesDepositsOfThatClass() public {
        vm.prank(manager);
        pool.setClassCap(address(gsToken), 0);
        vm.startPrank(alice);
        gsToken.approve(address(pool), 1);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolClassCapExceeded.selector, address(gsToken), 0, 1));
        pool.deposit(address(gsToken), 1);
        vm.stopPrank();
    }

    function test_supplyCap_limitsTheSupply() public {
        vm.prank(manager);
        vm.expectEmit(address(pool));
        emit ICarbonPool.SupplyCapChanged(150e18);
        pool.setSupplyCap(150e18);
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.startPrank(alice);
        gsToken.approve(address(pool), 60 * TONNE);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolSupplyCapExceeded.selector, 150e18, 160e18));
        pool.deposit(address(gsToken), 60 * TONNE);
        pool.deposit(address(gsToken), 50 * TONNE);
        vm.stopPrank();
        assertEq(pool.totalSupply(), 150e18);
    }

    function test_supplyCap_atTheCap_refusesSwapsWithAFeeButNotWithout() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(manager);
        pool.setSupplyCap(100e18);
        vm.startPrank(bob);
        gsToken.approve(address(pool), 20 * TONNE);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolSupplyCapExceeded.selector, 100e18, 100.1e18));
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        vm.stopPrank();
        vm.prank(manager);
        pool.setFee(0);
        vm.prank(bob);
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        assertEq(pool.totalSupply(), 100e18);
    }

    function test_swap_respectsTheCapOfTheClassIn() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(manager);
        pool.setClassCap(address(gsToken), 5e18);
        vm.startPrank(bob);
        gsToken.approve(address(pool), 10 * TONNE);
        vm.expectRevert(
            abi.encodeWithSelector(ICarbonPool.PoolClassCapExceeded.selector, address(gsToken), 5e18, 10e18)
        );
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        vm.stopPrank();
    }

    function test_absurdAmounts_revertWithACapErrorNotAPanic() public {
        vm.prank(manager);
        pool.setDefaultClassCap(1e30);
        depositAs(alice, vcsToken, 1);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICarbonPool.PoolClassCapExceeded.selector, address(vcsToken), 1e30, type(uint256).max
            )
        );
        pool.deposit(address(vcsToken), type(uint256).max);
    }

    function test_capSetters_needTheManagerRole() public {
        bytes memory denied =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, MANAGER_ROLE);
        vm.startPrank(alice);
        vm.expectRevert(denied);
        pool.setSupplyCap(1);
        vm.expectRevert(denied);
        pool.setDefaultClassCap(1);
        vm.expectRevert(denied);
        pool.setClassCap(address(vcsToken), 1);
        vm.expectRevert(denied);
        pool.clearClassCap(address(vcsToken));
        vm.stopPrank();
    }

    // ================================================================ pause

    function test_pause_stopsDepositsAndSwapsOnly() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(admin);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Paused(admin);
        pool.pause();
        assertTrue(pool.paused());

        vm.startPrank(alice);
        gsToken.approve(address(pool), 10 * TONNE);
        vm.expectRevert(ICarbonPool.PoolPaused.selector);
        pool.deposit(address(gsToken), 10 * TONNE);
        vm.expectRevert(ICarbonPool.PoolPaused.selector);
        pool.depositWithPermit(address(gsToken), 10 * TONNE, block.timestamp, 0, 0, 0);
        vm.expectRevert(ICarbonPool.PoolPaused.selector);
        pool.swap(address(gsToken), address(vcsToken), 10 * TONNE);
        // redemptions and pool-token transfers go on
        pool.redeem(address(vcsToken), 10 * TONNE);
        pool.redeemAndRetire(address(vcsToken), 10 * TONNE, Retirements.simple("b", "r"));
        assertTrue(pool.transfer(bob, 1 * TONNE));
        vm.stopPrank();

        vm.prank(admin);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Unpaused(admin);
        pool.unpause();
        vm.prank(alice);
        pool.deposit(address(gsToken), 10 * TONNE);
    }

    function test_pause_needsThePauserRoleAndTheRightState() public {
        vm.prank(manager);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, manager, PAUSER)
        );
        pool.pause();
        vm.startPrank(admin);
        vm.expectRevert(ICarbonPool.PoolNotPaused.selector);
        pool.unpause();
        pool.pause();
        vm.expectRevert(ICarbonPool.PoolPaused.selector);
        pool.pause();
        vm.stopPrank();
    }

    // ================================================================ skim

    function test_skim_sendsOnlyWhatThePoolDoesNotAccountFor() public {
        depositAs(alice, vcsToken, 100 * TONNE);
        vm.prank(alice);
        assertTrue(vcsToken.transfer(address(pool), 7 * TONNE)); // a donation, or a mistake
        assertEq(pool.classBalance(address(vcsToken)), 100 * TONNE);
        address treasury = makeAddr("treasury");
        vm.prank(admin);
        vm.expectEmit(address(pool));
        emit ICarbonPool.Skimmed(address(vcsToken), treasury, 7 * TONNE);
        assertEq(pool.skim(address(vcsToken), treasury), 7 * TONNE);
        assertEq(vcsToken.balanceOf(treasury), 7 * TONNE);
        assertEq(vcsToken.balanceOf(address(pool)), 100 * TONNE);
        assertEq(pool.totalSupply(), sumHoldings());

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolNothingToSkim.selector, address(vcsToken)));
        pool.skim(address(vcsToken), treasury);
    }

    function test_skim_recoversPoolTokensSentToThePool() public {
        depositAs(alice, vcsToken, 10 * TONNE);
        vm.prank(alice);
        assertTrue(pool.transfer(address(pool), 1 * TONNE));
        vm.prank(admin);
        pool.skim(address(pool), alice);
        assertEq(pool.balanceOf(alice), 10 * TONNE);
    }

    function test_skim_needsTheAdminAndARecipient() public {
        vm.prank(manager);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, manager, ADMIN_ROLE)
        );
        pool.skim(address(vcsToken), manager);
        vm.prank(admin);
        vm.expectRevert(ICarbonPool.PoolZeroRecipient.selector);
        pool.skim(address(vcsToken), address(0));
    }

    // ================================================================ helpers

    /// @dev Under `r`, `refused` is refused for `reason` (view and deposit) and `accepted` is accepted.
    function _assertRuleRefuses(
        PoolRules memory r,
        CarbonCreditToken refused,
        CarbonCreditToken accepted,
        EligibilityReason reason
    ) internal {
        setRulesAs(r);
        _assertRefused(refused, reason);
        _assertAccepted(accepted);
    }

    function _assertRefused(CarbonCreditToken token, EligibilityReason reason) internal {
        (bool eligible, EligibilityReason got) = pool.isEligible(address(token));
        assertFalse(eligible, "isEligible");
        assertEq(uint8(got), uint8(reason), "reason");
        uint256 supply = pool.totalSupply();
        vm.startPrank(alice);
        token.approve(address(pool), 1 * TONNE);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolClassNotEligible.selector, address(token), reason));
        pool.deposit(address(token), 1 * TONNE);
        vm.stopPrank();
        assertEq(pool.totalSupply(), supply);
    }

    function _assertAccepted(CarbonCreditToken token) internal {
        (bool eligible, EligibilityReason got) = pool.isEligible(address(token));
        assertTrue(eligible, "isEligible");
        assertEq(uint8(got), uint8(EligibilityReason.Eligible));
        uint256 held = pool.classBalance(address(token));
        depositAs(alice, token, 1 * TONNE);
        assertEq(pool.classBalance(address(token)), held + 1 * TONNE);
    }

    function _assertNotBridgeToken(address token) internal {
        (bool eligible, EligibilityReason reason) = pool.isEligible(token);
        assertFalse(eligible);
        assertEq(uint8(reason), uint8(EligibilityReason.NotBridgeToken));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICarbonPool.PoolNotBridgeToken.selector, token));
        pool.deposit(token, 1);
    }

    function _signPermit(
        CarbonCreditToken token,
        uint256 key,
        address owner_,
        address spender,
        uint256 value,
        uint256 deadline
    ) internal view returns (uint8, bytes32, bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner_, spender, value, token.nonces(owner_), deadline)
        );
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }
}
