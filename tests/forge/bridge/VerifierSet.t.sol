// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {Lock} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {IVerifierSet} from "../../../contracts/interfaces/IVerifierSet.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract VerifierSetTest is BridgeFixture {
    address internal carol = makeAddr("carol");

    function test_addVerifier_addsAndEmits() public {
        vm.expectEmit(address(bridge));
        emit IVerifierSet.VerifierAdded(carol);
        vm.prank(admin);
        bridge.addVerifier(carol);
        assertTrue(bridge.isVerifier(carol));
        assertEq(bridge.verifierCount(), 4);
        assertEq(bridge.verifiers()[3], carol);
    }

    function test_addVerifier_rejectsDuplicateAndZero() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeVerifierAlreadyAdded.selector, verifierAddrs[0]));
        bridge.addVerifier(verifierAddrs[0]);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidVerifier.selector, address(0)));
        bridge.addVerifier(address(0));
        vm.stopPrank();
    }

    function test_removeVerifier_removesAndEmits() public {
        vm.expectEmit(address(bridge));
        emit IVerifierSet.VerifierRemoved(verifierAddrs[1]);
        vm.prank(admin);
        bridge.removeVerifier(verifierAddrs[1]);
        assertFalse(bridge.isVerifier(verifierAddrs[1]));
        assertEq(bridge.verifierCount(), 2);
    }

    function test_removeVerifier_rejectsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeVerifierNotFound.selector, carol));
        vm.prank(admin);
        bridge.removeVerifier(carol);
    }

    function test_removeVerifier_cannotDropBelowThreshold() public {
        vm.startPrank(admin);
        bridge.removeVerifier(verifierAddrs[0]); // 2 left, threshold 2
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 2, 1));
        bridge.removeVerifier(verifierAddrs[1]);
        bridge.setThreshold(1);
        bridge.removeVerifier(verifierAddrs[1]);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 1, 0));
        bridge.removeVerifier(verifierAddrs[2]);
        vm.stopPrank();
        assertEq(bridge.verifierCount(), 1);
    }

    function test_setThreshold_changesAndEmits() public {
        vm.expectEmit(address(bridge));
        emit IVerifierSet.ThresholdChanged(2, 3);
        vm.prank(admin);
        bridge.setThreshold(3);
        assertEq(bridge.threshold(), 3);

        Lock[] memory locks = one(lockOf(vcs1477(), 1, 10, alice));
        SignedLocks memory two = signLocksWith(locks, firstVerifierKeys(2), block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 2, 3));
        mintAll(two);
        mintAll(signLocks(locks));
    }

    function test_setThreshold_rejectsOutOfRange() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 0, 3));
        bridge.setThreshold(0);
        vm.expectRevert(abi.encodeWithSelector(IVerifierSet.BridgeInvalidThreshold.selector, 4, 3));
        bridge.setThreshold(4);
        vm.stopPrank();
    }

    function test_management_requiresVerifierManagerRole() public {
        bytes32 role = bridge.VERIFIER_MANAGER_ROLE();
        bytes memory denied =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, role);
        vm.startPrank(alice);
        vm.expectRevert(denied);
        bridge.addVerifier(carol);
        vm.expectRevert(denied);
        bridge.removeVerifier(verifierAddrs[0]);
        vm.expectRevert(denied);
        bridge.setThreshold(1);
        vm.stopPrank();
    }

    function test_management_byGrantedManager_andRevocation() public {
        bytes32 role = bridge.VERIFIER_MANAGER_ROLE();
        vm.prank(admin);
        bridge.grantRole(role, bob);
        vm.prank(bob);
        bridge.addVerifier(carol);
        assertTrue(bridge.isVerifier(carol));
        vm.prank(admin);
        bridge.revokeRole(role, bob);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        vm.prank(bob);
        bridge.removeVerifier(carol);
    }

    function test_newVerifier_canSign() public {
        uint256 carolKey = 0xCA401;
        address carolSigner = vm.addr(carolKey);
        vm.startPrank(admin);
        bridge.addVerifier(carolSigner);
        bridge.setThreshold(1);
        vm.stopPrank();
        uint256[] memory keys = new uint256[](1);
        keys[0] = carolKey;
        mintAll(signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), keys, block.timestamp + 1 hours));
        assertEq(bridge.classReserve(classIdOf(vcs1477())), 10);
    }

    function testFuzz_addThenRemove_keepsCountConsistent(address[6] memory candidates) public {
        vm.startPrank(admin);
        address[] memory added = new address[](candidates.length);
        uint256 addedCount;
        for (uint256 i; i < candidates.length; ++i) {
            address c = candidates[i];
            if (c == address(0) || bridge.isVerifier(c)) continue;
            bridge.addVerifier(c);
            added[addedCount++] = c;
        }
        assertEq(bridge.verifierCount(), DEFAULT_VERIFIERS + addedCount);
        assertEq(bridge.verifiers().length, DEFAULT_VERIFIERS + addedCount);
        for (uint256 i; i < addedCount; ++i) {
            bridge.removeVerifier(added[i]);
            assertFalse(bridge.isVerifier(added[i]));
        }
        vm.stopPrank();
        assertEq(bridge.verifierCount(), DEFAULT_VERIFIERS);
        for (uint256 i; i < DEFAULT_VERIFIERS; ++i) {
            assertTrue(bridge.isVerifier(verifierAddrs[i]));
        }
    }
}
