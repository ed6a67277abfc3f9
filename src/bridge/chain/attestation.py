"""What verifiers sign: the EIP-712 types of a credit class, a registry lock and a batch of locks.

The one place in Python where these types are declared. They mirror ``contracts/interfaces/CarbonTypes.sol``
field for field, and the hashing mirrors ``CreditClassCodec.sol`` and ``LockCodec.sol``; a change to one must
be made to the other (the pytest suite hashes and signs with this module and mints through the contract).

A verifier signs one ``LockBatch`` per batch: the root of a Merkle tree (``bridge.chain.merkle``) over the
leaves of the batch's locks, ``leaf = keccak256(hashStruct(Lock))``, and a deadline. ``bridge.chain.lock_batch``
builds the tree and the contract call.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum, IntFlag
from functools import lru_cache
from typing import Any, Self

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bridge.chain.eip712 import StructType
from bridge.primitives import ChecksumAddress

DOMAIN_NAME = "CarbonBridge"
DOMAIN_VERSION = "2"

UINT64_MAX = 2**64 - 1
MAX_UNIT_DECIMALS = 18


# The types, declared once as the Solidity codecs spell them; members, type hashes, messages, ABI tuples and
# struct hashes are derived from these (``bridge.chain.eip712``).
EIP712_DOMAIN = StructType("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
CREDIT_CLASS = StructType(
    "CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,"
    "string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)",
    cache=4096,  # a batch's locks share few classes: each is hashed once, however often asked for
)
LOCK = StructType(
    "Lock(uint256 lockId,string registry,string serial,uint64 blockStart,uint64 blockEnd,CreditClass creditClass,"
    "address recipient)",
    CREDIT_CLASS,
)
LOCK_BATCH = StructType("LockBatch(bytes32 locksRoot,uint256 deadline)")

EIP712_DOMAIN_TYPE = EIP712_DOMAIN.members
CREDIT_CLASS_TYPE = CREDIT_CLASS.members
LOCK_TYPE = LOCK.members
LOCK_BATCH_TYPE = LOCK_BATCH.members


class Label(IntFlag):
    """Quality labels carried by a credit class on-chain (a bitmask)."""

    CCP_APPROVED = 1
    CORSIA_ELIGIBLE = 2
    REMOVAL = 4
    ARTICLE6_AUTHORIZED = 8


class Adjustment(IntEnum):
    """Corresponding-adjustment status of a credit class."""

    UNKNOWN = 0
    NOT_APPLICABLE = 1
    NOT_STARTED = 2
    PENDING = 3
    COMPLETED = 4


def yyyymmdd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def domain(*, chain_id: int, bridge: str) -> dict[str, Any]:
    """The EIP-712 domain verifiers sign under: the bridge contract on one chain."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(bridge),
    }


class CreditClass(BaseModel):
    """A credit class: program + project + vintage, with the attributes pools and buyers filter on.

    ``unit_decimals`` is the registry's unit as a power of ten below a tonne: 0 when the registry counts
    tonnes, 3 when it counts kilograms. One registry unit is ``wei_per_unit`` token wei.
    """

    model_config = ConfigDict(frozen=True)

    program: str = Field(min_length=1, max_length=32)
    project_id: str = Field(min_length=1, max_length=64)
    vintage_start: int = Field(ge=19000101, le=99991231, description="YYYYMMDD")
    vintage_end: int = Field(ge=19000101, le=99991231, description="YYYYMMDD")
    methodology: str = Field(default="", max_length=64)
    host_country: str = Field(pattern=r"^[A-Z]{2}$")
    labels: int = Field(default=0, ge=0, le=255)
    adjustment: Adjustment = Adjustment.UNKNOWN
    unit_decimals: int = Field(default=0, ge=0, le=MAX_UNIT_DECIMALS)

    def message(self) -> dict[str, Any]:
        return CREDIT_CLASS.message(self)

    def as_tuple(self) -> tuple[Any, ...]:
        """The contract's ``CreditClass`` struct."""
        return CREDIT_CLASS.as_tuple(self)

    @property
    def wei_per_unit(self) -> int:
        """Token wei per registry unit: 10**18 for a class counted in tonnes, 10**15 in kilograms."""
        return 10 ** (MAX_UNIT_DECIMALS - self.unit_decimals)

    @property
    def class_id(self) -> bytes:
        """The on-chain identity of the class: keccak(program, project id, vintage start, vintage end)."""
        return _class_id(self)

    @property
    def class_hash(self) -> bytes:
        """The EIP-712 struct hash of the class (every attribute)."""
        return CREDIT_CLASS.hash(self)

    def _id(self) -> bytes:
        return keccak(
            encode(
                ["bytes32", "bytes32", "uint32", "uint32"],
                [keccak(text=self.program), keccak(text=self.project_id), self.vintage_start, self.vintage_end],
            )
        )


class Lock(BaseModel):
    """One lock of the registry as verifiers attest it: units ``block_start..block_end`` of ``serial``
    immobilized in the bridge's trust account under the registry's own ``lock_id``, for ``recipient``.

    A lock is bridged at most once, ever: the contract records its id per registry.
    """

    model_config = ConfigDict(frozen=True)

    lock_id: int = Field(ge=0, lt=2**256)
    registry: str = Field(min_length=1, max_length=32)
    serial: str = Field(min_length=1, max_length=256)
    block_start: int = Field(ge=0, le=UINT64_MAX)
    block_end: int = Field(ge=0, le=UINT64_MAX)
    credit_class: CreditClass
    recipient: ChecksumAddress

    @model_validator(mode="after")
    def _block_in_order(self) -> Self:
        # the contract refuses the same (BridgeInvalidBlock): a quantity must fit in 64 bits
        if self.block_end < self.block_start or self.block_end - self.block_start == UINT64_MAX:
            raise ValueError(f"block {self.block_start}..{self.block_end} is empty or holds 2^64 units")
        return self

    @property
    def quantity(self) -> int:
        """Registry units in the block (tonnes, or kilograms for a class counted in kilograms)."""
        return self.block_end - self.block_start + 1

    @property
    def batch_key(self) -> bytes:
        """The bridge's key of the serial block: keccak(keccak(registry), keccak(serial))."""
        return keccak(encode(["bytes32", "bytes32"], [keccak(text=self.registry), keccak(text=self.serial)]))

    def message(self) -> dict[str, Any]:
        return LOCK.message(self)

    def as_tuple(self) -> tuple[Any, ...]:
        """The contract's ``Lock`` struct (for ``hashLock``)."""
        return LOCK.as_tuple(self)

    def struct_hash(self) -> bytes:
        """The EIP-712 struct hash of the lock."""
        return LOCK.hash(self)

    def leaf(self) -> bytes:
        """The lock's Merkle leaf: ``keccak256(hashStruct(lock))``, OpenZeppelin's double hash."""
        return _leaf(self)


# Frozen models hash by value: a batch's class ids and leaves are worked out once, however often they are asked
# for (by value, not per object: a ``model_copy(update=...)`` is a new key).
@lru_cache(maxsize=4096)
def _class_id(credit_class: CreditClass) -> bytes:
    return credit_class._id()


@lru_cache(maxsize=8192)
def _leaf(lock: Lock) -> bytes:
    return keccak(lock.struct_hash())


class LockBatch(BaseModel):
    """What M of N verifiers sign once per batch: the Merkle root of the batch's locks and a deadline."""

    model_config = ConfigDict(frozen=True)

    locks_root: bytes = Field(min_length=32, max_length=32)
    deadline: int = Field(ge=0, lt=2**256)

    def message(self) -> dict[str, Any]:
        return LOCK_BATCH.message(self)

    def as_tuple(self) -> tuple[Any, ...]:
        return LOCK_BATCH.as_tuple(self)

    def typed_data(self, *, chain_id: int, bridge: str) -> dict[str, Any]:
        return {
            "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "LockBatch": LOCK_BATCH_TYPE},
            "primaryType": "LockBatch",
            "domain": domain(chain_id=chain_id, bridge=bridge),
            "message": self.message(),
        }

    def digest(self, *, chain_id: int, bridge: str) -> bytes:
        """The EIP-712 digest a verifier signs (the contract's ``hashLockBatch``)."""
        signable = encode_typed_data(full_message=self.typed_data(chain_id=chain_id, bridge=bridge))
        return keccak(b"\x19" + signable.version + signable.header + signable.body)


def lock_typed_data(lock: Lock, *, chain_id: int, bridge: str) -> dict[str, Any]:
    """A lock as EIP-712 typed data (for tools and cross-checks; verifiers sign batches, not single locks)."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, "CreditClass": CREDIT_CLASS_TYPE, "Lock": LOCK_TYPE},
        "primaryType": "Lock",
        "domain": domain(chain_id=chain_id, bridge=bridge),
        "message": lock.message(),
    }


def sign_lock_batch(batch: LockBatch, private_key: bytes | str, *, chain_id: int, bridge: str) -> bytes:
    """One verifier's 65-byte signature over the batch's EIP-712 digest."""
    signable = encode_typed_data(full_message=batch.typed_data(chain_id=chain_id, bridge=bridge))
    return bytes(Account.sign_message(signable, private_key).signature)


def lock_batch_signer(batch: LockBatch, signature: bytes, *, chain_id: int, bridge: str) -> str:
    """The address that made ``signature`` over the batch."""
    signable = encode_typed_data(full_message=batch.typed_data(chain_id=chain_id, bridge=bridge))
    return str(Account.recover_message(signable, signature=signature))


def order_signatures(signed: list[tuple[str, bytes]]) -> list[bytes]:
    """Signatures ordered by ascending signer address, as the bridge requires (no duplicates)."""
    return [sig for _, sig in sorted(signed, key=lambda pair: int(pair[0], 16))]
