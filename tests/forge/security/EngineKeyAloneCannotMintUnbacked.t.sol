// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {BridgeTimelock} from "../../../contracts/governance/BridgeTimelock.sol";
import {Lock} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice Security review, row 1: with the engine's sending key alone, an attacker on the service host tried
/// `addVerifier(self)`, `setThreshold(1)`, a self-signed attestation and a mint of 1,000 t with nothing locked.
/// Deployed as in production (admin = a timelock whose proposer is another key), every step is refused with
/// a coded error and nothing changes.
contract EngineKeyAloneCannotMintUnbackedTest is BridgeFixture {
    uint256 internal constant ENGINE_KEY = 0xE11E;
    address internal engineKey = vm.addr(ENGINE_KEY);
    address internal adminKey = makeAddr("admin key (timelock proposer)");
    BridgeTimelock internal timelock;
    CarbonBridge internal target;

    function setUp() public override {
        super.setUp();
        address[] memory proposers = new address[](1);
        proposers[0] = adminKey;
        timelock = new BridgeTimelock(60, proposers, proposers, address(0));
        target = new CarbonBridge(address(timelock), engineKey, verifierAddrs, 2, UNCAPPED, CAP_PERIOD);
    }

    function test_engineKey_addsItselfAsVerifier_isRefused() public {
        vm.expectRevert(_denied(target.VERIFIER_MANAGER_ROLE()));
        vm.prank(engineKey);
        target.addVerifier(engineKey);
        _assertNothingChanged();
    }

    function test_engineKey_lowersTheThresholdToOne_isRefused() public {
        vm.expectRevert(_denied(target.VERIFIER_MANAGER_ROLE()));
        vm.prank(engineKey);
        target.setThreshold(1);
        _assertNothingChanged();
    }

    function test_engineKey_grantsItselfTheVerifierManagerRole_isRefused() public {
        bytes32 managerRole = target.VERIFIER_MANAGER_ROLE();
        vm.expectRevert(_denied(target.DEFAULT_ADMIN_ROLE()));
        vm.prank(engineKey);
        target.grantRole(managerRole, engineKey);
        _assertNothingChanged();
    }

    function test_engineKey_proposesTheChangeThroughTheTimelock_isRefused() public {
        bytes memory call = abi.encodeCall(target.addVerifier, (engineKey));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, engineKey, timelock.PROPOSER_ROLE()
            )
        );
        vm.prank(engineKey);
        timelock.schedule(address(target), 0, call, bytes32(0), bytes32(0), 60);
        _assertNothingChanged();
    }

    /// @dev The attacker signs a lock batch of 1,000 t with the engine key (alone, or with a second key of its
    /// own to reach the threshold) and sends it: the signers are not verifiers.
    function test_engineKey_mintsASelfSignedThousandTonnes_isRefused() public {
        Lock[] memory unbacked = one(lockOf(vcs1477(), 1, 1000, engineKey));
        uint256[] memory own = new uint256[](1);
        own[0] = ENGINE_KEY;
        SignedLocks memory s = signLocksFor(target, unbacked, own, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, 1, 2));
        vm.prank(engineKey);
        mintPartOn(target, s, allPositions(1));

        uint256 accompliceKey = 0xACC0;
        uint256[] memory two = new uint256[](2);
        (two[0], two[1]) =
            vm.addr(ENGINE_KEY) < vm.addr(accompliceKey) ? (ENGINE_KEY, accompliceKey) : (accompliceKey, ENGINE_KEY);
        s = signLocksFor(target, unbacked, two, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeUnknownSigner.selector, vm.addr(two[0])));
        vm.prank(engineKey);
        mintPartOn(target, s, allPositions(1));
        _assertNothingChanged();
        assertFalse(target.isLockUsed("VCS", unbacked[0].lockId));
    }

    /// @dev The engine key cannot undo a pause either (an attacker could otherwise lift one the admin wanted).
    function test_engineKey_unpauses_isRefused() public {
        vm.prank(engineKey);
        target.pause();
        vm.expectRevert(_denied(target.DEFAULT_ADMIN_ROLE()));
        vm.prank(engineKey);
        target.unpause();
        assertTrue(target.paused());
    }

    function _assertNothingChanged() private view {
        assertEq(target.verifierCount(), DEFAULT_VERIFIERS);
        assertEq(target.threshold(), DEFAULT_THRESHOLD);
        assertFalse(target.isVerifier(engineKey));
        assertFalse(target.hasRole(target.VERIFIER_MANAGER_ROLE(), engineKey));
        assertFalse(target.hasRole(target.DEFAULT_ADMIN_ROLE(), engineKey));
        assertEq(target.classToken(classIdOf(vcs1477())), address(0), "no class token, no supply");
        assertEq(target.classReserve(classIdOf(vcs1477())), 0);
    }

    function _denied(bytes32 role) private view returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, engineKey, role);
    }
}
