// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice What the engine's key may and may not do: it pauses and settles; it never changes who may mint,
/// how many must sign, how much may be minted, nor restarts a paused bridge.
contract RolesTest is BridgeFixture {
    address internal carol = makeAddr("carol");

    function test_engine_cannotAddOrRemoveVerifiersNorChangeTheThreshold() public {
        bytes memory denied = _denied(engine, bridge.VERIFIER_MANAGER_ROLE());
        vm.startPrank(engine);
        vm.expectRevert(denied);
        bridge.addVerifier(carol);
        vm.expectRevert(denied);
        bridge.removeVerifier(verifierAddrs[0]);
        vm.expectRevert(denied);
        bridge.setThreshold(1);
        vm.stopPrank();
        assertEq(bridge.verifierCount(), DEFAULT_VERIFIERS);
        assertEq(bridge.threshold(), DEFAULT_THRESHOLD);
    }

    function test_engine_cannotUnpause() public {
        vm.prank(engine);
        bridge.pause();
        vm.expectRevert(_denied(engine, bridge.DEFAULT_ADMIN_ROLE()));
        vm.prank(engine);
        bridge.unpause();
        assertTrue(bridge.paused());
    }

    function test_engine_cannotSetTheMintCap() public {
        vm.expectRevert(_denied(engine, bridge.DEFAULT_ADMIN_ROLE()));
        vm.prank(engine);
        bridge.setMintCap(type(uint64).max, 1);
        (uint64 tonnes, uint32 period) = bridge.mintCap();
        assertEq(tonnes, UNCAPPED);
        assertEq(period, CAP_PERIOD);
    }

    function test_engine_cannotGrantItselfAnyRole() public {
        bytes32[4] memory roles =
            [bridge.DEFAULT_ADMIN_ROLE(), bridge.VERIFIER_MANAGER_ROLE(), bridge.PAUSER_ROLE(), bridge.SETTLER_ROLE()];
        bytes memory denied = _denied(engine, bridge.DEFAULT_ADMIN_ROLE());
        for (uint256 i; i < roles.length; ++i) {
            vm.expectRevert(denied);
            vm.prank(engine);
            bridge.grantRole(roles[i], engine);
        }
        assertFalse(bridge.hasRole(bridge.VERIFIER_MANAGER_ROLE(), engine));
    }

    function test_engine_canPauseAndSettle() public view {
        assertTrue(bridge.hasRole(bridge.PAUSER_ROLE(), engine));
        assertTrue(bridge.hasRole(bridge.SETTLER_ROLE(), engine));
    }

    function test_admin_managesVerifiersThresholdCapAndUnpause() public {
        vm.prank(engine);
        bridge.pause();
        vm.startPrank(admin);
        bridge.addVerifier(carol);
        bridge.setThreshold(3);
        bridge.setMintCap(1000, 1 hours);
        bridge.unpause();
        vm.stopPrank();
        assertTrue(bridge.isVerifier(carol));
        assertEq(bridge.threshold(), 3);
        (uint64 tonnes, uint32 period) = bridge.mintCap();
        assertEq(tonnes, 1000);
        assertEq(period, 1 hours);
        assertFalse(bridge.paused());
    }

    function test_admin_cannotSettleNorPauseWithoutGrantingItselfTheRole() public {
        vm.expectRevert(_denied(admin, bridge.PAUSER_ROLE()));
        vm.prank(admin);
        bridge.pause();
        vm.expectRevert(_denied(admin, bridge.SETTLER_ROLE()));
        vm.prank(admin);
        bridge.cancelRedemption(1, "");
    }

    /// @dev A stranger (a relayer) may mint what verifiers signed, and nothing else.
    function test_stranger_mintsOnlyWhatVerifiersSigned() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(_denied(stranger, bridge.PAUSER_ROLE()));
        vm.prank(stranger);
        bridge.pause();
        SignedLocks memory s = signLocks(one(lockOf(vcs1477(), 1, 10, alice)));
        vm.prank(stranger);
        mintAll(s);
        assertEq(tokenOf(vcs1477()).balanceOf(alice), 10 * TONNE);
    }

    function _denied(address account, bytes32 role) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }
}
