// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice A credit class: one registry program + one project + one vintage, with the attributes that
/// pools and buyers filter on. Every class has exactly one ERC-20 token, created by the bridge.
/// @dev Mirrors the EIP-712 type
/// `CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)`.
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
    /// @dev The registry's unit as a power of ten below a tonne: 0 when the registry counts tonnes, 3 when it
    /// counts kilograms (at most 18). One registry unit is `10 ** (18 - unitDecimals)` token wei; reserves,
    /// batches, redemptions and settlements of the class count registry units.
    uint8 unitDecimals;
}

/// @notice One lock of the registry, as verifiers attest it: the registry immobilized units
/// `blockStart..blockEnd` of serial block `serial` in the bridge's trust account under its own lock id
/// `lockId`, for class tokens to `recipient`.
/// @dev Mirrors the EIP-712 type
/// `Lock(uint256 lockId,string registry,string serial,uint64 blockStart,uint64 blockEnd,CreditClass creditClass,address recipient)`
/// followed by the `CreditClass` type string (nested-struct encoding). The Merkle leaf of a lock is
/// `keccak256(bytes.concat(hashStruct(lock)))`, as in OpenZeppelin's StandardMerkleTree. The quantity is not
/// signed separately: it is `blockEnd - blockStart + 1` registry units.
struct Lock {
    /// @dev The registry's own lock (immobilization) id: dense, never reused within the registry.
    uint256 lockId;
    /// @dev The registry/program that holds the credits, e.g. "VCS".
    string registry;
    /// @dev The locked serial block as the registry prints it.
    string serial;
    /// @dev First unit number of the block (inclusive).
    uint64 blockStart;
    /// @dev Last unit number of the block (inclusive).
    uint64 blockEnd;
    /// @dev The class of every unit in the block.
    CreditClass creditClass;
    /// @dev Who receives the class tokens.
    address recipient;
}

/// @notice A {Lock} as {ICarbonBridge-mintLocks} takes it: the class named by its index into the call's
/// `classes` array, so that a batch of one class carries the class once.
struct LockLeaf {
    /// @dev See {Lock-lockId}.
    uint256 lockId;
    /// @dev See {Lock-registry}.
    string registry;
    /// @dev See {Lock-serial}.
    string serial;
    /// @dev See {Lock-blockStart}.
    uint64 blockStart;
    /// @dev See {Lock-blockEnd}.
    uint64 blockEnd;
    /// @dev Index of the lock's class in the `classes` array of the call.
    uint16 classIndex;
    /// @dev See {Lock-recipient}.
    address recipient;
}

/// @notice What M of N verifiers sign, once per batch of locks: the root of a Merkle tree over the locks'
/// leaves, valid until `deadline`.
/// @dev Mirrors the EIP-712 type `LockBatch(bytes32 locksRoot,uint256 deadline)`. The tree is
/// OpenZeppelin-standard: commutative pair hashing; a tree of one leaf has that leaf as its root.
struct LockBatch {
    /// @dev Root of the Merkle tree over the batch's lock leaves.
    bytes32 locksRoot;
    /// @dev Unix seconds; the signatures are valid while `block.timestamp <= deadline`.
    uint256 deadline;
}
