// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Vm} from "forge-std/Vm.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {CreditClass, Lock, LockBatch, LockLeaf} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {ICarbonBridge} from "../../../contracts/interfaces/ICarbonBridge.sol";
import {IClassTokenFactory} from "../../../contracts/interfaces/IClassTokenFactory.sol";
import {IMintRateLimit} from "../../../contracts/interfaces/IMintRateLimit.sol";
import {IVerifierSet} from "../../../contracts/interfaces/IVerifierSet.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract CarbonBridgeTest is BridgeFixture {
    // ---------------------------------------------------------------- construction and roles

    function test_constructor_splitsRolesBetweenAdminAndEngine() public view {
        assertTrue(bridge.hasRole(bridge.DEFAULT_ADMIN_ROLE(), admin));
        assertTrue(bridge.hasRole(bridge.VERIFIER_MANAGER_ROLE(), admin));
        assertFalse(bridge.hasRole(bridge.PAUSER_ROLE(), admin));
        assertFalse(bridge.hasRole(bridge.SETTLER_ROLE(), admin));
        assertTrue(bridge.hasRole(bridge.PAUSER_ROLE(), engine));
        assertTrue(bridge.hasRole(bridge.SETTLER_ROLE(), engine));
        assertFalse(bridge.hasRole(bridge.DEFAULT_ADMIN_ROLE(), engine));
        assertFalse(bridge.hasRole(bridge.VERIFIER_MANAGER_ROLE(), engine));
        assertEq(bridge.PAUSER_ROLE(), keccak256("PAUSER_ROLE"));
        assertEq(bridge.SETTLER_ROLE(), keccak256("SETTLER_ROLE"));
        assertEq(bridge.VERIFIER_MANAGER_ROLE(), keccak256("VERIFIER_MANAGER_ROLE"));
    }

    function test_constructor_leavesTheDeployerNoRole() public view {
        bytes32[4] memory roles =
            [bridge.DEFAULT_ADMIN_ROLE(), bridge.VERIFIER_MANAGER_ROLE(), bridge.PAUSER_ROLE(), bridge.SETTLER_ROLE()];
        for (uint256 i; i < roles.length; ++i) {
            assertFalse(bridge.hasRole(roles[i], address(this)));
        }
    }

    function test_constructor_setsVerifiersThresholdAndCap() public view {
        assertEq(bridge.verifierCount(), DEFAULT_VERIFIERS);
        assertEq(bridge.threshold(), DEFAULT_THRESHOLD);
        address[] memory listed = bridge.verifiers();
        assertEq(listed.length, DEFAULT_VERIFIERS);
        for (uint256 i; i < DEFAULT_VERIFIERS; ++i) {
            assertTrue(bridge.isVerifier(verifierAddrs[i]));
            assertEq(listed[i], verifierAddrs[i]);
        }
        assertFalse(bridge.isVerifier(alice));
        (uint64 capTonnes, uint32 period) = bridge.mintCap();
        assertEq(capTonnes, UNCAPPED);
        assertEq(period, CAP_PERIOD);
    }

    function test_constructor_rejectsZeroOrSharedAdminAndEngine() public {
        vm.expectRevert(ICarbonBridge.BridgeZeroAdmin.selector);
        new CarbonBridge(address(0), engine, verifierAddrs, 2, UNCAPPED, CAP_PERIOD);
        vm.expectRevert(ICarbonBridge.BridgeZeroEngine.selector);
        new CarbonBridge(admin, address(0), verifierAddrs, 2, UNCAPPED, CAP_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeAdminIsEngine.selector, admin));
        new CarbonBridge(admin, admin, verifierAddrs, 2, UNCAPPED, CAP_PERIOD);
    }

    function test_constructor_rejectsThresholdOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 0, 3));
        new CarbonBridge(admin, engine, verifierAddrs, 0, UNCAPPED, CAP_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 4, 3));
        new CarbonBridge(admin, engine, verifierAddrs, 4, UNCAPPED, CAP_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 1, 0));
        new CarbonBridge(admin, engine, new address[](0), 1, UNCAPPED, CAP_PERIOD);
    }

    function test_constructor_rejectsDuplicateAndZeroVerifiers() public {
        address[] memory dup = new address[](2);
        dup[0] = alice;
        dup[1] = alice;
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeVerifierAlreadyAdded.selector, alice));
        new CarbonBridge(admin, engine, dup, 1, UNCAPPED, CAP_PERIOD);
        address[] memory zero = new address[](1);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidVerifier.selector, address(0)));
        new CarbonBridge(admin, engine, zero, 1, UNCAPPED, CAP_PERIOD);
    }

    function test_constructor_rejectsAnEmptyMintCap() public {
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeInvalidMintCap.selector, 0, CAP_PERIOD));
        new CarbonBridge(admin, engine, verifierAddrs, 2, 0, CAP_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IMintRateLimit.BridgeInvalidMintCap.selector, 10, 0));
        new CarbonBridge(admin, engine, verifierAddrs, 2, 10, 0);
    }

    // ---------------------------------------------------------------- EIP-712

    function test_eip712Domain_isCarbonBridgeVersion2() public view {
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            bridge.eip712Domain();
        assertEq(name, "CarbonBridge");
        assertEq(version, "2");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(bridge));
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("CarbonBridge"),
                keccak256("2"),
                block.chainid,
                address(bridge)
            )
        );
        assertEq(bridge.DOMAIN_SEPARATOR(), expected);
    }

    /// @dev The digest agrees with forge's own EIP-712 implementation fed the JSON typed data that an
    /// off-chain signer (eth_account's encode_typed_data) would build.
    function test_hashLockBatch_matchesIndependentTypedDataHash() public view {
        LockBatch memory batch = LockBatch(keccak256("some root"), 1_700_003_600);
        string memory json = string.concat(
            '{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},',
            '{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],',
            '"LockBatch":[{"name":"locksRoot","type":"bytes32"},{"name":"deadline","type":"uint256"}]},',
            '"primaryType":"LockBatch","domain":{"name":"CarbonBridge","version":"2","chainId":',
            vm.toString(block.chainid),
            ',"verifyingContract":"',
            vm.toString(address(bridge)),
            '"},"message":{"locksRoot":"',
            vm.toString(batch.locksRoot),
            '","deadline":1700003600}}'
        );
        assertEq(bridge.hashLockBatch(batch), vm.eip712HashTypedData(json));
    }

    /// @dev The lock's struct hash (under the leaf's double hash) agrees with forge's EIP-712 implementation of
    /// the nested `Lock` / `CreditClass` types, and the contract's leaf with the fixture's.
    function test_hashLock_isTheDoubleHashOfTheTypedDataStruct() public {
        Lock memory lock = lockOf(isoKg(), 1001, 250, alice);
        string memory json = string.concat(
            '{"types":{"EIP712Domain":[{"name":"name","type":"string"}],',
            '"CreditClass":[{"name":"program","type":"string"},{"name":"projectId","type":"string"},',
            '{"name":"vintageStart","type":"uint32"},{"name":"vintageEnd","type":"uint32"},',
            '{"name":"methodology","type":"string"},{"name":"hostCountry","type":"string"},',
            '{"name":"labels","type":"uint8"},{"name":"adjustment","type":"uint8"},{"name":"unitDecimals","type":"uint8"}],',
            '"Lock":[{"name":"lockId","type":"uint256"},{"name":"registry","type":"string"},{"name":"serial","type":"string"},',
            '{"name":"blockStart","type":"uint64"},{"name":"blockEnd","type":"uint64"},',
            '{"name":"creditClass","type":"CreditClass"},{"name":"recipient","type":"address"}]},'
        );
        json = string.concat(
            json,
            '"primaryType":"Lock","domain":{"name":"x"},"message":{"lockId":',
            vm.toString(lock.lockId),
            ',"registry":"ISO","serial":"',
            lock.serial,
            '","blockStart":1001,"blockEnd":1250,"creditClass":{"program":"ISO","projectId":"DAC-9",',
            '"vintageStart":20240101,"vintageEnd":20241231,"methodology":"ISO-DAC-1.0","hostCountry":"IS",',
            '"labels":4,"adjustment":1,"unitDecimals":3},"recipient":"',
            vm.toString(alice),
            '"}}'
        );
        bytes32 domain = keccak256(abi.encode(keccak256("EIP712Domain(string name)"), keccak256("x")));
        bytes32 structHash = _lockStructHash(lock);
        assertEq(keccak256(abi.encodePacked("\x19\x01", domain, structHash)), vm.eip712HashTypedData(json));
        assertEq(bridge.hashLock(lock), keccak256(bytes.concat(structHash)));
        assertEq(bridge.hashLock(lock), leafHashOf(lock));
    }

    function test_classIdOfAndClassHashOf_matchSpec() public view {
        CreditClass memory c = isoKg();
        assertEq(bridge.classIdOf(c), classIdOf(c));
        assertEq(bridge.classHashOf(c), classHashOf(c));
    }

    // ---------------------------------------------------------------- mintLocks: happy paths

    function test_mintLocks_newClass_createsTokenRecordsTheLockAndMints() public {
        CreditClass memory c = vcs1477();
        Lock memory lock = lockOf(c, 1001, 250, alice);
        bytes32 classId = classIdOf(c);
        bytes32 expectedKey = batchKeyOf("VCS", lock.serial);
        address predicted = bridge.predictClassToken(c);
        assertEq(bridge.classToken(classId), address(0));
        assertFalse(bridge.isLockUsed("VCS", lock.lockId));

        vm.expectEmit(address(bridge));
        emit ICarbonBridge.BatchBridged(expectedKey, classId, lock.lockId, "VCS", lock.serial, 250, alice);
        vm.expectEmit(address(bridge));
        emit IClassTokenFactory.ClassCreated(classId, predicted, classHashOf(c));
        vm.expectEmit(predicted);
        emit IERC20.Transfer(address(0), alice, 250 * TONNE);
        bytes32 batchKey = mintLock(lock);

        assertEq(batchKey, expectedKey);
        assertEq(bridge.classToken(classId), predicted);
        assertEq(bridge.classReserve(classId), 250);
        assertEq(bridge.weiPerUnit(classId), TONNE);
        CarbonCreditToken token = CarbonCreditToken(predicted);
        assertEq(token.balanceOf(alice), 250 * TONNE);
        assertEq(token.totalSupply(), 250 * TONNE);
        assertEq(token.classId(), classId);
        assertEq(token.classHash(), classHashOf(c));
        IBatchLedger.BridgedBatch memory record = bridge.batch(batchKey);
        assertEq(record.token, predicted);
        assertEq(record.remaining, 250);
        assertEq(uint8(record.status), uint8(IBatchLedger.BatchStatus.Active));
        assertTrue(bridge.isLockUsed("VCS", lock.lockId));
        assertFalse(bridge.isLockUsed("GS", lock.lockId), "lock ids are per registry");
        assertFalse(bridge.isLockUsed("VCS", lock.lockId + 1));
    }

    function test_mintLocks_existingClass_addsToReserve() public {
        CreditClass memory c = vcs1477();
        bridgeUnits(c, 1001, 250, alice);
        Lock memory lock = lockOf(c, 5001, 40, bob);
        bytes32 classId = classIdOf(c);
        address token = bridge.classToken(classId);

        vm.recordLogs();
        bytes32 batchKey = mintLock(lock);
        assertEq(vm.getRecordedLogs().length, 2, "BatchBridged + Transfer only, no ClassCreated");

        assertEq(bridge.classToken(classId), token);
        assertEq(bridge.classReserve(classId), 290);
        assertEq(CarbonCreditToken(token).balanceOf(bob), 40 * TONNE);
        assertEq(CarbonCreditToken(token).totalSupply(), 290 * TONNE);
        assertEq(bridge.batch(batchKey).remaining, 40);
    }

    function test_mintLocks_aBatchOfClassesAndRecipients_mintsEveryLockOnce() public {
        Lock[] memory locks = new Lock[](5);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(vcs1477(), 11, 20, bob);
        locks[2] = lockOf(gs5000(), 1, 5, alice);
        locks[3] = lockOf(vcs1477(), 31, 7, alice);
        locks[4] = lockOf(isoKg(), 1, 2500, bob);
        SignedLocks memory s = signLocks(locks);
        assertEq(s.classes.length, 3, "each class is carried once");
        mintAll(s);

        assertEq(bridge.classReserve(classIdOf(vcs1477())), 37);
        assertEq(bridge.classReserve(classIdOf(gs5000())), 5);
        assertEq(bridge.classReserve(classIdOf(isoKg())), 2500);
        assertEq(tokenOf(vcs1477()).balanceOf(alice), 17 * TONNE);
        assertEq(tokenOf(vcs1477()).balanceOf(bob), 20 * TONNE);
        assertEq(tokenOf(gs5000()).balanceOf(alice), 5 * TONNE);
        assertEq(tokenOf(isoKg()).balanceOf(bob), 2.5e18, "2,500 kg are 2.5 t");
        for (uint256 i; i < locks.length; ++i) {
            assertTrue(bridge.isLockUsed(locks[i].registry, locks[i].lockId));
            bytes32 key = batchKeyOf(locks[i].registry, locks[i].serial);
            assertEq(bridge.batch(key).remaining, locks[i].blockEnd - locks[i].blockStart + 1);
        }
        assertClassAccounting(vcs1477());
        assertClassAccounting(gs5000());
        assertClassAccounting(isoKg());
    }

    /// @dev Consecutive leaves of one class and one recipient mint in one transfer.
    function test_mintLocks_aggregatesTheMintOfEachRunOfClassAndRecipient() public {
        Lock[] memory locks = new Lock[](6);
        for (uint256 i; i < locks.length; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            locks[i] = lockOf(vcs1477(), uint64(1 + 10 * i), 10, alice);
        }
        SignedLocks memory s = signLocks(locks);
        vm.recordLogs();
        mintAll(s);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 transfers;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IERC20.Transfer.selector) ++transfers;
        }
        assertEq(transfers, 1, "one mint for six locks of one class to one holder");
        assertEq(tokenOf(vcs1477()).balanceOf(alice), 60 * TONNE);
    }

    /// @dev A signed batch can be minted in parts, each with its multiproof, without new signatures.
    function test_mintLocks_mintsASignedBatchInParts() public {
        Lock[] memory locks = new Lock[](4);
        for (uint256 i; i < locks.length; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast)
            locks[i] = lockOf(vcs1477(), uint64(1 + 100 * i), 100, i % 2 == 0 ? alice : bob);
        }
        SignedLocks memory s = signLocks(locks);
        uint256[] memory first = new uint256[](2);
        (first[0], first[1]) = (0, 2);
        mintPart(s, first);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 200);
        assertTrue(bridge.isLockUsed("VCS", s.leaves[0].lockId));
        assertFalse(bridge.isLockUsed("VCS", s.leaves[1].lockId));

        uint256[] memory rest = new uint256[](2);
        (rest[0], rest[1]) = (1, 3);
        mintPart(s, rest);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 400);
        assertClassAccounting(vcs1477());
    }

    /// @dev A relayer may list one class twice: both entries add to the one class and its one reserve.
    function test_mintLocks_oneClassListedTwice_mintsIntoTheOneClass() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(vcs1477(), 11, 5, bob);
        SignedLocks memory s = signLocks(locks);
        CreditClass[] memory twice = new CreditClass[](2);
        (twice[0], twice[1]) = (vcs1477(), vcs1477());
        s.classes = twice;
        s.leaves[0].classIndex = 1; // the leaf hashes do not change: both entries are the same class
        mintAll(s);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 15);
        assertEq(tokenOf(vcs1477()).totalSupply(), 15 * TONNE);
        assertClassAccounting(vcs1477());
    }

    function test_mintLocks_acceptsMoreSignaturesThanThreshold() public {
        SignedLocks memory s =
            signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), firstVerifierKeys(3), block.timestamp + 1 hours);
        mintAll(s);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 10);
    }

    function test_mintLocks_isCallableByAnyone() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        vm.prank(makeAddr("relayer"));
        mintAll(s);
        assertEq(tokenOf(vcs1477()).balanceOf(alice), 10 * TONNE);
    }

    function test_mintLocks_acceptsDeadlineEqualToNow() public {
        mintAll(signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), firstVerifierKeys(2), block.timestamp));
    }

    function test_mintLocks_singleUnitBlockAndLargestRange() public {
        bridgeUnits(vcs1477(), 7, 1, alice);
        Lock memory lock = lockOf(gs5000(), 1, 1, alice);
        lock.blockStart = 0;
        lock.blockEnd = type(uint64).max - 1;
        mintLock(lock);
        assertEq(bridge.classReserve(classIdOf(gs5000())), type(uint64).max);
    }

    function test_mintLocks_sameLockIdInAnotherRegistryIsAnotherLock() public {
        Lock memory vcsLock = lockOf(vcs1477(), 1, 10, alice);
        Lock memory gsLock = lockOf(gs5000(), 1, 10, alice);
        gsLock.lockId = vcsLock.lockId;
        mintLock(vcsLock);
        mintLock(gsLock);
        assertTrue(bridge.isLockUsed("GS", vcsLock.lockId));
    }

    // ---------------------------------------------------------------- mintLocks: refusals

    function test_mintLocks_rejectsNoLocks() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = s.batch.locksRoot;
        vm.expectRevert(ICarbonBridge.BridgeNoLocks.selector);
        bridge.mintLocks(s.classes, new LockLeaf[](0), proof, new bool[](0), s.batch, s.signatures);
    }

    function test_mintLocks_rejectsInsufficientSignatures() public {
        SignedLocks memory s =
            signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), firstVerifierKeys(1), block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 1, 2));
        mintAll(s);
        s.signatures = new bytes[](0);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 0, 2));
        mintAll(s);
    }

    function test_mintLocks_rejectsUnknownSigner() public {
        uint256 strangerKey = 0xBAD;
        uint256[] memory keys = new uint256[](2);
        (keys[0], keys[1]) = (strangerKey, verifierKeys[0]);
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), keys, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, vm.addr(strangerKey)));
        mintAll(s);
    }

    function test_mintLocks_rejectsSignaturesOverAnotherBatch() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        s.batch.deadline += 1; // the signed batch was another one
        address recovered = ECDSA.recover(bridge.hashLockBatch(s.batch), s.signatures[0]);
        assertTrue(recovered != verifierAddrs[0]);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, recovered));
        mintAll(s);
    }

    function test_mintLocks_rejectsDuplicateSigner() public {
        uint256[] memory keys = new uint256[](2);
        (keys[0], keys[1]) = (verifierKeys[1], verifierKeys[1]);
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), keys, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeDuplicateSigner.selector, verifierAddrs[1]));
        mintAll(s);
    }

    function test_mintLocks_rejectsUnsortedSigners() public {
        uint256[] memory keys = new uint256[](2);
        (keys[0], keys[1]) = (verifierKeys[2], verifierKeys[0]);
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), keys, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeSignersNotSorted.selector, verifierAddrs[0]));
        mintAll(s);
    }

    function test_mintLocks_rejectsMalformedSignatures() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        s.signatures[0] = new bytes(64);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureLength.selector, 64));
        mintAll(s);
        s.signatures[0] = new bytes(65); // v = 0, r = s = 0: ecrecover fails
        vm.expectRevert(ECDSA.ECDSAInvalidSignature.selector);
        mintAll(s);
    }

    function test_mintLocks_rejectsHighSSignature() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        (uint8 v, bytes32 r, bytes32 sigS) = vm.sign(verifierKeys[0], bridge.hashLockBatch(s.batch));
        // The malleable twin (n - s, flipped v) recovers the same signer; ECDSA refuses it.
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        bytes32 highS = bytes32(n - uint256(sigS));
        s.signatures[0] = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        mintAll(s);
    }

    function test_mintLocks_rejectsAnExpiredBatch() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        vm.warp(s.batch.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationVerifier.BridgeAttestationExpired.selector, s.batch.deadline)
        );
        mintAll(s);
    }

    /// @dev Any field of a leaf changed after signing breaks the proof: the recipient, the block, the class.
    function test_mintLocks_rejectsATamperedLeaf() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        bytes32 root = s.batch.locksRoot;
        s.leaves[0].recipient = bob;
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInvalidLockProof.selector, root));
        mintAll(s);
        s.leaves[0].recipient = alice;
        s.leaves[0].blockEnd += 1;
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInvalidLockProof.selector, root));
        mintAll(s);
        s.leaves[0].blockEnd -= 1;
        s.classes[0].unitDecimals = 3; // kilograms for tonnes: 1,000 times the tokens
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInvalidLockProof.selector, root));
        mintAll(s);
    }

    function test_mintLocks_rejectsALeafOfAnotherBatch() public {
        SignedLocks memory signed = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        SignedLocks memory other = signLocks(one(lockOf(vcs1477(), 11, 10, alice)));
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationVerifier.BridgeInvalidLockProof.selector, signed.batch.locksRoot)
        );
        bridge.mintLocks(other.classes, other.leaves, new bytes32[](0), new bool[](0), signed.batch, signed.signatures);
    }

    function test_mintLocks_rejectsAMalformedMultiproof() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(vcs1477(), 11, 10, alice);
        SignedLocks memory s = signLocks(locks);
        vm.expectRevert(MerkleProof.MerkleProofInvalidMultiproof.selector);
        bridge.mintLocks(s.classes, s.leaves, new bytes32[](1), new bool[](1), s.batch, s.signatures);
    }

    function test_mintLocks_rejectsAReplayOfTheSameBatch() public {
        Lock memory lock = lockOf(vcs1477(), 1, 10, alice);
        SignedLocks memory s = signLocks(one(lock));
        mintAll(s);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lock.lockId));
        mintAll(s);
    }

    /// @dev A lock is bridged once, ever: signed again in another batch (another root, another deadline,
    /// another recipient) it is still refused, also after every unit of it left the bridge.
    function test_mintLocks_rejectsAUsedLockInAnotherBatch() public {
        Lock memory lock = lockOf(vcs1477(), 1, 10, alice);
        bytes32 key = mintLock(lock);
        bridge.exposed_burnFromBatch(key, alice, 10); // every unit redeemed: the batch is released
        assertEq(uint8(bridge.batch(key).status), uint8(IBatchLedger.BatchStatus.Released));

        Lock[] memory again = new Lock[](2);
        again[0] = lock;
        again[0].recipient = bob;
        again[1] = lockOf(vcs1477(), 11, 10, bob);
        SignedLocks memory s = signLocksWith(again, firstVerifierKeys(2), block.timestamp + 2 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lock.lockId));
        mintAll(s);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 0);
        assertEq(tokenOf(vcs1477()).totalSupply(), 0);
    }

    function test_mintLocks_aBatchNamingOneLockTwiceIsRefused() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(vcs1477(), 11, 10, alice);
        locks[1].lockId = locks[0].lockId;
        SignedLocks memory s = signLocks(locks);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", locks[0].lockId));
        mintAll(s);
    }

    function test_mintLocks_rejectsAnActiveBatchUnderANewLock() public {
        Lock memory first = lockOf(vcs1477(), 1, 10, alice);
        bytes32 key = mintLock(first);
        Lock memory again = lockOf(vcs1477(), 1, 10, bob); // same serial, new lock id
        assertEq(again.serial, first.serial);
        SignedLocks memory s = signLocks(one(again));
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeBatchAlreadyBridged.selector, key));
        mintAll(s);
    }

    function test_mintLocks_rejectsAnInvalidBlock() public {
        Lock memory backwards = lockOf(vcs1477(), 100, 10, alice);
        (backwards.blockStart, backwards.blockEnd) = (200, 199);
        SignedLocks memory s = signLocks(one(backwards));
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeInvalidBlock.selector, 200, 199));
        mintAll(s);

        Lock memory everything = lockOf(vcs1477(), 1, 1, alice);
        (everything.blockStart, everything.blockEnd) = (0, type(uint64).max);
        s = signLocks(one(everything));
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeInvalidBlock.selector, 0, type(uint64).max));
        mintAll(s);
    }

    function test_mintLocks_rejectsClassAttributeMismatch() public {
        CreditClass memory c = vcs1477();
        bridgeUnits(c, 1, 10, alice);
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
        changed = vcs1477();
        changed.unitDecimals = 3;
        _expectClassMismatch(c, changed);
    }

    /// @dev Two entries of one new class with different attributes in one call: the second is refused.
    function test_mintLocks_rejectsTwoVersionsOfANewClassInOneCall() public {
        CreditClass memory changed = vcs1477();
        changed.methodology = "VM0007";
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(changed, 11, 10, alice);
        SignedLocks memory s = signLocks(locks);
        assertEq(s.classes.length, 2);
        CreditClass memory created = s.classes[0];
        CreditClass memory refused = s.classes[1];
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassTokenFactory.BridgeClassMismatch.selector,
                classIdOf(created),
                classHashOf(created),
                classHashOf(refused)
            )
        );
        mintAll(s);
    }

    function _expectClassMismatch(CreditClass memory original, CreditClass memory changed) private {
        assertEq(classIdOf(changed), classIdOf(original));
        SignedLocks memory s = signLocks(one(lockOf(changed, 500, 10, alice)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassTokenFactory.BridgeClassMismatch.selector,
                classIdOf(original),
                classHashOf(original),
                classHashOf(changed)
            )
        );
        mintAll(s);
    }

    function test_mintLocks_rejectsAClassIndexPastTheClassesGiven() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        s.leaves[0].classIndex = 1;
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeUnknownClassIndex.selector, 1, 1));
        mintAll(s);
    }

    function test_mintLocks_rejectsUnitDecimalsAbove18() public {
        CreditClass memory c = isoKg();
        c.unitDecimals = 19;
        SignedLocks memory s = signLocks(one(lockOf(c, 1, 10, alice)));
        vm.expectRevert(abi.encodeWithSelector(IClassTokenFactory.BridgeInvalidUnitDecimals.selector, 19));
        mintAll(s);
    }

    function test_mintLocks_rejectsZeroRecipient() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, address(0))));
        vm.expectRevert(ICarbonBridge.BridgeZeroRecipient.selector);
        mintAll(s);
    }

    function test_mintLocks_rejectsSupplyPastReserve() public {
        CreditClass memory c = vcs1477();
        bridgeUnits(c, 1, 10, alice);
        bridge.exposed_removeFromReserve(classIdOf(c), 3); // a broken reserve, as a bug would leave it
        SignedLocks memory s = signLocks(one(lockOf(c, 11, 5, alice)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassTokenFactory.BridgeReserveExceeded.selector, classIdOf(c), 15 * TONNE, 12 * TONNE
            )
        );
        mintAll(s);
    }

    function test_mintLocks_rejectsASignerRemovedFromTheSet() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        vm.prank(admin);
        bridge.removeVerifier(verifierAddrs[0]);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, verifierAddrs[0]));
        mintAll(s);
    }

    /// @dev A refused call changes nothing: no lock recorded, no batch, no reserve, no token.
    function test_refusedMint_leavesNoTrace() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lockOf(vcs1477(), 1, 10, alice);
        locks[1] = lockOf(gs5000(), 1, 10, address(0)); // the second is refused
        SignedLocks memory s = signLocks(locks);
        vm.expectRevert(ICarbonBridge.BridgeZeroRecipient.selector);
        mintAll(s);
        assertFalse(bridge.isLockUsed("VCS", locks[0].lockId));
        assertEq(uint8(bridge.batch(batchKeyOf("VCS", locks[0].serial)).status), 0);
        assertEq(bridge.classToken(classIdOf(vcs1477())), address(0));
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 0);
    }

    // ---------------------------------------------------------------- pause

    function test_pause_byTheEngine_blocksMintingUntilTheAdminUnpauses() public {
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        vm.expectEmit(address(bridge));
        emit Pausable.Paused(engine);
        vm.prank(engine);
        bridge.pause();
        assertTrue(bridge.paused());
        vm.expectRevert(Pausable.EnforcedPause.selector);
        mintAll(s);

        bytes32 adminRole = bridge.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, engine, adminRole)
        );
        vm.prank(engine);
        bridge.unpause();

        vm.expectEmit(address(bridge));
        emit Pausable.Unpaused(admin);
        vm.prank(admin);
        bridge.unpause();
        mintAll(s);
    }

    function test_pause_requiresPauserRole() public {
        bytes32 role = bridge.PAUSER_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.pause();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, role));
        vm.prank(admin);
        bridge.pause();
    }

    function test_unpause_requiresAdminRole() public {
        vm.prank(engine);
        bridge.pause();
        bytes32 role = bridge.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role));
        vm.prank(alice);
        bridge.unpause();
    }

    function test_pause_twiceReverts() public {
        vm.prank(engine);
        bridge.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(engine);
        bridge.pause();
        vm.prank(admin);
        bridge.unpause();
        vm.expectRevert(Pausable.ExpectedPause.selector);
        vm.prank(admin);
        bridge.unpause();
    }

    // ---------------------------------------------------------------- burn path (harness)

    function test_burnFromBatch_partialThenFull_releasesBatch() public {
        CreditClass memory c = vcs1477();
        bytes32 classId = classIdOf(c);
        bytes32 key = bridgeUnits(c, 1, 10, alice);
        bridgeUnits(c, 11, 5, bob);
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

    function test_burnFromBatch_ofAKilogramClassBurnsKilograms() public {
        bytes32 key = bridgeUnits(isoKg(), 1, 1500, alice);
        bridge.exposed_burnFromBatch(key, alice, 250);
        assertEq(tokenOf(isoKg()).balanceOf(alice), 1.25e18);
        assertEq(bridge.classReserve(classIdOf(isoKg())), 1250);
        assertClassAccounting(isoKg());
    }

    function test_burnFromBatch_canBurnFromAnyHolderOfTheClass() public {
        CreditClass memory c = vcs1477();
        bytes32 key = bridgeUnits(c, 1, 10, alice);
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

        bytes32 key = bridgeUnits(vcs1477(), 1, 10, alice);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, key, 10, 0));
        bridge.exposed_burnFromBatch(key, alice, 0);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeInvalidBurnAmount.selector, key, 10, 11));
        bridge.exposed_burnFromBatch(key, alice, 11);

        bridge.exposed_burnFromBatch(key, alice, 10);
        vm.expectRevert(abi.encodeWithSelector(IBatchLedger.BridgeBatchNotActive.selector, key));
        bridge.exposed_burnFromBatch(key, alice, 1);
    }

    /// @dev Units that came back to the registry and were locked again get a new lock id: the serial bridges
    /// again under it.
    function test_releasedBatch_canBeBridgedAgainUnderANewLock() public {
        CreditClass memory c = vcs1477();
        Lock memory first = lockOf(c, 1, 10, alice);
        bytes32 key = mintLock(first);
        bridge.exposed_burnFromBatch(key, alice, 10);
        Lock memory again = lockOf(c, 1, 10, bob);
        assertEq(again.serial, first.serial);
        assertTrue(again.lockId != first.lockId);
        assertEq(mintLock(again), key);
        assertEq(uint8(bridge.batch(key).status), uint8(IBatchLedger.BatchStatus.Active));
        assertEq(bridge.batch(key).remaining, 10);
        assertEq(bridge.classReserve(classIdOf(c)), 10);
    }

    /// @dev The EIP-712 struct hash of `lock`, from the literal type strings.
    function _lockStructHash(Lock memory lock) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(
                    "Lock(uint256 lockId,string registry,string serial,uint64 blockStart,uint64 blockEnd,CreditClass creditClass,address recipient)CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)"
                ),
                lock.lockId,
                keccak256(bytes(lock.registry)),
                keccak256(bytes(lock.serial)),
                lock.blockStart,
                lock.blockEnd,
                classHashOf(lock.creditClass),
                lock.recipient
            )
        );
    }
}
