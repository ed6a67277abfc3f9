// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";

/// @notice CarbonBridge with its internal burn path (and a reserve knob for negative tests) exposed.
/// Test use only: it lives under tests/forge so that it is never part of a deployment.
contract CarbonBridgeHarness is CarbonBridge {
    constructor(
        address admin,
        address engine,
        address[] memory initialVerifiers,
        uint256 initialThreshold,
        uint64 capTonnes,
        uint32 capPeriod
    ) CarbonBridge(admin, engine, initialVerifiers, initialThreshold, capTonnes, capPeriod) {}

    function exposed_burnFromBatch(bytes32 batchKey, address from, uint64 units) external {
        _burnFromBatch(batchKey, from, units);
    }

    /// @dev Breaks the reserve invariant on purpose, to prove that minting re-checks it.
    function exposed_removeFromReserve(bytes32 classId, uint64 units) external {
        _removeFromReserve(classId, units);
    }
}
