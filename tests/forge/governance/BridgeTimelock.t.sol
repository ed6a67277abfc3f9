// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {BridgeTimelock} from "../../../contracts/governance/BridgeTimelock.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice The bridge administered by a timelock, as deployed: changing the verifier set, the threshold, the
/// cap or the pause state is a proposal that executes no earlier than the delay.
contract BridgeTimelockTest is BridgeFixture {
    uint256 internal constant DELAY = 60;
    bytes32 internal constant READY = bytes32(uint256(1) << uint8(TimelockController.OperationState.Ready));

    address internal proposer = makeAddr("proposer");
    address internal carol = makeAddr("carol");
    address internal deployer = makeAddr("deployer");
    BridgeTimelock internal timelock;
    CarbonBridge internal governed;

    function setUp() public override {
        super.setUp();
        address[] memory accounts = new address[](1);
        accounts[0] = proposer;
        vm.startPrank(deployer);
        timelock = new BridgeTimelock(DELAY, accounts, accounts, address(0));
        governed = new CarbonBridge(address(timelock), engine, verifierAddrs, 2, UNCAPPED, CAP_PERIOD);
        vm.stopPrank();
    }

    function test_addingAVerifier_waitsOutTheDelay() public {
        bytes memory call = abi.encodeCall(governed.addVerifier, (carol));
        vm.prank(proposer);
        timelock.schedule(address(governed), 0, call, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(governed), 0, call, bytes32(0), bytes32(0));
        assertTrue(timelock.isOperationPending(id));

        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY));
        vm.prank(proposer);
        timelock.execute(address(governed), 0, call, bytes32(0), bytes32(0));

        vm.warp(block.timestamp + DELAY - 1);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY));
        vm.prank(proposer);
        timelock.execute(address(governed), 0, call, bytes32(0), bytes32(0));
        assertFalse(governed.isVerifier(carol));

        vm.warp(block.timestamp + 1);
        vm.prank(proposer);
        timelock.execute(address(governed), 0, call, bytes32(0), bytes32(0));
        assertTrue(governed.isVerifier(carol));
        assertTrue(timelock.isOperationDone(id));
    }

    function test_aProposalShorterThanTheDelayIsRefused() public {
        bytes memory call = abi.encodeCall(governed.setThreshold, (1));
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, DELAY - 1, DELAY));
        vm.prank(proposer);
        timelock.schedule(address(governed), 0, call, bytes32(0), bytes32(0), DELAY - 1);
    }

    function test_aScheduledChangeCanBeCancelled() public {
        bytes memory call = abi.encodeCall(governed.setThreshold, (1));
        vm.startPrank(proposer);
        timelock.schedule(address(governed), 0, call, bytes32(0), bytes32(0), DELAY);
        bytes32 id = timelock.hashOperation(address(governed), 0, call, bytes32(0), bytes32(0));
        timelock.cancel(id);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnexpectedOperationState.selector, id, READY));
        timelock.execute(address(governed), 0, call, bytes32(0), bytes32(0));
        vm.stopPrank();
        assertEq(governed.threshold(), 2);
    }

    function test_thresholdCapAndUnpause_goThroughTheTimelock() public {
        vm.prank(engine);
        governed.pause();
        bytes[] memory calls = new bytes[](3);
        calls[0] = abi.encodeCall(governed.setThreshold, (3));
        calls[1] = abi.encodeCall(governed.setMintCap, (500, 1 days));
        calls[2] = abi.encodeCall(governed.unpause, ());
        address[] memory targets = new address[](3);
        (targets[0], targets[1], targets[2]) = (address(governed), address(governed), address(governed));
        uint256[] memory values = new uint256[](3);
        vm.prank(proposer);
        timelock.scheduleBatch(targets, values, calls, bytes32(0), bytes32(0), DELAY);
        vm.warp(block.timestamp + DELAY);
        vm.prank(proposer);
        timelock.executeBatch(targets, values, calls, bytes32(0), bytes32(0));
        assertEq(governed.threshold(), 3);
        (uint64 tonnes,) = governed.mintCap();
        assertEq(tonnes, 500);
        assertFalse(governed.paused());
    }

    function test_theProposerKeyAloneCannotChangeTheBridge() public {
        bytes memory denied = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector, proposer, governed.VERIFIER_MANAGER_ROLE()
        );
        vm.expectRevert(denied);
        vm.prank(proposer);
        governed.addVerifier(carol);
    }

    function test_onlyProposersSchedule() public {
        bytes memory call = abi.encodeCall(governed.addVerifier, (carol));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, engine, timelock.PROPOSER_ROLE()
            )
        );
        vm.prank(engine);
        timelock.schedule(address(governed), 0, call, bytes32(0), bytes32(0), DELAY);
    }

    /// @dev The timelock administers itself: even its delay changes only through a proposal.
    function test_theTimelockAdministersItself() public {
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, proposer));
        vm.prank(proposer);
        timelock.updateDelay(0);
        assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock)));
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), deployer));
        assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), proposer));
    }

    function test_theDeployerHoldsNoRoleOnEither() public view {
        bytes32[4] memory roles = [
            governed.DEFAULT_ADMIN_ROLE(),
            governed.VERIFIER_MANAGER_ROLE(),
            governed.PAUSER_ROLE(),
            governed.SETTLER_ROLE()
        ];
        for (uint256 i; i < roles.length; ++i) {
            assertFalse(governed.hasRole(roles[i], deployer));
        }
        assertFalse(timelock.hasRole(timelock.PROPOSER_ROLE(), deployer));
        assertFalse(timelock.hasRole(timelock.EXECUTOR_ROLE(), deployer));
        assertTrue(governed.hasRole(governed.DEFAULT_ADMIN_ROLE(), address(timelock)));
        assertTrue(governed.hasRole(governed.VERIFIER_MANAGER_ROLE(), address(timelock)));
    }
}
