// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {Attestation, CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {ICarbonBridge} from "../../../contracts/interfaces/ICarbonBridge.sol";
import {IClassTokenFactory} from "../../../contracts/interfaces/IClassTokenFactory.sol";
import {IVerifierSet} from "../../../contracts/interfaces/IVerifierSet.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract CarbonBridgeTest is BridgeFixture {
    // ---------------------------------------------------------------- construction and roles

    function test_constructor_grantsEveryRoleToAdmin() public view {
        assertTrue(bridge.hasRole(bridge.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(bridge.hasRole(bridge.VERIFIER_MANAGER_ROLE(), admin));
        assertTrue(bridge.hasRole(bridge.PAUSER_ROLE(), admin));
        assertTrue(bridge.hasRole(bridge.SETTLER_ROLE(), admin));
        assertEq(bridge.PAUSER_ROLE(), keccak256("PAUSER_ROLE"));
        assertEq(bridge.SETTLER_ROLE(), keccak256("SETTLER_ROLE"));
        assertEq(bridge.VERIFIER_MANAGER_ROLE(), keccak256("VERIFIER_MANAGER_ROLE"));
    }

    function test_constructor_setsVerifiersAndThreshold() public view {
        assertEq(bridge.verifierCount(), DEFAULT_VERIFIERS);
        assertEq(bridge.threshold(), DEFAULT_THRESHOLD);
        address[] memory listed = bridge.verifiers();
        assertEq(listed.length, DEFAULT_VERIFIERS);
        for (uint256 i; i < DEFAULT_VERIFIERS; ++i) {
            assertTrue(bridge.isVerifier(verifierAddrs[i]));
            assertEq(listed[i], verifierAddrs[i]);
        }
        assertFalse(bridge.isVerifier(alice));
    }

    function test_constructor_rejectsZeroAdmin() public {
        vm.expectRevert(ICarbonBridge.BridgeZeroAdmin.selector);
        new CarbonBridge(address(0), verifierAddrs, 2);
    }

    function test_constructor_rejectsThresholdOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 0, 3));
        new CarbonBridge(admin, verifierAddrs, 0);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 4, 3));
        new CarbonBridge(admin, verifierAddrs, 4);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 1, 0));
        new CarbonBridge(admin, new address[](0), 1);
    }

    function test_constructor_rejectsDuplicateAndZeroVerifiers() public {
        address[] memory dup = new address[](2);
        dup[0] = alice;
        dup[1] = alice;
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeVerifierAlreadyAdded.selector, alice));
        new CarbonBridge(admin, dup, 1);
        address[] memory zero = new address[](1);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidVerifier.selector, address(0)));
        new CarbonBridge(admin, zero, 1);
    }

    // ---------------------------------------------------------------- EIP-712

    function test_eip712Domain_isCarbonBridgeVersion1() public view {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            bridge.eip712Domain();
        assertEq(name, "CarbonBridge");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(bridge));
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("CarbonBridge"),
                keccak256("1"),
                block.chainid,
                address(bridge)
            )
        );
        assertEq(bridge.DOMAIN_SEPARATOR(), expected);
    }

    /// @dev The digest agrees with forge's own EIP-712 implementation fed the JSON typed data that an
    /// off-chain signer (eth_account's encode_typed_data) would build.
    function test_hashAttestation_matchesIndependentTypedDataHash() public {
        Attestation memory a = attest(vcs1477(), 1001, 250, alice);
        string memory json = string.concat(
            '{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},',
            '{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],',
            '"CreditClass":[{"name":"program","type":"string"},{"name":"projectId","type":"string"},',
            '{"name":"vintageStart","type":"uint32"},{"name":"vintageEnd","type":"uint32"},',
            '{"name":"methodology","type":"string"},{"name":"hostCountry","type":"string"},',
            '{"name":"labels","type":"uint8"},{"name":"adjustment","type":"uint8"}],',
            '"Attestation":[{"name":"registry","type":"string"},{"name":"serial","type":"string"},',
            '{"name":"blockStart","type":"uint64"},{"name":"blockEnd","type":"uint64"},{"name":"quantity","type":"uint64"},',
            '{"name":"creditClass","type":"CreditClass"},{"name":"recipient","type":"address"},',
            '{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"}]},'
        );
        json = string.concat(
            json,
            '"primaryType":"Attestation","domain":{"name":"CarbonBridge","version":"1","chainId":',
            vm.toString(block.chainid),
            ',"verifyingContract":"',
            vm.toString(address(bridge)),
            '"},"message":{"registry":"VCS","serial":"',
            a.serial,
            '","blockStart":1001,"blockEnd":1250,"quantity":250,'
        );
        json = string.concat(
            json,
            '"creditClass":{"program":"VCS","projectId":"1477","vintageStart":20190101,"vintageEnd":20191231,',
            '"methodology":"VM0015","hostCountry":"ID","labels":3,"adjustment":1},"recipient":"',
            vm.toString(alice),
            '","nonce":',
            vm.toString(a.nonce),
            ',"deadline":',
            vm.toString(a.deadline),
            "}}"
        );
        assertEq(bridge.hashAttestation(a), vm.eip712HashTypedData(json));
    }

    function test_classIdOfAndClassHashOf_matchSpec() public view {
        CreditClass memory c = vcs1477();
        assertEq(bridge.classIdOf(c), classIdOf(c));
        assertEq(bridge.classHashOf(c), classHashOf(c));
    }

    // ---------------------------------------------------------------- mint: happy paths

    function test_mint_newClass_createsTokenAndMints() public {
        CreditClass memory c = vcs1477();
        Attestation memory a = attest(c, 1001, 250, alice);
        bytes32 classId = classIdOf(c);
        bytes32 expectedKey = batchKeyOf("VCS", a.serial);
        address predicted = bridge.predictClassToken(c);
        assertEq(bridge.classToken(classId), address(0));

        vm.expectEmit(address(bridge));
        emit IClassTokenFactory.ClassCreated(classId, predicted, classHashOf(c), c);
        vm.expectEmit(address(bridge));
        emit ICarbonBridge.BatchBridged(expectedKey, classId, "VCS", a.serial, 250, alice, a.nonce);
        bytes32 batchKey = mintSigned(a);

        assertEq(batchKey, expectedKey);
        assertEq(bridge.classToken(classId), predicted);
        assertEq(bridge.classReserve(classId), 250);
        CarbonCreditToken token = CarbonCreditToken(predicted);
        assertEq(token.balanceOf(alice), 250 * TONNE);
        assertEq(token.totalSupply(), 250 * TONNE);
        assertEq(token.classId(), classId);
        assertEq(token.classHash(), classHashOf(c));
        IBatchLedger.BridgedBatch memory record = bridge.batch(batchKey);
        assertEq(record.token, predicted);
        assertEq(record.remaining, 250);
        assertEq(uint8(record.status), uint8(IBatchLedger.BatchStatus.Active));
        assertTrue(bridge.isNonceUsed(a.nonce));
    }

    function test_mint_existingClass_addsToReserve() public {
        CreditClass memory c = vcs1477();
        mintSigned(attest(c, 1001, 250, alice));
        Attestation memory a = attest(c, 5001, 40, bob);
        bytes32 classId = classIdOf(c);
        address token = bridge.classToken(classId);

        vm.recordLogs();
        bytes32 batchKey = mintSigned(a);
        assertEq(vm.getRecordedLogs().length, 2, "BatchBridged + Transfer only, no ClassCreated");

        assertEq(bridge.classToken(classId), token);
        assertEq(bridge.classReserve(classId), 290);
        assertEq(CarbonCreditToken(token).balanceOf(bob), 40 * TONNE);
        assertEq(CarbonCreditToken(token).totalSupply(), 290 * TONNE);
        assertEq(bridge.batch(batchKey).remaining, 40);
    }

    function test_mint_differentClasses_getDifferentTokens() public {
        mintSigned(attest(vcs1477(), 1, 10, alice));
        mintSigned(attest(gs5000(), 1, 20, alice));
        address a = bridge.classToken(classIdOf(vcs1477()));
        address b = bridge.classToken(classIdOf(gs5000()));
        assertTrue(a != b && a != address(0) && b != address(0));
        assertEq(bridge.classReserve(classIdOf(gs5000())), 20);
    }

    function test_mint_acceptsMoreSignaturesThanThreshold() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bridge.mint(a, sign(a, 3));
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 10);
    }

    function test_mint_isCallableByAnyone() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.prank(makeAddr("relayer"));
        bridge.mint(a, sigs);
        assertEq(CarbonCreditToken(bridge.classToken(classIdOf(vcs1477()))).balanceOf(alice), 10 * TONNE);
    }

    function test_mint_acceptsDeadlineEqualToNow() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        a.deadline = block.timestamp;
        mintSigned(a);
    }

    function test_mint_singleUnitBlockAndFullUint64Range() public {
        mintSigned(attest(vcs1477(), 7, 1, alice));
        Attestation memory a = attest(gs5000(), 1, 1, alice);
        a.blockStart = 0;
        a.blockEnd = type(uint64).max - 1;
        a.quantity = type(uint64).max;
        mintSigned(a);
        assertEq(bridge.classReserve(classIdOf(gs5000())), type(uint64).max);
    }

    function test_mintBatch_mintsEveryAttestationInOrder() public {
        Attestation[] memory atts = new Attestation[](3);
        atts[0] = attest(vcs1477(), 1, 10, alice);
        atts[1] = attest(vcs1477(), 11, 20, bob);
        atts[2] = attest(gs5000(), 1, 5, alice);
        bytes[][] memory sigs = new bytes[][](3);
        for (uint256 i; i < 3; ++i) {
            sigs[i] = sign(atts[i], 2);
        }
        bytes32[] memory keys = bridge.mintBatch(atts, sigs);
        assertEq(keys.length, 3);
        for (uint256 i; i < 3; ++i) {
            assertEq(keys[i], batchKeyOf(atts[i].registry, atts[i].serial));
            assertEq(uint8(bridge.batch(keys[i]).status), uint8(IBatchLedger.BatchStatus.Active));
        }
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 30);
        assertEq(bridge.classReserve(classIdOf(gs5000())), 5);
    }

    function test_mintBatch_isAllOrNothing() public {
        Attestation[] memory atts = new Attestation[](2);
        atts[0] = attest(vcs1477(), 1, 10, alice);
        atts[1] = attest(vcs1477(), 11, 20, bob);
        atts[1].nonce = atts[0].nonce;
        bytes[][] memory sigs = new bytes[][](2);
        sigs[0] = sign(atts[0], 2);
        sigs[1] = sign(atts[1], 2);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeNonceUsed.selector, atts[0].nonce));
        bridge.mintBatch(atts, sigs);
        assertEq(bridge.classToken(classIdOf(vcs1477())), address(0));
        assertFalse(bridge.isNonceUsed(atts[0].nonce));
    }

    function test_mintBatch_rejectsLengthMismatch() public {
        Attestation[] memory atts = new Attestation[](2);
        atts[0] = attest(vcs1477(), 1, 10, alice);
        atts[1] = attest(vcs1477(), 11, 20, bob);
        bytes[][] memory sigs = new bytes[][](1);
        sigs[0] = sign(atts[0], 2);
        vm.expectRevert(IBatchLedger.BridgeArrayLengthMismatch.selector);
        bridge.mintBatch(atts, sigs);
    }

    function test_mintBatch_emptyIsANoOp() public {
        bytes32[] memory keys = bridge.mintBatch(new Attestation[](0), new bytes[][](0));
        assertEq(keys.length, 0);
    }

    // ---------------------------------------------------------------- mint: rejections

    function test_mint_rejectsInsufficientSignatures() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 1);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 1, 2));
        bridge.mint(a, sigs);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 0, 2));
        bridge.mint(a, new bytes[](0));
    }

    function test_mint_rejectsUnknownSigner() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        uint256 strangerKey = 0xBAD;
        uint256[] memory keys = new uint256[](2);
        keys[0] = strangerKey;
        keys[1] = verifierKeys[0];
        bytes[] memory sigs = signWith(a, keys);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, vm.addr(strangerKey)));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsSignatureOverOtherData() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        bytes32 digestSigned = bridge.hashAttestation(a);
        a.recipient = bob; // tampered after signing
        address recovered = ECDSA.recover(bridge.hashAttestation(a), sigs[0]);
        assertTrue(recovered != verifierAddrs[0]);
        assertTrue(digestSigned != bridge.hashAttestation(a));
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, recovered));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsDuplicateSigner() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        uint256[] memory keys = new uint256[](2);
        keys[0] = verifierKeys[1];
        keys[1] = verifierKeys[1];
        bytes[] memory sigs = signWith(a, keys);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeDuplicateSigner.selector, verifierAddrs[1]));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsUnsortedSigners() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        uint256[] memory keys = new uint256[](2);
        keys[0] = verifierKeys[2];
        keys[1] = verifierKeys[0];
        bytes[] memory sigs = signWith(a, keys);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeSignersNotSorted.selector, verifierAddrs[0]));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsMalformedSignatures() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        sigs[0] = new bytes(64);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureLength.selector, 64));
        bridge.mint(a, sigs);
        sigs[0] = new bytes(65); // v = 0, r = s = 0: ecrecover fails
        vm.expectRevert(ECDSA.ECDSAInvalidSignature.selector);
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsHighSSignature() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(verifierKeys[0], bridge.hashAttestation(a));
        // The malleable twin (n - s, flipped v) recovers the same signer; ECDSA refuses it.
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes32 highS = bytes32(n - uint256(s));
        bytes[] memory sigs = sign(a, 2);
        sigs[0] = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsExpiredAttestation() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.warp(a.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeAttestationExpired.selector, a.deadline));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsReusedNonce() public {
        Attestation memory first = attest(vcs1477(), 1, 10, alice);
        mintSigned(first);
        Attestation memory second = attest(vcs1477(), 11, 10, alice);
        second.nonce = first.nonce;
        bytes[] memory sigs = sign(second, 2);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeNonceUsed.selector, first.nonce));
        bridge.mint(second, sigs);
    }

    function test_mint_rejectsReplayOfTheSameAttestation() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        bridge.mint(a, sigs);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeNonceUsed.selector, a.nonce));
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsActiveBatchBridgedAgain() public {
        Attestation memory first = attest(vcs1477(), 1, 10, alice);
        bytes32 key = mintSigned(first);
        Attestation memory again = attest(vcs1477(), 1, 10, bob); // same serial, new nonce
        bytes[] memory sigs = sign(again, 2);
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeBatchAlreadyBridged.selector, key));
        bridge.mint(again, sigs);
    }

    function test_mint_rejectsQuantityMismatch() public {
        Attestation memory a = attest(vcs1477(), 100, 10, alice);
        a.quantity = 11;
        _expectQuantityMismatch(a);
        a.quantity = 9;
        _expectQuantityMismatch(a);
        a.quantity = 0;
        _expectQuantityMismatch(a);
        a.blockStart = 200; // end before start
        a.quantity = 1;
        _expectQuantityMismatch(a);
    }

    function _expectQuantityMismatch(Attestation memory a) private {
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(
            abi.encodeWithSelector(ICarbonBridge.BridgeQuantityMismatch.selector, a.blockStart, a.blockEnd, a.quantity)
        );
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsClassAttributeMismatch() public {
        CreditClass memory c = vcs1477();
        mintSigned(attest(c, 1, 10, alice));
        CreditClass memory changed = vcs1477();
        changed.methodology = "VM0007";
        _expectClassMismatch(c, changed);
        changed = vcs1477();
        changed.labels = 4;
        _expectClassMismatch(c, changed);
        changed = vcs1477();
        changed.adjustment = 4;
        _expectClassMismatch(c, changed);
        changed = vcs1477();
        changed.hostCountry = "BR";
        _expectClassMismatch(c, changed);
    }

    function _expectClassMismatch(CreditClass memory original, CreditClass memory changed) private {
        assertEq(classIdOf(changed), classIdOf(original));
        Attestation memory a = attest(changed, 500, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassTokenFactory.BridgeClassMismatch.selector,
                classIdOf(original),
                classHashOf(original),
                classHashOf(changed)
            )
        );
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsZeroRecipient() public {
        Attestation memory a = attest(vcs1477(), 1, 10, address(0));
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(ICarbonBridge.BridgeZeroRecipient.selector);
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsSupplyPastReserve() public {
        CreditClass memory c = vcs1477();
        mintSigned(attest(c, 1, 10, alice));
        bridge.exposed_removeFromReserve(classIdOf(c), 3); // a broken reserve, as a bug would leave it
        Attestation memory a = attest(c, 11, 5, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassTokenFactory.BridgeReserveExceeded.selector, classIdOf(c), 15 * TONNE, 12 * TONNE
            )
        );
        bridge.mint(a, sigs);
    }

    function test_mint_rejectsSignerRemovedFromSet() public {
        vm.prank(admin);
        bridge.removeVerifier(verifierAddrs[0]);
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, verifierAddrs[0]));
        bridge.mint(a, sigs);
    }

    // ---------------------------------------------------------------- pause

    function test_pause_blocksMintAndMintBatchUntilUnpaused() public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = sign(a, 2);
        vm.expectEmit(address(bridge));
        emit Pausable.Paused(admin);
        vm.prank(admin);
        bridge.pause();
        assertTrue(bridge.paused());
        vm.expectRevert(Pausable.EnforcedPause.selector);
        bridge.mint(a, sigs);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        bridge.mintBatch(new Attestation[](0), new bytes[][](0));

        vm.expectEmit(address(bridge));
        emit Pausable.Unpaused(admin);
        vm.prank(admin);
        bridge.unpause();
        bridge.mint(a, sigs);
    }

    function test_pause_requiresPauserRole() public {
        bytes32 role = bridge.PAUSER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.pause();
        vm.prank(admin);
        bridge.pause();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.unpause();
    }

    function test_pause_grantedPauserCanPauseAndUnpause() public {
        bytes32 role = bridge.PAUSER_ROLE();
        vm.prank(admin);
        bridge.grantRole(role, bob);
        vm.prank(bob);
        bridge.pause();
        vm.prank(bob);
        bridge.unpause();
        assertFalse(bridge.paused());
    }

    function test_pause_twiceReverts() public {
        vm.startPrank(admin);
        bridge.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        bridge.pause();
        bridge.unpause();
        vm.expectRevert(Pausable.ExpectedPause.selector);
        bridge.unpause();
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- burn path (harness)

    function test_burnFromBatch_partialThenFull_releasesBatch() public {
        CreditClass memory c = vcs1477();
        bytes32 classId = classIdOf(c);
        bytes32 key = mintSigned(attest(c, 1, 10, alice));
        mintSigned(attest(c, 11, 5, bob));
        CarbonCreditToken token = CarbonCreditToken(bridge.classToken(classId));

        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(key, alice, 4, 6);
        bridge.exposed_burnFromBatch(key, alice, 4);
        assertEq(bridge.batch(key).remaining, 6);
        assertEq(bridge.classReserve(classId), 11);
        assertEq(token.totalSupply(), 11 * TONNE);
        assertEq(token.balanceOf(alice), 6 * TONNE);

        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchBurned(key, alice, 6, 0);
        vm.expectEmit(address(bridge));
        emit IBatchLedger.BatchReleased(key);
        bridge.exposed_burnFromBatch(key, alice, 6);
        IBatchLedger.BridgedBatch memory record = bridge.batch(key);
        assertEq(record.remaining, 0);
        assertEq(uint8(record.status), uint8(IBatchLedger.BatchStatus.Released));
        assertEq(bridge.classReserve(classId), 5);
        assertEq(token.totalSupply(), 5 * TONNE);
    }

    function test_burnFromBatch_canBurnFromAnyHolderOfTheClass() public {
        CreditClass memory c = vcs1477();
        bytes32 key = mintSigned(attest(c, 1, 10, alice));
        CarbonCreditToken token = CarbonCreditToken(bridge.classToken(classIdOf(c)));
        vm.prank(alice);
        assertTrue(token.transfer(bob, 3 * TONNE));
        bridge.exposed_burnFromBatch(key, bob, 3);
        assertEq(token.balanceOf(bob), 0);
        assertEq(bridge.batch(key).remaining, 7);
    }

    function test_burnFromBatch_rejectsInactiveBatchAndBadAmounts() public {
        bytes32 unknown = batchKeyOf("VCS", "nope");
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, unknown));
        bridge.exposed_burnFromBatch(unknown, alice, 1);

        bytes32 key = mintSigned(attest(vcs1477(), 1, 10, alice));
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, key, 10, 0));
        bridge.exposed_burnFromBatch(key, alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, key, 10, 11));
        bridge.exposed_burnFromBatch(key, alice, 11);

        bridge.exposed_burnFromBatch(key, alice, 10);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, key));
        bridge.exposed_burnFromBatch(key, alice, 1);
    }

    function test_releasedBatch_canBeBridgedAgain() public {
        CreditClass memory c = vcs1477();
        Attestation memory first = attest(c, 1, 10, alice);
        bytes32 key = mintSigned(first);
        bridge.exposed_burnFromBatch(key, alice, 10);
        Attestation memory again = attest(c, 1, 10, bob);
        assertEq(mintSigned(again), key);
        assertEq(uint8(bridge.batch(key).status), uint8(IBatchLedger.BatchStatus.Active));
        assertEq(bridge.batch(key).remaining, 10);
        assertEq(bridge.classReserve(classIdOf(c)), 10);
    }
}
