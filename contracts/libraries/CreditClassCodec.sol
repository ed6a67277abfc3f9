// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CreditClass} from "../interfaces/CarbonTypes.sol";

/// @title CreditClassCodec
/// @notice Hashing of credit classes (EIP-712 struct hashes and class ids), and the compact encoding of a
/// class into a class token's clone immutable args.
/// @dev The args encoding is
/// `vintageStart (4 bytes) | vintageEnd (4) | labels (1) | adjustment (1) | unitDecimals (1)` followed by
/// `program`, `projectId`, `methodology`, `hostCountry`, each as a 2-byte big-endian length and its bytes.
/// It is injective: each string is length-prefixed, and a length that does not fit in 2 bytes is
/// impossible because OpenZeppelin `Clones` refuses args longer than 24,531 bytes.
library CreditClassCodec {
    /// @dev The EIP-712 type hash of `CreditClass`.
    bytes32 internal constant CREDIT_CLASS_TYPEHASH = keccak256(
        "CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)"
    );

    /// @dev Length of the fixed-size head of the args encoding.
    uint256 private constant _HEAD_LENGTH = 11;
    /// @dev Length of the length prefix of each string in the args encoding.
    uint256 private constant _PREFIX_LENGTH = 2;

    /// @dev `(classId, classHash)` of a class in calldata; the program and project hashes are shared.
    function keys(CreditClass calldata creditClass) internal pure returns (bytes32 classId, bytes32 classHash) {
        bytes32 programHash = keccak256(bytes(creditClass.program));
        bytes32 projectHash = keccak256(bytes(creditClass.projectId));
        classId = _classId(programHash, projectHash, creditClass.vintageStart, creditClass.vintageEnd);
        classHash = keccak256(
            abi.encode(
                CREDIT_CLASS_TYPEHASH,
                programHash,
                projectHash,
                creditClass.vintageStart,
                creditClass.vintageEnd,
                keccak256(bytes(creditClass.methodology)),
                keccak256(bytes(creditClass.hostCountry)),
                creditClass.labels,
                creditClass.adjustment,
                creditClass.unitDecimals
            )
        );
    }

    /// @dev The class id of a class in memory; same value as the first result of {keys}.
    function classIdMemory(CreditClass memory creditClass) internal pure returns (bytes32) {
        return _classId(
            keccak256(bytes(creditClass.program)),
            keccak256(bytes(creditClass.projectId)),
            creditClass.vintageStart,
            creditClass.vintageEnd
        );
    }

    /// @dev The EIP-712 struct hash of a class in memory; same value as the second result of {keys}.
    function classHashMemory(CreditClass memory creditClass) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                CREDIT_CLASS_TYPEHASH,
                keccak256(bytes(creditClass.program)),
                keccak256(bytes(creditClass.projectId)),
                creditClass.vintageStart,
                creditClass.vintageEnd,
                keccak256(bytes(creditClass.methodology)),
                keccak256(bytes(creditClass.hostCountry)),
                creditClass.labels,
                creditClass.adjustment,
                creditClass.unitDecimals
            )
        );
    }

    /// @dev The clone immutable args of a class token (see the library notes for the layout). Written into one
    /// allocation straight from calldata: every mint of an existing class re-derives its token's address from
    /// them, and packing length-prefixed copies with `abi.encodePacked` cost about 1,000 gas more.
    function encodeArgs(CreditClass calldata creditClass) internal pure returns (bytes memory args) {
        string calldata program = creditClass.program;
        string calldata projectId = creditClass.projectId;
        string calldata methodology = creditClass.methodology;
        string calldata hostCountry = creditClass.hostCountry;
        uint256 head = (uint256(creditClass.vintageStart) << 224) | (uint256(creditClass.vintageEnd) << 192)
            | (uint256(creditClass.labels) << 184) | (uint256(creditClass.adjustment) << 176)
            | (uint256(creditClass.unitDecimals) << 168);
        assembly ("memory-safe") {
            // `uint16(length) | bytes` of a calldata string at `out`; returns where the next part goes. The
            // 32-byte store of the length is overwritten by what follows, or falls in the slack word.
            function append(out, offset, size) -> next {
                mstore(out, shl(240, size))
                calldatacopy(add(out, 2), offset, size)
                next := add(out, add(2, size))
            }
            // Calldata lengths are far below 2^256: no overflow.
            let length :=
                add(
                    add(add(_HEAD_LENGTH, mul(4, _PREFIX_LENGTH)), add(program.length, projectId.length)),
                    add(methodology.length, hostCountry.length)
                )
            args := mload(0x40)
            mstore(args, length)
            // The bytes, then a word of slack, rounded up to whole words.
            mstore(0x40, add(args, and(add(length, 95), not(31))))
            let out := add(args, 32)
            mstore(out, head) // the 11-byte head; the rest of the word is overwritten next
            out := append(add(out, _HEAD_LENGTH), program.offset, program.length)
            out := append(out, projectId.offset, projectId.length)
            out := append(out, methodology.offset, methodology.length)
            pop(append(out, hostCountry.offset, hostCountry.length))
        }
    }

    /// @dev The class encoded by {encodeArgs}. Reverts (out-of-bounds panic) on malformed input.
    function decodeArgs(bytes memory args) internal pure returns (CreditClass memory creditClass) {
        creditClass.vintageStart = uint32(_readUint(args, 0, 4));
        creditClass.vintageEnd = uint32(_readUint(args, 4, 4));
        creditClass.labels = uint8(_readUint(args, 8, 1));
        creditClass.adjustment = uint8(_readUint(args, 9, 1));
        creditClass.unitDecimals = uint8(_readUint(args, 10, 1));
        uint256 offset = _HEAD_LENGTH;
        (creditClass.program, offset) = _readString(args, offset);
        (creditClass.projectId, offset) = _readString(args, offset);
        (creditClass.methodology, offset) = _readString(args, offset);
        (creditClass.hostCountry,) = _readString(args, offset);
    }

    function _classId(bytes32 programHash, bytes32 projectHash, uint32 vintageStart, uint32 vintageEnd)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(programHash, projectHash, vintageStart, vintageEnd));
    }

    /// @dev Writes `uint16(length) | bytes` of `value` at memory `out` (inside an allocation of {encodeArgs});
    /// returns where the next part goes. A length over 65,535 cannot reach a clone (see the library notes).
    function _append(uint256 out, string calldata value) private pure returns (uint256 next) {
        assembly ("memory-safe") {
            mstore(out, shl(240, value.length)) // the 2-byte length; the rest of the word is overwritten next
            calldatacopy(add(out, 2), value.offset, value.length)
            next := add(out, add(2, value.length))
        }
    }

    /// @dev The big-endian unsigned integer in `size` bytes of `data` from `offset`.
    function _readUint(bytes memory data, uint256 offset, uint256 size) private pure returns (uint256 value) {
        for (uint256 i; i < size; ++i) {
            value = (value << 8) | uint8(data[offset + i]);
        }
    }

    /// @dev The length-prefixed string of `data` at `offset`, and the offset just past it.
    function _readString(bytes memory data, uint256 offset) private pure returns (string memory value, uint256 next) {
        uint256 length = _readUint(data, offset, 2);
        offset += 2;
        bytes memory out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            out[i] = data[offset + i];
        }
        return (string(out), offset + length);
    }
}
