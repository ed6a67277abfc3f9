// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";

import {CreditClass} from "../../../contracts/interfaces/CarbonTypes.sol";
import {CreditClassCodec} from "../../../contracts/libraries/CreditClassCodec.sol";

/// @notice The library's calldata entry points, callable from a test.
contract CreditClassCodecHarness {
    function encodeArgs(CreditClass calldata creditClass) external pure returns (bytes memory) {
        return CreditClassCodec.encodeArgs(creditClass);
    }

    function decodeArgs(bytes memory args) external pure returns (CreditClass memory) {
        return CreditClassCodec.decodeArgs(args);
    }

    /// @dev Encodes `a`, allocates a word, encodes `b`, all in one call's memory.
    function encodeInTurn(CreditClass calldata a, CreditClass calldata b)
        external
        pure
        returns (bytes memory first, bytes32 between, bytes memory second)
    {
        first = CreditClassCodec.encodeArgs(a);
        bytes32[] memory guard = new bytes32[](1);
        guard[0] = keccak256("guard");
        second = CreditClassCodec.encodeArgs(b);
        between = guard[0];
    }
}

/// @notice The class token's args encoding, written by hand into one allocation, is exactly the documented
/// layout (packed here the plain way) and decodes back to the class.
contract CreditClassCodecTest is Test {
    CreditClassCodecHarness internal codec = new CreditClassCodecHarness();

    function testFuzz_encodeArgs_isTheDocumentedLayoutAndDecodesBack(
        string memory program,
        string memory projectId,
        uint32 vintageStart,
        uint32 vintageEnd,
        string memory methodology,
        string memory hostCountry,
        uint8 labels,
        uint8 adjustment,
        uint8 unitDecimals
    ) public view {
        CreditClass memory c = CreditClass(
            program, projectId, vintageStart, vintageEnd, methodology, hostCountry, labels, adjustment, unitDecimals
        );
        bytes memory expected = abi.encodePacked(
            abi.encodePacked(vintageStart, vintageEnd, labels, adjustment, unitDecimals),
            _prefixed(program),
            _prefixed(projectId),
            _prefixed(methodology),
            _prefixed(hostCountry)
        );
        bytes memory args = codec.encodeArgs(c);
        assertEq(args, expected);
        CreditClass memory back = codec.decodeArgs(args);
        assertEq(keccak256(abi.encode(back)), keccak256(abi.encode(c)));
    }

    /// @dev Encodings and allocations back to back in one call's memory do not overwrite each other.
    function test_encodeArgs_keepsToItsAllocation() public view {
        CreditClass memory a = CreditClass("VCS", "1477", 20190101, 20191231, "VM0015", "ID", 3, 1, 0);
        CreditClass memory b = CreditClass("GS", "GS5000", 20210101, 20211231, "AMS-I.D.", "IN", 2, 4, 3);
        (bytes memory first, bytes32 between, bytes memory second) = codec.encodeInTurn(a, b);
        assertEq(first, codec.encodeArgs(a));
        assertEq(second, codec.encodeArgs(b));
        assertEq(between, keccak256("guard"));
    }

    function _prefixed(string memory value) private pure returns (bytes memory) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return abi.encodePacked(uint16(bytes(value).length), value);
    }
}
