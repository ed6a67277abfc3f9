// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {CarbonBridge} from "../../../contracts/bridge/CarbonBridge.sol";
import {CreditClass, Lock, LockBatch, LockLeaf} from "../../../contracts/interfaces/CarbonTypes.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";
import {MerkleTrees} from "./MerkleTrees.sol";

/// @notice Shared set-up for bridge and token tests: verifier keys, a deployed bridge (harness) with an admin
/// and an engine that are different accounts, sample classes and registry locks, and signing helpers that
/// build lock batches (Merkle tree, multiproofs) independently of the contracts.
abstract contract BridgeFixture is Test {
    /// @dev A signed batch of locks: what verifiers signed and everything a mint of any part of it needs.
    struct SignedLocks {
        /// @dev Each distinct class once; leaves name them by index.
        CreditClass[] classes;
        /// @dev Every lock of the batch, sorted by leaf hash (the order the contract takes them in).
        LockLeaf[] leaves;
        /// @dev The Merkle tree over the sorted leaf hashes (root first).
        bytes32[] tree;
        LockBatch batch;
        bytes[] signatures;
    }

    uint256 internal constant TONNE = 1e18;
    uint256 internal constant DEFAULT_VERIFIERS = 3;
    uint256 internal constant DEFAULT_THRESHOLD = 2;
    /// @dev The fixture's mint cap never binds; the cap's own tests lower it.
    uint64 internal constant UNCAPPED = type(uint64).max;
    uint32 internal constant CAP_PERIOD = 1 days;

    /// @dev Stands for the timelock (or multisig) in unit tests; the timelock itself has tests of its own.
    address internal admin = makeAddr("admin");
    /// @dev The bridge engine's sending key: PAUSER_ROLE and SETTLER_ROLE only.
    address internal engine = makeAddr("engine");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    /// @dev Verifier keys and addresses, sorted by ascending address.
    uint256[] internal verifierKeys;
    address[] internal verifierAddrs;

    CarbonBridgeHarness internal bridge;
    uint256 internal nextLockId = 1;

    function setUp() public virtual {
        (verifierKeys, verifierAddrs) = makeVerifiers(DEFAULT_VERIFIERS, 0);
        bridge = new CarbonBridgeHarness(admin, engine, verifierAddrs, DEFAULT_THRESHOLD, UNCAPPED, CAP_PERIOD);
        vm.warp(1_700_000_000);
    }

    /// @dev `count` verifier keys derived from `seed`, sorted by ascending address.
    function makeVerifiers(uint256 count, uint256 seed)
        internal
        pure
        returns (uint256[] memory keys, address[] memory addrs)
    {
        keys = new uint256[](count);
        addrs = new address[](count);
        for (uint256 i; i < count; ++i) {
            keys[i] = uint256(keccak256(abi.encode("verifier", seed, i))) % (2 ** 255) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        // Insertion sort by address (small arrays).
        for (uint256 i = 1; i < count; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    // ---------------------------------------------------------------- classes

    function vcs1477() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "VCS",
            projectId: "1477",
            vintageStart: 20190101,
            vintageEnd: 20191231,
            methodology: "VM0015",
            hostCountry: "ID",
            labels: 1 | 2,
            adjustment: 1,
            unitDecimals: 0
        });
    }

    function gs5000() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "GS",
            projectId: "GS5000",
            vintageStart: 20210101,
            vintageEnd: 20211231,
            methodology: "AMS-I.D.",
            hostCountry: "IN",
            labels: 2,
            adjustment: 4,
            unitDecimals: 0
        });
    }

    /// @dev A removal program whose registry counts kilograms (unitDecimals 3).
    function isoKg() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "ISO",
            projectId: "DAC-9",
            vintageStart: 20240101,
            vintageEnd: 20241231,
            methodology: "ISO-DAC-1.0",
            hostCountry: "IS",
            labels: 4,
            adjustment: 1,
            unitDecimals: 3
        });
    }

    /// @dev Token wei per registry unit of `c`.
    function unitWei(CreditClass memory c) internal pure returns (uint256) {
        return 10 ** (18 - c.unitDecimals);
    }

    // ---------------------------------------------------------------- locks

    /// @dev A VCS-like serial string for units `start..start+quantity-1`.
    function serialOf(string memory prefix, uint64 start, uint64 quantity) internal pure returns (string memory) {
        return string.concat(prefix, "-", vm.toString(start), "-", vm.toString(start + quantity - 1));
    }

    /// @dev A registry lock of `quantity` units of `creditClass` for `recipient`, with a fresh lock id.
    function lockOf(CreditClass memory creditClass, uint64 start, uint64 quantity, address recipient)
        internal
        returns (Lock memory)
    {
        return Lock({
            lockId: nextLockId++,
            registry: creditClass.program,
            serial: serialOf(string.concat(creditClass.program, creditClass.projectId), start, quantity),
            blockStart: start,
            blockEnd: start + quantity - 1,
            creditClass: creditClass,
            recipient: recipient
        });
    }

    /// @dev One lock as a batch of one.
    function one(Lock memory lock) internal pure returns (Lock[] memory locks) {
        locks = new Lock[](1);
        locks[0] = lock;
    }

    /// @dev The Merkle leaf of `lock`, computed here from the literal type strings, independently of the contracts.
    function leafHashOf(Lock memory lock) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(
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
        return keccak256(bytes.concat(structHash));
    }

    // ---------------------------------------------------------------- signing

    /// @dev `locks` as a batch signed by the threshold number of verifiers, valid for an hour.
    function signLocks(Lock[] memory locks) internal view returns (SignedLocks memory) {
        return signLocksWith(locks, firstVerifierKeys(bridge.threshold()), block.timestamp + 1 hours);
    }

    /// @dev `locks` as a batch signed by `keys` (in the order given), valid until `deadline`.
    function signLocksWith(Lock[] memory locks, uint256[] memory keys, uint256 deadline)
        internal
        view
        returns (SignedLocks memory)
    {
        return signLocksFor(bridge, locks, keys, deadline);
    }

    /// @dev As {signLocksWith}, for the bridge `on` (the EIP-712 domain names the bridge).
    function signLocksFor(CarbonBridge on, Lock[] memory locks, uint256[] memory keys, uint256 deadline)
        internal
        view
        returns (SignedLocks memory s)
    {
        uint256 n = locks.length;
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            hashes[i] = leafHashOf(locks[i]);
        }
        bytes32[] memory sortedHashes = MerkleTrees.sorted(hashes);
        s.tree = MerkleTrees.build(sortedHashes);
        s.classes = new CreditClass[](n);
        s.leaves = new LockLeaf[](n);
        uint256 classCount;
        for (uint256 p; p < n; ++p) {
            Lock memory lock = locks[_indexOf(hashes, sortedHashes[p])];
            uint256 c = _classIndex(s.classes, classCount, lock.creditClass);
            if (c == classCount) s.classes[classCount++] = lock.creditClass;
            s.leaves[p] = LockLeaf({
                lockId: lock.lockId,
                registry: lock.registry,
                serial: lock.serial,
                blockStart: lock.blockStart,
                blockEnd: lock.blockEnd,
                // forge-lint: disable-next-line(unsafe-typecast)
                classIndex: uint16(c),
                recipient: lock.recipient
            });
        }
        CreditClass[] memory classes = s.classes;
        assembly ("memory-safe") {
            mstore(classes, classCount) // shrink to the distinct classes
        }
        s.batch = LockBatch(s.tree[0], deadline);
        s.signatures = signBatchFor(on, s.batch, keys);
    }

    /// @dev Signatures of `batch` for the bridge `on` by `keys`, in the order given.
    function signBatchFor(CarbonBridge on, LockBatch memory batch, uint256[] memory keys)
        internal
        view
        returns (bytes[] memory sigs)
    {
        bytes32 digest = on.hashLockBatch(batch);
        sigs = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev The first `count` verifier keys (ascending address, as the bridge wants them).
    function firstVerifierKeys(uint256 count) internal view returns (uint256[] memory keys) {
        keys = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            keys[i] = verifierKeys[i];
        }
    }

    // ---------------------------------------------------------------- minting

    /// @dev The leaves at sorted positions `positions` (ascending) of `s`, with their multiproof.
    function part(SignedLocks memory s, uint256[] memory positions)
        internal
        pure
        returns (LockLeaf[] memory leaves, bytes32[] memory proof, bool[] memory flags)
    {
        leaves = new LockLeaf[](positions.length);
        for (uint256 i; i < positions.length; ++i) {
            leaves[i] = s.leaves[positions[i]];
        }
        (proof, flags) = MerkleTrees.multiproof(s.tree, s.leaves.length, positions);
    }

    /// @dev Every position of a batch of `n` leaves.
    function allPositions(uint256 n) internal pure returns (uint256[] memory positions) {
        positions = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            positions[i] = i;
        }
    }

    /// @dev Mints the leaves at `positions` of `s`.
    function mintPart(SignedLocks memory s, uint256[] memory positions) internal {
        mintPartOn(bridge, s, positions);
    }

    /// @dev Mints the leaves at `positions` of `s` on the bridge `on`.
    function mintPartOn(CarbonBridge on, SignedLocks memory s, uint256[] memory positions) internal {
        (LockLeaf[] memory leaves, bytes32[] memory proof, bool[] memory flags) = part(s, positions);
        on.mintLocks(s.classes, leaves, proof, flags, s.batch, s.signatures);
    }

    /// @dev Mints every lock of `s`.
    function mintAll(SignedLocks memory s) internal {
        mintPart(s, allPositions(s.leaves.length));
    }

    /// @dev Signs `lock` alone with the threshold number of verifiers and mints it; returns its batch key.
    function mintLock(Lock memory lock) internal returns (bytes32) {
        mintAll(signLocks(one(lock)));
        return batchKeyOf(lock.registry, lock.serial);
    }

    /// @dev Bridges units `start..start+quantity-1` of `creditClass` to `recipient`; returns the batch key.
    function bridgeUnits(CreditClass memory creditClass, uint64 start, uint64 quantity, address recipient)
        internal
        returns (bytes32)
    {
        return mintLock(lockOf(creditClass, start, quantity, recipient));
    }

    // ---------------------------------------------------------------- reading

    /// @dev The token of `creditClass` (zero if none yet).
    function tokenOf(CreditClass memory creditClass) internal view returns (CarbonCreditToken) {
        return CarbonCreditToken(bridge.classToken(classIdOf(creditClass)));
    }

    /// @dev Batch keys and units as the settlement functions take them, from one pair.
    function split1(bytes32 key, uint64 units) internal pure returns (bytes32[] memory keys, uint64[] memory amounts) {
        keys = new bytes32[](1);
        keys[0] = key;
        amounts = new uint64[](1);
        amounts[0] = units;
    }

    /// @dev Batch keys and units as the settlement functions take them, from two pairs.
    function split2(bytes32 key0, uint64 units0, bytes32 key1, uint64 units1)
        internal
        pure
        returns (bytes32[] memory keys, uint64[] memory amounts)
    {
        keys = new bytes32[](2);
        (keys[0], keys[1]) = (key0, key1);
        amounts = new uint64[](2);
        (amounts[0], amounts[1]) = (units0, units1);
    }

    /// @dev The accounting identity of a class: `classReserve * weiPerUnit == totalSupply + retiredUnsettled`.
    function assertClassAccounting(CreditClass memory creditClass) internal view {
        bytes32 classId = classIdOf(creditClass);
        CarbonCreditToken token = tokenOf(creditClass);
        assertEq(
            bridge.classReserve(classId) * unitWei(creditClass),
            token.totalSupply() + bridge.retiredUnsettled(classId),
            "reserve x weiPerUnit == supply + retired unsettled"
        );
        assertEq(token.balanceOf(address(bridge)), bridge.escrowed(classId), "the bridge holds exactly the escrow");
    }

    function batchKeyOf(string memory registry, string memory serial) internal pure returns (bytes32) {
        return keccak256(abi.encode(keccak256(bytes(registry)), keccak256(bytes(serial))));
    }

    function classIdOf(CreditClass memory c) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(keccak256(bytes(c.program)), keccak256(bytes(c.projectId)), c.vintageStart, c.vintageEnd)
            );
    }

    /// @dev The class hash computed here from the literal type string, independently of the contracts.
    function classHashOf(CreditClass memory c) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(
                    "CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)"
                ),
                keccak256(bytes(c.program)),
                keccak256(bytes(c.projectId)),
                c.vintageStart,
                c.vintageEnd,
                keccak256(bytes(c.methodology)),
                keccak256(bytes(c.hostCountry)),
                c.labels,
                c.adjustment,
                c.unitDecimals
            )
        );
    }

    function _indexOf(bytes32[] memory hashes, bytes32 wanted) private pure returns (uint256) {
        for (uint256 i; i < hashes.length; ++i) {
            if (hashes[i] == wanted) return i;
        }
        revert("BridgeFixture: leaf not found");
    }

    /// @dev The index of `c` among the first `count` of `classes` (by class hash), or `count` if absent.
    function _classIndex(CreditClass[] memory classes, uint256 count, CreditClass memory c)
        private
        pure
        returns (uint256)
    {
        bytes32 wanted = classHashOf(c);
        for (uint256 i; i < count; ++i) {
            if (classHashOf(classes[i]) == wanted) return i;
        }
        return count;
    }
}
