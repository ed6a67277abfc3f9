// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A credit class: one registry program + one project + one vintage, with the attributes that
/// pools and buyers filter on. Every class has exactly one ERC-20 token, created by the bridge.
/// @dev Mirrors the EIP-712 type
/// `CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment)`.
/// The identity of a class (its `classId`) is program + projectId + vintageStart + vintageEnd; the other
/// attributes are fixed by the first batch bridged into the class and must match on every later batch.
struct CreditClass {
    /// @dev Registry/program code, e.g. "VCS", "GS", "ACR", "CAR", "CDM", "PURO", "CCER".
    string program;
    /// @dev Project identifier within the program, e.g. "1477".
    string projectId;
    /// @dev First day of the vintage as YYYYMMDD, e.g. 20190101.
    uint32 vintageStart;
    /// @dev Last day of the vintage as YYYYMMDD, e.g. 20191231.
    uint32 vintageEnd;
    /// @dev Methodology code, e.g. "VM0015" (may be empty).
    string methodology;
    /// @dev ISO 3166-1 alpha-2 host country, e.g. "ID".
    string hostCountry;
    /// @dev Bitmask: 1 CCP_APPROVED, 2 CORSIA_ELIGIBLE, 4 REMOVAL, 8 ARTICLE6_AUTHORIZED.
    uint8 labels;
    /// @dev Corresponding adjustment: 0 UNKNOWN, 1 NOT_APPLICABLE, 2 NOT_STARTED, 3 PENDING, 4 COMPLETED.
    uint8 adjustment;
}

/// @notice What M of N verifiers sign before the bridge mints `quantity` tonnes of a class to `recipient`.
/// @dev Mirrors the EIP-712 type
/// `Attestation(string registry,string serial,uint64 blockStart,uint64 blockEnd,uint64 quantity,CreditClass creditClass,address recipient,uint256 nonce,uint256 deadline)`
/// followed by the `CreditClass` type string (nested-struct encoding).
struct Attestation {
    /// @dev The registry/program that holds the credits, e.g. "VCS".
    string registry;
    /// @dev The serial block as the registry prints it.
    string serial;
    /// @dev First unit number of the block (inclusive).
    uint64 blockStart;
    /// @dev Last unit number of the block (inclusive).
    uint64 blockEnd;
    /// @dev Tonnes; must equal `blockEnd - blockStart + 1`.
    uint64 quantity;
    /// @dev The class of every unit in the block.
    CreditClass creditClass;
    /// @dev Who receives `quantity * 1e18` class tokens.
    address recipient;
    /// @dev Single-use number, global to the bridge (a bitmap records used nonces).
    uint256 nonce;
    /// @dev Unix seconds; the attestation is valid while `block.timestamp <= deadline`.
    uint256 deadline;
}
