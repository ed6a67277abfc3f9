// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Lock} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {IBatchLedger} from "../../../contracts/interfaces/IBatchLedger.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

/// @notice Security review, row 4: verifiers signed the same locked block twice (a spare attestation); the
/// first minted 10 t, the holder redeemed all 10 t (the units left the trust, the batch was released), and
/// the spare then minted 10 t again with nothing in trust. Attestations now bind the registry's lock id, which
/// the bridge records forever: the spare, and a replay of the first, are refused and nothing changes.
contract SpareAttestationCannotMintTwiceTest is BridgeFixture {
    Lock internal lock;
    /// @dev The signed batches, `abi.encode(SignedLocks)` (struct arrays cannot be copied to storage as they are).
    bytes internal firstBatch;
    /// @dev The same lock in a second signed batch (another deadline, so another digest and signatures).
    bytes internal spareBatch;
    bytes32 internal batchKey;

    function setUp() public override {
        super.setUp();
        lock = lockOf(vcs1477(), 1, 10, alice);
        SignedLocks memory first = signLocks(one(lock));
        spareBatch = abi.encode(signLocksWith(one(lock), firstVerifierKeys(2), block.timestamp + 2 hours));

        mintAll(first);
        batchKey = batchKeyOf(lock.registry, lock.serial);
        bytes32 classId = classIdOf(vcs1477());
        vm.prank(alice);
        uint256 redemptionId = bridge.requestRedemption(classId, 10 * TONNE, "ALICE-ACCT");
        (bytes32[] memory keys, uint64[] memory units) = split1(batchKey, 10);
        vm.prank(engine);
        bridge.finalizeRedemption(redemptionId, keys, units, "VCS1477-1-10");
        firstBatch = abi.encode(first);
    }

    function test_spareAttestation_afterAFullRedemption_mintsNothing() public {
        _assertFullyRedeemed();
        SignedLocks memory spare = abi.decode(spareBatch, (SignedLocks));
        SignedLocks memory first = abi.decode(firstBatch, (SignedLocks));
        assertTrue(spare.batch.locksRoot == first.batch.locksRoot, "the same lock, the same leaf");
        assertTrue(spare.batch.deadline != first.batch.deadline, "but another signed batch");
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lock.lockId));
        vm.prank(makeAddr("relayer"));
        mintAll(spare);
        _assertFullyRedeemed();
    }

    function test_replayOfTheFirstAttestation_afterAFullRedemption_mintsNothing() public {
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lock.lockId));
        mintAll(abi.decode(firstBatch, (SignedLocks)));
        _assertFullyRedeemed();
    }

    /// @dev The spare's lock hidden in a larger batch next to a genuine new lock: the whole call is refused,
    /// the genuine lock included (and it can still be minted on its own).
    function test_spareLockInsideANewBatch_refusesTheWholeBatch() public {
        Lock[] memory locks = new Lock[](2);
        locks[0] = lock;
        locks[1] = lockOf(vcs1477(), 11, 5, bob);
        SignedLocks memory mixed = signLocks(locks);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lock.lockId));
        mintAll(mixed);
        _assertFullyRedeemed();
        assertFalse(bridge.isLockUsed("VCS", locks[1].lockId));
    }

    function _assertFullyRedeemed() private view {
        bytes32 classId = classIdOf(vcs1477());
        assertEq(tokenOf(vcs1477()).totalSupply(), 0, "no token left");
        assertEq(bridge.classReserve(classId), 0, "nothing in reserve");
        IBatchLedger.BridgedBatch memory record = bridge.batch(batchKey);
        assertEq(uint8(record.status), uint8(IBatchLedger.BatchStatus.Released));
        assertEq(record.remaining, 0);
        assertTrue(bridge.isLockUsed("VCS", lock.lockId), "the lock stays used");
    }
}
