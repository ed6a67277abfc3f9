"""The EIP-712 encoding derived from the type declarations (``bridge.chain.eip712``) is eth-account's: the struct
hash of any class and lock, and the digest a verifier signs over any batch of locks, checked against
``encode_typed_data`` over messages built here from the models' own fields, not by the codec."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.alias_generators import to_camel

from bridge.chain.attestation import (
    CREDIT_CLASS_TYPE,
    EIP712_DOMAIN_TYPE,
    LOCK_BATCH_TYPE,
    LOCK_TYPE,
    CreditClass,
    Lock,
    domain,
    lock_batch_signer,
    sign_lock_batch,
)
from bridge.chain.eip712 import StructType
from bridge.chain.lock_batch import LockTree
from bridge.chain.merkle import MerkleTree
from chain_factories import addresses, credit_classes, locks

VERIFIER = Account.from_key(keccak(text="attestation test verifier"))
chain_ids = st.integers(1, 2**64)


def message_of(model: BaseModel) -> dict[str, Any]:
    """A model as a typed-data message from its pydantic fields, camel-cased (nested models as messages)."""
    return {to_camel(name): message_of(value) if isinstance(value, BaseModel) else value for name, value in model}


def typed(primary: str, types: dict[str, Any], message: dict[str, Any], *, chain_id: int, bridge: str) -> Any:
    full = {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPE, **types},
        "primaryType": primary,
        "domain": domain(chain_id=chain_id, bridge=bridge),
        "message": message,
    }
    return encode_typed_data(full_message=full)


@settings(max_examples=300, deadline=None)
@given(credit_class=credit_classes, chain_id=chain_ids, bridge=addresses)
def test_any_class_hashes_and_reads_as_eth_account_encodes_it(
    credit_class: CreditClass, chain_id: int, bridge: str
) -> None:
    message = message_of(credit_class)
    signable = typed("CreditClass", {"CreditClass": CREDIT_CLASS_TYPE}, message, chain_id=chain_id, bridge=bridge)
    assert credit_class.class_hash == signable.body
    assert credit_class.message() == message
    assert credit_class.as_tuple() == tuple(message[member["name"]] for member in CREDIT_CLASS_TYPE)


@settings(max_examples=300, deadline=None)
@given(lock=locks(), chain_id=chain_ids, bridge=addresses)
def test_any_lock_hashes_as_eth_account_encodes_and_signs_it(lock: Lock, chain_id: int, bridge: str) -> None:
    types = {"CreditClass": CREDIT_CLASS_TYPE, "Lock": LOCK_TYPE}
    signable = typed("Lock", types, message_of(lock), chain_id=chain_id, bridge=bridge)
    assert lock.struct_hash() == signable.body
    assert lock.leaf() == keccak(signable.body)
    assert lock.message() == message_of(lock)
    signed = Account.sign_message(signable, VERIFIER.key)
    assert signed.message_hash == keccak(b"\x19\x01" + signable.header + lock.struct_hash())


@settings(max_examples=60, deadline=None)
@given(
    batch=st.lists(locks(), min_size=1, max_size=8, unique_by=lambda lock: (lock.registry, lock.lock_id)),
    deadline=st.integers(0, 2**256 - 1),
    chain_id=chain_ids,
    bridge=addresses,
)
def test_the_digest_a_verifier_signs_over_any_batch_is_eth_accounts(
    batch: list[Lock], deadline: int, chain_id: int, bridge: str
) -> None:
    types = {"CreditClass": CREDIT_CLASS_TYPE, "Lock": LOCK_TYPE}
    leaves = [keccak(typed("Lock", types, message_of(lock), chain_id=chain_id, bridge=bridge).body) for lock in batch]
    root = MerkleTree(leaves).root
    lock_batch = LockTree.of(batch).lock_batch(deadline)
    assert lock_batch.locks_root == root
    message = {"locksRoot": root, "deadline": deadline}
    signable = typed("LockBatch", {"LockBatch": LOCK_BATCH_TYPE}, message, chain_id=chain_id, bridge=bridge)
    digest = Account.sign_message(signable, VERIFIER.key).message_hash
    assert lock_batch.digest(chain_id=chain_id, bridge=bridge) == digest
    assert lock_batch.message() == message
    assert lock_batch.as_tuple() == (root, deadline)
    signature = sign_lock_batch(lock_batch, VERIFIER.key, chain_id=chain_id, bridge=bridge)
    assert lock_batch_signer(lock_batch, signature, chain_id=chain_id, bridge=bridge) == VERIFIER.address


def test_a_type_string_names_the_referenced_types_after_the_primary_one_by_name() -> None:
    inner = StructType("Inner(uint8 a,string b)")
    other = StructType("Another(address who)")
    outer = StructType("Outer(Inner inner,Another another,bytes32 root)", inner, other)
    assert (
        outer.type_string
        == "Outer(Inner inner,Another another,bytes32 root)Another(address who)Inner(uint8 a,string b)"
    )
    assert outer.typehash == keccak(text=outer.type_string)
    assert [member["name"] for member in outer.members] == ["inner", "another", "root"]


def test_a_value_out_of_its_type_is_refused_rather_than_hashed() -> None:
    small = StructType("Small(uint8 tiny,address who)")

    class Model(BaseModel):
        tiny: int
        who: str

    assert small.hash(Model(tiny=255, who="0x" + "11" * 20))
    for bad in (Model(tiny=256, who="0x" + "11" * 20), Model(tiny=-1, who="0x" + "11" * 20), Model(tiny=1, who="0x11")):
        with pytest.raises(ValueError):
            small.hash(bad)
