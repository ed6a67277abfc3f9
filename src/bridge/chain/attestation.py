"""Verifier attestations: the EIP-712 message a verifier signs to authorize one mint.

The types here mirror ``contracts/interfaces/CarbonTypes.sol`` field for field; a change to one
must be made to the other (the pytest suite signs with this module and mints through the contract).
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum, IntFlag
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, field_validator

DOMAIN_NAME = "CarbonBridge"
DOMAIN_VERSION = "1"

CREDIT_CLASS_TYPE = [
    {"name": "program", "type": "string"},
    {"name": "projectId", "type": "string"},
    {"name": "vintageStart", "type": "uint32"},
    {"name": "vintageEnd", "type": "uint32"},
    {"name": "methodology", "type": "string"},
    {"name": "hostCountry", "type": "string"},
    {"name": "labels", "type": "uint8"},
    {"name": "adjustment", "type": "uint8"},
]
ATTESTATION_TYPE = [
    {"name": "registry", "type": "string"},
    {"name": "serial", "type": "string"},
    {"name": "blockStart", "type": "uint64"},
    {"name": "blockEnd", "type": "uint64"},
    {"name": "quantity", "type": "uint64"},
    {"name": "creditClass", "type": "CreditClass"},
    {"name": "recipient", "type": "address"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]

UINT64_MAX = 2**64 - 1


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


class CreditClass(BaseModel):
    """A credit class: program + project + vintage, with the attributes pools and buyers filter on."""

    model_config = ConfigDict(frozen=True)

    program: str = Field(min_length=1, max_length=32)
    project_id: str = Field(min_length=1, max_length=64)
    vintage_start: int = Field(ge=19000101, le=99991231, description="YYYYMMDD")
    vintage_end: int = Field(ge=19000101, le=99991231, description="YYYYMMDD")
    methodology: str = Field(default="", max_length=64)
    host_country: str = Field(pattern=r"^[A-Z]{2}$")
    labels: int = Field(default=0, ge=0, le=255)
    adjustment: Adjustment = Adjustment.UNKNOWN

    def message(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "projectId": self.project_id,
            "vintageStart": self.vintage_start,
            "vintageEnd": self.vintage_end,
            "methodology": self.methodology,
            "hostCountry": self.host_country,
            "labels": int(self.labels),
            "adjustment": int(self.adjustment),
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return tuple(self.message().values())

    @property
    def class_id(self) -> bytes:
        """The on-chain identity of the class: keccak(program, project id, vintage start, vintage end)."""
        from eth_abi import encode

        return keccak(
            encode(
                ["bytes32", "bytes32", "uint32", "uint32"],
                [keccak(text=self.program), keccak(text=self.project_id), self.vintage_start, self.vintage_end],
            )
        )


class Attestation(BaseModel):
    """What M of N verifiers sign before the bridge mints ``quantity`` tonnes of a class."""

    model_config = ConfigDict(frozen=True)

    registry: str = Field(min_length=1, max_length=32)
    serial: str = Field(min_length=1, max_length=256)
    block_start: int = Field(ge=0, le=UINT64_MAX)
    block_end: int = Field(ge=0, le=UINT64_MAX)
    quantity: int = Field(ge=0, le=UINT64_MAX)
    credit_class: CreditClass
    recipient: str
    nonce: int = Field(ge=0, lt=2**256)
    deadline: int = Field(ge=0, lt=2**256)

    @field_validator("recipient")
    @classmethod
    def _checksummed(cls, value: str) -> str:
        return to_checksum_address(value)

    def message(self) -> dict[str, Any]:
        return {
            "registry": self.registry,
            "serial": self.serial,
            "blockStart": self.block_start,
            "blockEnd": self.block_end,
            "quantity": self.quantity,
            "creditClass": self.credit_class.message(),
            "recipient": self.recipient,
            "nonce": self.nonce,
            "deadline": self.deadline,
        }

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.registry,
            self.serial,
            self.block_start,
            self.block_end,
            self.quantity,
            self.credit_class.as_tuple(),
            self.recipient,
            self.nonce,
            self.deadline,
        )

    @property
    def batch_key(self) -> bytes:
        from eth_abi import encode

        return keccak(encode(["bytes32", "bytes32"], [keccak(text=self.registry), keccak(text=self.serial)]))

    def typed_data(self, *, chain_id: int, bridge: str) -> dict[str, Any]:
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "CreditClass": CREDIT_CLASS_TYPE,
                "Attestation": ATTESTATION_TYPE,
            },
            "primaryType": "Attestation",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": chain_id,
                "verifyingContract": to_checksum_address(bridge),
            },
            "message": self.message(),
        }


def sign_attestation(attestation: Attestation, private_key: bytes | str, *, chain_id: int, bridge: str) -> bytes:
    """One verifier's 65-byte signature over the attestation's EIP-712 digest."""
    signable = encode_typed_data(full_message=attestation.typed_data(chain_id=chain_id, bridge=bridge))
    return bytes(Account.sign_message(signable, private_key).signature)


def signer_of(attestation: Attestation, signature: bytes, *, chain_id: int, bridge: str) -> str:
    signable = encode_typed_data(full_message=attestation.typed_data(chain_id=chain_id, bridge=bridge))
    return str(Account.recover_message(signable, signature=signature))


def order_signatures(signed: list[tuple[str, bytes]]) -> list[bytes]:
    """Signatures ordered by ascending signer address, as the bridge requires (no duplicates)."""
    return [sig for _, sig in sorted(signed, key=lambda pair: int(pair[0], 16))]
