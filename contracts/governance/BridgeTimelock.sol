// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title BridgeTimelock
/// @notice The bridge's admin: OpenZeppelin's TimelockController unchanged. Every change to the bridge's
/// roles, verifier set, threshold, mint cap or pause state is proposed here and executes no earlier than
/// `getMinDelay()` seconds later, so that holders see it coming.
/// @dev Deploy with `admin = address(0)`: the timelock then administers itself, and changing its proposers,
/// executors or delay also waits out the delay.
contract BridgeTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling an operation and executing it.
    /// @param proposers Accounts that may schedule (and cancel) operations.
    /// @param executors Accounts that may execute ready operations (`address(0)`: anyone).
    /// @param admin An optional account allowed to grant timelock roles without delay; `address(0)` for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
