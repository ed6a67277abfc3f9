// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Attestation, CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {IAttestationVerifier} from "../../../contracts/interfaces/IAttestationVerifier.sol";
import {ICarbonBridge} from "../../../contracts/interfaces/ICarbonBridge.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {BridgeFixture} from "../utils/BridgeFixture.sol";

contract CarbonBridgeFuzzTest is BridgeFixture {
    // ---------------------------------------------------------------- quantities and ranges

    function testFuzz_mint_anyConsistentRange(uint64 blockStart, uint64 quantity) public {
        quantity = uint64(bound(quantity, 1, type(uint64).max));
        blockStart = uint64(bound(blockStart, 0, type(uint64).max - (quantity - 1)));
        Attestation memory a = attest(vcs1477(), 1, 1, alice);
        a.blockStart = blockStart;
        a.blockEnd = blockStart + (quantity - 1);
        a.quantity = quantity;
        bytes32 key = mintSigned(a);
        CarbonCreditToken token = CarbonCreditToken(bridge.classToken(classIdOf(vcs1477())));
        assertEq(token.balanceOf(alice), uint256(quantity) * TONNE);
        assertEq(bridge.classReserve(classIdOf(vcs1477())), quantity);
        assertEq(bridge.batch(key).remaining, quantity);
    }

    function testFuzz_mint_rejectsInconsistentRange(uint64 blockStart, uint64 blockEnd, uint64 quantity) public {
        vm.assume(blockEnd < blockStart || uint256(blockEnd) - blockStart + 1 != quantity);
        Attestation memory a = attest(vcs1477(), 1, 1, alice);
        a.blockStart = blockStart;
        a.blockEnd = blockEnd;
        a.quantity = quantity;
        bytes[] memory sigs = sign(a, 2);
        vm.expectRevert(
            abi.encodeWithSelector(ICarbonBridge.BridgeQuantityMismatch.selector, blockStart, blockEnd, quantity)
        );
        bridge.mint(a, sigs);
    }

    function testFuzz_mint_reserveIsTheSumOfBatches(uint64[8] memory quantities) public {
        uint256 total;
        uint64 start = 1;
        for (uint256 i; i < quantities.length; ++i) {
            uint64 q = uint64(bound(quantities[i], 1, 1e12));
            mintSigned(attest(vcs1477(), start, q, i % 2 == 0 ? alice : bob));
            start += q;
            total += q;
        }
        CarbonCreditToken token = CarbonCreditToken(bridge.classToken(classIdOf(vcs1477())));
        assertEq(bridge.classReserve(classIdOf(vcs1477())), total);
        assertEq(token.totalSupply(), total * TONNE);
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), total * TONNE);
    }

    // ---------------------------------------------------------------- deadlines and nonces

    function testFuzz_mint_deadline(uint256 deadline, uint256 nowTs) public {
        nowTs = bound(nowTs, 1, type(uint64).max);
        vm.warp(nowTs);
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        a.deadline = deadline;
        bytes[] memory sigs = sign(a, 2);
        if (deadline < nowTs) {
            vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeAttestationExpired.selector, deadline));
        }
        bridge.mint(a, sigs);
    }

    function testFuzz_mint_anyNonceIsSingleUse(uint256 nonce) public {
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        a.nonce = nonce;
        assertFalse(bridge.isNonceUsed(nonce));
        mintSigned(a);
        assertTrue(bridge.isNonceUsed(nonce));
        if (nonce > 0) assertFalse(bridge.isNonceUsed(nonce - 1));
        if (nonce < type(uint256).max) assertFalse(bridge.isNonceUsed(nonce + 1));
        Attestation memory b = attest(vcs1477(), 11, 10, alice);
        b.nonce = nonce;
        bytes[] memory sigs = sign(b, 2);
        vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeNonceUsed.selector, nonce));
        bridge.mint(b, sigs);
    }

    // ---------------------------------------------------------------- M of N

    /// @dev With N verifiers and threshold M, `provided` sorted signatures mint iff provided >= M.
    function testFuzz_threshold_mOfN(uint256 n, uint256 m, uint256 provided, uint256 seed) public {
        n = bound(n, 1, 8);
        m = bound(m, 1, n);
        provided = bound(provided, 0, n);
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(n, seed);
        bridge = new CarbonBridgeHarness(admin, addrs, m);
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        uint256[] memory chosen = new uint256[](provided);
        for (uint256 i; i < provided; ++i) {
            chosen[i] = keys[i];
        }
        bytes[] memory sigs = signWith(a, chosen);
        if (provided < m) {
            vm.expectRevert(
                abi.encodeWithSelector(IAttestationVerifier.BridgeInsufficientSignatures.selector, provided, m)
            );
            bridge.mint(a, sigs);
        } else {
            bridge.mint(a, sigs);
            assertEq(bridge.classReserve(classIdOf(vcs1477())), 10);
        }
    }

    /// @dev Any permutation of the signatures mints iff it is the ascending one.
    function testFuzz_signatureOrdering(uint256 seed) public {
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(5, seed);
        bridge = new CarbonBridgeHarness(admin, addrs, 5);
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
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = signWith(a, permutedKeys);
        if (!sorted) {
            address culprit = addrs[order[firstOutOfOrder]];
            vm.expectRevert(abi.encodeWithSelector(IAttestationVerifier.BridgeSignersNotSorted.selector, culprit));
        }
        bridge.mint(a, sigs);
    }

    /// @dev Repeating any signature anywhere is refused (as a duplicate when adjacent, else as unsorted).
    function testFuzz_repeatedSignatureIsRefused(uint256 seed, uint256 from, uint256 to) public {
        (uint256[] memory keys, address[] memory addrs) = makeVerifiers(4, seed);
        bridge = new CarbonBridgeHarness(admin, addrs, 2);
        from = bound(from, 0, 3);
        to = bound(to, 0, 4);
        // Insert a copy of key `from` at position `to` of the sorted list.
        uint256[] memory withCopy = new uint256[](5);
        for (uint256 i; i < 5; ++i) {
            if (i < to) withCopy[i] = keys[i];
            else if (i == to) withCopy[i] = keys[from];
            else withCopy[i] = keys[i - 1];
        }
        Attestation memory a = attest(vcs1477(), 1, 10, alice);
        bytes[] memory sigs = signWith(a, withCopy);
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
        bridge.mint(a, sigs);
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
        uint8 adjustment
    ) public {
        vm.assume(bytes(program).length < 64 && bytes(projectId).length < 64);
        vm.assume(bytes(methodology).length < 128 && bytes(hostCountry).length < 8);
        CreditClass memory c =
            CreditClass(program, projectId, vintageStart, vintageEnd, methodology, hostCountry, labels, adjustment);
        address predicted = bridge.predictClassToken(c);
        Attestation memory a = attest(c, 1, 10, alice);
        a.registry = "VCS";
        mintSigned(a);
        assertEq(bridge.classToken(classIdOf(c)), predicted);
        CarbonCreditToken token = CarbonCreditToken(predicted);
        CreditClass memory read = token.creditClass();
        assertEq(read.program, program);
        assertEq(read.projectId, projectId);
        assertEq(read.vintageStart, vintageStart);
        assertEq(read.vintageEnd, vintageEnd);
        assertEq(read.methodology, methodology);
        assertEq(read.hostCountry, hostCountry);
        assertEq(read.labels, labels);
        assertEq(read.adjustment, adjustment);
        assertEq(token.classHash(), classHashOf(c));
        assertEq(token.classId(), classIdOf(c));
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
