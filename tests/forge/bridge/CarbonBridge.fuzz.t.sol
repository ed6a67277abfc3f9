// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass, Lock, LockLeaf} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {ICarbonBridge} from "../../../contracts/interfaces/ICarbonBridge.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract CarbonBridgeFuzzTest is BridgeFixture {
    // ---------------------------------------------------------------- quantities and ranges

    function testFuzz_mintLocks_anyValidRange(uint64 blockStart, uint64 quantity) public {
        quantity = uint64(bound(quantity, 1, type(uint64).max));
        blockStart = uint64(bound(blockStart, 0, type(uint64).max - (quantity - 1)));
        Lock memory lock = lockOf(vcs1477(), 1, 1, alice);
        lock.blockStart = blockStart;
        lock.blockEnd = blockStart + (quantity - 1);
        bytes32 key = mintLock(lock);
        assertEq(tokenOf(vcs1477()).balanceOf(alice), uint256(quantity) * TONNE);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), quantity);
        assertEq(bridge.batch(key).remaining, quantity);
    }

    function testFuzz_mintLocks_rejectsAnInvalidBlock(uint64 blockStart, uint64 blockEnd) public {
        vm.assume(blockEnd < blockStart || (blockStart == 0 && blockEnd == type(uint64).max));
        Lock memory lock = lockOf(vcs1477(), 1, 1, alice);
        (lock.blockStart, lock.blockEnd) = (blockStart, blockEnd);
        SignedLocks memory s = signLocks(one(lock));
        vm.expectRevert(abi.encodeWithSelector(ICarbonBridge.BridgeInvalidBlock.selector, blockStart, blockEnd));
        mintAll(s);
    }

    function testFuzz_mintLocks_reserveIsTheSumOfBatches(uint64[8] memory quantities) public {
        Lock[] memory locks = new Lock[](quantities.length);
        uint256 total;
        uint64 start = 1;
        for (uint256 i; i < quantities.length; ++i) {
            uint64 q = uint64(bound(quantities[i], 1, 1e12));
            locks[i] = lockOf(vcs1477(), start, q, i % 2 == 0 ? alice : bob);
            start += q;
            total += q;
        }
        mintAll(signLocks(locks));
        CarbonCreditToken token = tokenOf(vcs1477());
        assertEq(bridge.classReserve(classIdOf(vcs1477())), total);
        assertEq(token.totalSupply(), total * TONNE);
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), total * TONNE);
    }

    // ---------------------------------------------------------------- subsets of a signed batch

    /// @dev Any subset of a signed batch mints with its multiproof, exactly its locks; the rest mints later
    /// under the same signatures; after that, no part of the batch mints again.
    function testFuzz_mintLocks_anySubsetOfASignedBatch(uint8 size, uint256 mask, uint256 seed) public {
        uint256 n = bound(size, 1, 12);
        SignedLocks memory s = signLocks(_randomLocks(n, seed));
        (uint256[] memory chosen, uint256[] memory rest) = _split(n, mask);

        if (chosen.length > 0) mintPart(s, chosen);
        for (uint256 p; p < n; ++p) {
            bool minted = _contains(chosen, p);
            assertEq(bridge.isLockUsed(s.leaves[p].registry, s.leaves[p].lockId), minted);
            assertEq(uint8(bridge.batch(batchKeyOf(s.leaves[p].registry, s.leaves[p].serial)).status), minted ? 1 : 0);
        }
        if (rest.length > 0) mintPart(s, rest);
        _assertEveryLockMinted(s);

        // Nothing of the batch mints twice: the first leaf of any part names a used lock.
        uint256[] memory again = chosen.length > 0 ? chosen : rest;
        LockLeaf memory first = s.leaves[again[0]];
        vm.expectRevert(
            abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, first.registry, first.lockId)
        );
        mintPart(s, again);
    }

    /// @dev Changing any field of one leaf of a subset, or proving a subset against another signed root,
    /// is refused and changes nothing.
    function testFuzz_mintLocks_aTamperedLeafNeverMints(uint8 size, uint256 mask, uint256 seed, uint8 field) public {
        uint256 n = bound(size, 1, 12);
        SignedLocks memory s = signLocks(_randomLocks(n, seed));
        (uint256[] memory chosen,) = _split(n, mask);
        vm.assume(chosen.length > 0);
        (LockLeaf[] memory leaves, bytes32[] memory proof, bool[] memory flags) = part(s, chosen);
        LockLeaf memory victim = leaves[seed % leaves.length];
        uint256 which = field % 6;
        if (which == 0) victim.lockId ^= 1;
        else if (which == 1) victim.serial = string.concat(victim.serial, "0");
        else if (which == 2) victim.blockStart -= 1;
        else if (which == 3) victim.blockEnd += 1;
        else if (which == 4) victim.recipient = address(uint160(victim.recipient) ^ 1);
        else victim.registry = string.concat(victim.registry, "X");
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeInvalidLockProof.selector, s.batch.locksRoot));
        bridge.mintLocks(s.classes, leaves, proof, flags, s.batch, s.signatures);
        for (uint256 p; p < n; ++p) {
            assertFalse(bridge.isLockUsed(s.leaves[p].registry, s.leaves[p].lockId));
        }
    }

    // ---------------------------------------------------------------- deadlines and lock ids

    function testFuzz_mintLocks_deadline(uint256 deadline, uint256 nowTs) public {
        nowTs = bound(nowTs, 1, type(uint40).max); // timestamps for the next 30,000 years
        vm.warp(nowTs);
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), firstVerifierKeys(2), deadline);
        if (deadline < nowTs) {
            vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeAttestationExpired.selector, deadline));
        }
        mintAll(s);
    }

    function testFuzz_mintLocks_anyLockIdIsUsedOnce(uint256 lockId) public {
        Lock memory lock = lockOf(vcs1477(), 1, 10, alice);
        lock.lockId = lockId;
        assertFalse(bridge.isLockUsed("VCS", lockId));
        mintLock(lock);
        assertTrue(bridge.isLockUsed("VCS", lockId));
        if (lockId > 0) assertFalse(bridge.isLockUsed("VCS", lockId - 1));
        if (lockId < type(uint256).max) assertFalse(bridge.isLockUsed("VCS", lockId + 1));
        Lock memory other = lockOf(vcs1477(), 11, 10, bob);
        other.lockId = lockId;
        SignedLocks memory s = signLocks(one(other));
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeLockUsed.selector, "VCS", lockId));
        mintAll(s);
    }

    // ---------------------------------------------------------------- M of N

    /// @dev With N verifiers and threshold M, `provided` sorted signatures mint iff provided >= M.
    function testFuzz_threshold_mOfN(uint256 n, uint256 m, uint256 provided, uint256 seed) public {
        n = bound(n, 1, 8);
        m = bound(m, 1, n);
        provided = bound(provided, 0, n);
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(n, seed);
        bridge = new CarbonBridgeHarness(admin, engine, addrs, m, UNCAPPED, CAP_PERIOD);
        uint256[] memory chosen = new uint256[](provided);
        for (uint256 i; i < provided; ++i) {
            chosen[i] = keys[i];
        }
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), chosen, block.timestamp + 1 hours);
        if (provided < m) {
            vm.expectRevert(
                abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, provided, m)
            );
            mintAll(s);
        } else {
            mintAll(s);
            assertEq(bridge.classReserve(classIdOf(vcs1477())), 10);
        }
    }

    /// @dev Any permutation of the signatures mints iff it is the ascending one.
    function testFuzz_signatureOrdering(uint256 seed) public {
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(5, seed);
        bridge = new CarbonBridgeHarness(admin, engine, addrs, 5, UNCAPPED, CAP_PERIOD);
        uint256[] memory order = _shuffled(5, seed);
        uint256[] memory permutedKeys = new uint256[](5);
        bool sorted = true;
        uint256 firstOutOfOrder;
        for (uint256 i; i < 5; ++i) {
            permutedKeys[i] = keys[order[i]];
            if (sorted && i > 0 && order[i] < order[i - 1]) {
                sorted = false;
                firstOutOfOrder = i;
            }
        }
        SignedLocks memory s =
            signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), permutedKeys, block.timestamp + 1 hours);
        if (!sorted) {
            address culprit = addrs[order[firstOutOfOrder]];
            vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeSignersNotSorted.selector, culprit));
        }
        mintAll(s);
    }

    /// @dev Repeating any signature anywhere is refused (as a duplicate when adjacent, else as unsorted).
    function testFuzz_repeatedSignatureIsRefused(uint256 seed, uint256 from, uint256 to) public {
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(4, seed);
        bridge = new CarbonBridgeHarness(admin, engine, addrs, 2, UNCAPPED, CAP_PERIOD);
        from = bound(from, 0, 3);
        to = bound(to, 0, 4);
        // Insert a copy of key `from` at position `to` of the sorted list.
        uint256[] memory withCopy = new uint256[](5);
        for (uint256 i; i < 5; ++i) {
            if (i < to) withCopy[i] = keys[i];
            else if (i == to) withCopy[i] = keys[from];
            else withCopy[i] = keys[i - 1];
        }
        SignedLocks memory s = signLocksWith(one(lockOf(vcs1477(), 1, 10, alice)), withCopy, block.timestamp + 1 hours);
        // The first position where the sequence stops strictly ascending decides the error.
        for (uint256 i = 1; i < 5; ++i) {
            address previous = vm.addr(withCopy[i - 1]);
            address current = vm.addr(withCopy[i]);
            if (current == previous) {
                vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeDuplicateSigner.selector, current));
                break;
            }
            if (current < previous) {
                vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeSignersNotSorted.selector, current));
                break;
            }
        }
        mintAll(s);
    }

    // ---------------------------------------------------------------- classes

    function testFuzz_classToken_isPredictableAndCarriesTheClass(
        string memory program,
        string memory projectId,
        uint32 vintageStart,
        uint32 vintageEnd,
        string memory methodology,
        string memory hostCountry,
        uint8 labels,
        uint8 adjustment,
        uint8 unitDecimals
    ) public {
        vm.assume(bytes(program).length < 64 && bytes(projectId).length < 64);
        vm.assume(bytes(methodology).length < 128 && bytes(hostCountry).length < 8);
        unitDecimals = uint8(bound(unitDecimals, 0, 18));
        CreditClass memory c = CreditClass(
            program, projectId, vintageStart, vintageEnd, methodology, hostCountry, labels, adjustment, unitDecimals
        );
        address predicted = bridge.predictClassToken(c);
        Lock memory lock = lockOf(c, 1, 10, alice);
        lock.registry = "VCS";
        mintLock(lock);
        assertEq(bridge.classToken(classIdOf(c)), predicted);
        assertEq(bridge.weiPerUnit(classIdOf(c)), 10 ** (18 - unitDecimals));
        CarbonCreditToken token = CarbonCreditToken(predicted);
        assertEq(token.balanceOf(alice), 10 * 10 ** (18 - unitDecimals));
        CreditClass memory read = token.creditClass();
        assertEq(read.program, program);
        assertEq(read.projectId, projectId);
        assertEq(read.vintageStart, vintageStart);
        assertEq(read.vintageEnd, vintageEnd);
        assertEq(read.methodology, methodology);
        assertEq(read.hostCountry, hostCountry);
        assertEq(read.labels, labels);
        assertEq(read.adjustment, adjustment);
        assertEq(read.unitDecimals, unitDecimals);
        assertEq(token.classHash(), classHashOf(c));
        assertEq(token.classId(), classIdOf(c));
    }

    // ---------------------------------------------------------------- helpers

    /// @dev `n` locks of three classes (one counted in kilograms) to two recipients, disjoint serials.
    function _randomLocks(uint256 n, uint256 seed) private returns (Lock[] memory locks) {
        locks = new Lock[](n);
        CreditClass[3] memory classes = [vcs1477(), gs5000(), isoKg()];
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64 start = uint64(1 + 1_000_000 * i);
            locks[i] =
                lockOf(classes[r % 3], start, uint64(bound(r >> 8, 1, 100_000)), (r >> 128) % 2 == 0 ? alice : bob);
        }
    }

    /// @dev The positions `0..n-1` whose bit is set in `mask`, and the others, both ascending.
    function _split(uint256 n, uint256 mask) private pure returns (uint256[] memory chosen, uint256[] memory rest) {
        uint256 count;
        for (uint256 p; p < n; ++p) {
            if ((mask >> p) & 1 == 1) ++count;
        }
        chosen = new uint256[](count);
        rest = new uint256[](n - count);
        (uint256 c, uint256 r) = (0, 0);
        for (uint256 p; p < n; ++p) {
            if ((mask >> p) & 1 == 1) chosen[c++] = p;
            else rest[r++] = p;
        }
    }

    function _contains(uint256[] memory list, uint256 value) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == value) return true;
        }
        return false;
    }

    function _assertEveryLockMinted(SignedLocks memory s) private view {
        for (uint256 p; p < s.leaves.length; ++p) {
            LockLeaf memory leaf = s.leaves[p];
            assertTrue(bridge.isLockUsed(leaf.registry, leaf.lockId));
            assertEq(
                bridge.batch(batchKeyOf(leaf.registry, leaf.serial)).remaining, leaf.blockEnd - leaf.blockStart + 1
            );
        }
        for (uint256 c; c < s.classes.length; ++c) {
            assertClassAccounting(s.classes[c]);
        }
    }

    /// @dev Fisher-Yates shuffle of 0..n-1.
    function _shuffled(uint256 n, uint256 seed) private pure returns (uint256[] memory order) {
        order = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            order[i] = i;
        }
        for (uint256 i = n - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
