// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {Attestation, CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {CarbonCreditToken} from "../../../contracts/token/CarbonCreditToken.sol";
import {CarbonBridgeHarness} from "../harness/CarbonBridgeHarness.sol";

/// @notice Shared set-up for bridge and token tests: verifier keys, a deployed bridge (harness), sample
/// classes and attestations, and signing helpers.
abstract contract BridgeFixture is Test {
    uint256 internal constant TONNE = 1e18;
    uint256 internal constant DEFAULT_VERIFIERS = 3;
    uint256 internal constant DEFAULT_THRESHOLD = 2;

    address internal admin = makeAddr("admin");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    /// @dev Verifier keys and addresses, sorted by ascending address.
    uint256[] internal verifierKeys;
    address[] internal verifierAddrs;

    CarbonBridgeHarness internal bridge;
    uint256 internal nextNonce = 1;

    function setUp() public virtual {
        (verifierKeys, verifierAddrs) = makeVerifiers(DEFAULT_VERIFIERS, 0);
        bridge = new CarbonBridgeHarness(admin, verifierAddrs, DEFAULT_THRESHOLD);
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

    function vcs1477() internal pure returns (CreditClass memory) {
        return CreditClass({
            program: "VCS",
            projectId: "1477",
            vintageStart: 20190101,
            vintageEnd: 20191231,
            methodology: "VM0015",
            hostCountry: "ID",
            labels: 1 | 2,
            adjustment: 1
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
            adjustment: 4
        });
    }

    /// @dev A VCS-like serial string for units `start..start+quantity-1`.
    function serialOf(string memory prefix, uint64 start, uint64 quantity) internal pure returns (string memory) {
        return string.concat(prefix, "-", vm.toString(start), "-", vm.toString(start + quantity - 1));
    }

    /// @dev A well-formed attestation of `quantity` tonnes of `creditClass` to `recipient`, with a fresh nonce.
    function attest(CreditClass memory creditClass, uint64 start, uint64 quantity, address recipient)
        internal
        returns (Attestation memory a)
    {
        a = Attestation({
            registry: creditClass.program,
            serial: serialOf(string.concat(creditClass.program, creditClass.projectId), start, quantity),
            blockStart: start,
            blockEnd: start + quantity - 1,
            quantity: quantity,
            creditClass: creditClass,
            recipient: recipient,
            nonce: nextNonce++,
            deadline: block.timestamp + 1 hours
        });
    }

    /// @dev Signatures of `a` by `keys`, in the order given.
    function signWith(Attestation memory a, uint256[] memory keys) internal view returns (bytes[] memory sigs) {
        bytes32 digest = bridge.hashAttestation(a);
        sigs = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            sigs[i] = abi.encodePacked(r, s, v);
        }
    }

    /// @dev Signatures of `a` by the first `count` verifiers (ascending address, as the bridge wants).
    function sign(Attestation memory a, uint256 count) internal view returns (bytes[] memory) {
        uint256[] memory keys = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            keys[i] = verifierKeys[i];
        }
        return signWith(a, keys);
    }

    /// @dev Signs `a` with the threshold number of verifiers and mints it.
    function mintSigned(Attestation memory a) internal returns (bytes32) {
        return bridge.mint(a, sign(a, bridge.threshold()));
    }

    /// @dev Bridges units `start..start+quantity-1` of `creditClass` to `recipient`; returns the batch key.
    function bridgeUnits(CreditClass memory creditClass, uint64 start, uint64 quantity, address recipient)
        internal
        returns (bytes32)
    {
        return mintSigned(attest(creditClass, start, quantity, recipient));
    }

    /// @dev The token of `creditClass` (zero if none yet).
    function tokenOf(CreditClass memory creditClass) internal view returns (CarbonCreditToken) {
        return CarbonCreditToken(bridge.classToken(classIdOf(creditClass)));
    }

    /// @dev Batch keys and tonnes as the settlement functions take them, from one pair.
    function split1(bytes32 key, uint64 tonnes) internal pure returns (bytes32[] memory keys, uint64[] memory amounts) {
        keys = new bytes32[](1);
        keys[0] = key;
        amounts = new uint64[](1);
        amounts[0] = tonnes;
    }

    /// @dev Batch keys and tonnes as the settlement functions take them, from two pairs.
    function split2(bytes32 key0, uint64 tonnes0, bytes32 key1, uint64 tonnes1)
        internal
        pure
        returns (bytes32[] memory keys, uint64[] memory amounts)
    {
        keys = new bytes32[](2);
        (keys[0], keys[1]) = (key0, key1);
        amounts = new uint64[](2);
        (amounts[0], amounts[1]) = (tonnes0, tonnes1);
    }

    /// @dev The accounting identity of a class: `classReserve * 1e18 == totalSupply + retiredUnsettled`.
    function assertClassAccounting(CreditClass memory creditClass) internal view {
        bytes32 classId = classIdOf(creditClass);
        CarbonCreditToken token = tokenOf(creditClass);
        assertEq(
            bridge.classReserve(classId) * TONNE,
            token.totalSupply() + bridge.retiredUnsettled(classId),
            "reserve x 1e18 == supply + retired unsettled"
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
                    "CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment)"
                ),
                keccak256(bytes(c.program)),
                keccak256(bytes(c.projectId)),
                c.vintageStart,
                c.vintageEnd,
                keccak256(bytes(c.methodology)),
                keccak256(bytes(c.hostCountry)),
                c.labels,
                c.adjustment
            )
        );
    }
}
