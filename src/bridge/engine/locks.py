"""A tokenization's registry lock as the chain sees it: the ``Lock`` its verifiers sign, its batch key, and
the order locks go into a mint batch."""

from __future__ import annotations

from collections.abc import Iterable

from eth_abi import encode
from eth_utils import keccak

from bridge.chain.attestation import CreditClass, Lock
from bridge.engine.store import Tokenization


def batch_key_of(registry: str, serial: str) -> str:
    """The bridge's key of a serial block (0x-hex): keccak(keccak(registry), keccak(serial))."""
    return "0x" + keccak(encode(["bytes32", "bytes32"], [keccak(text=registry), keccak(text=serial)])).hex()


def lock_of(row: Tokenization) -> Lock:
    """The lock a tokenization holds, as its leaf is signed and minted."""
    assert row.lock_id is not None and row.registry_code and row.serial and row.credit_class
    return Lock(
        lock_id=row.lock_id,
        registry=row.registry_code,
        serial=row.serial,
        block_start=int(row.block_start or 0),
        block_end=int(row.block_end or 0),
        credit_class=CreditClass.model_validate(row.credit_class),
        recipient=row.recipient,
    )


def mint_order(rows: Iterable[Tokenization]) -> list[Tokenization]:
    """Rows in the order their leaves go into a batch: by class, then recipient, then age, so that leaves
    of one class and one recipient sit next to each other and mint in one transfer."""
    return sorted(rows, key=lambda row: (row.class_id or "", row.recipient.lower(), row.id))
