"""Tokenization on-chain: minting registry locks against M-of-N signatures over their Merkle root, and every
way it is refused (each refusal named by its custom error, and changing nothing)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

from bridge.chain.attestation import Lock, lock_typed_data, sign_lock_batch
from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.chain.lock_batch import LockTree, SignedLockBatch
from bridge.primitives import TONNE
from chain_factories import fresh_block, verra_class

ZERO = "0x" + "00" * 20


def lock_of(local: LocalBridge, quantity: int = 500, **overrides: object) -> Lock:
    serial, start, end = fresh_block(quantity)
    credit_class = overrides.pop("credit_class", verra_class())
    recipient = overrides.pop("recipient", local.users[0].address)
    lock = local.lock(credit_class, serial=serial, start=start, end=end, recipient=recipient)  # type: ignore[arg-type]
    return lock.model_copy(update=overrides) if overrides else lock


def refused(local: LocalBridge, signed: SignedLockBatch, subset: list[Lock] | None = None) -> ContractRevert:
    with pytest.raises(ContractRevert) as info:
        local.mint_signed(signed, subset=subset)
    return info.value


def signed_by(local: LocalBridge, locks: list[Lock], keys: list, *, bridge: str | None = None) -> SignedLockBatch:
    """``locks`` signed by any keys (verifiers or not), for any bridge address, in ascending signer order."""
    tree = LockTree.of(locks)
    batch = tree.lock_batch(local.deadline())
    target = bridge or local.deployment.address
    signed = sorted(
        ((k.address, sign_lock_batch(batch, k.key, chain_id=local.chain.chain_id, bridge=target)) for k in keys),
        key=lambda pair: int(pair[0], 16),
    )
    return SignedLockBatch(tree, batch, tuple(sig for _, sig in signed))


def test_a_first_lock_of_a_class_creates_its_token_and_mints_the_quantity(local: LocalBridge) -> None:
    lock = lock_of(local, 500)
    local.mint_locks([lock])
    token = local.token(lock.credit_class)
    assert token.functions.balanceOf(lock.recipient).call() == 500 * TONNE
    assert token.functions.totalSupply().call() == 500 * TONNE
    assert token.functions.decimals().call() == 18
    assert local.bridge.functions.classReserve(lock.credit_class.class_id).call() == 500
    assert token.address == local.bridge.functions.predictClassToken(lock.credit_class.as_tuple()).call()
    batch = local.bridge.functions.batch(lock.batch_key).call()
    assert (batch[0], batch[1], batch[2]) == (token.address, 500, 1)  # Active
    assert local.bridge.functions.isLockUsed(lock.registry, lock.lock_id).call()


def test_later_locks_of_a_class_add_to_the_same_token(local: LocalBridge) -> None:
    first, second = lock_of(local, 100), lock_of(local, 250, recipient=local.users[1].address)
    local.mint_locks([first])
    local.mint_locks([second])
    token = local.token(first.credit_class)
    assert token.functions.totalSupply().call() == 350 * TONNE
    assert token.functions.balanceOf(local.users[1].address).call() == 250 * TONNE
    assert local.bridge.functions.classReserve(first.credit_class.class_id).call() == 350


def test_class_attributes_are_readable_on_the_token(local: LocalBridge) -> None:
    credit_class = verra_class(project_id="981", year=2021, methodology="VM0015", host_country="BR", labels=5)
    local.mint_locks([lock_of(local, 10, credit_class=credit_class)])
    token = local.token(credit_class)
    assert tuple(token.functions.creditClass().call()) == credit_class.as_tuple()
    assert token.functions.classId().call() == credit_class.class_id
    assert token.functions.classHash().call() == credit_class.class_hash
    assert "981" in token.functions.name().call()


def test_a_class_counted_in_kilograms_mints_a_thousandth_of_a_tonne_per_unit(local: LocalBridge) -> None:
    kilograms = verra_class(project_id="DAC-1", unit_decimals=3)
    lock = lock_of(local, 2_500, credit_class=kilograms)
    local.mint_locks([lock])
    assert local.token(kilograms).functions.totalSupply().call() == 2_500 * 10**15 == 5 * TONNE // 2
    assert local.bridge.functions.classReserve(kilograms.class_id).call() == 2_500
    assert local.bridge.functions.weiPerUnit(kilograms.class_id).call() == kilograms.wei_per_unit == 10**15


def test_the_engine_asks_a_classs_unit_once_and_never_keeps_the_zero_of_a_class_not_yet_minted(
    local: LocalBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain = BridgeChain(local.deployment, local.sender())
    kilograms = verra_class(project_id="DAC-2", unit_decimals=3)
    asked: list[bytes] = []
    read = local.bridge.functions.weiPerUnit

    def counted(class_id: bytes) -> object:
        asked.append(bytes(class_id))
        return read(class_id)

    monkeypatch.setattr(local.bridge.functions, "weiPerUnit", counted)
    assert chain.wei_per_unit(kilograms.class_id) == 0  # no such class yet
    local.mint_locks([lock_of(local, 5, credit_class=kilograms)])
    assert [chain.wei_per_unit(kilograms.class_id) for _ in range(3)] == [10**15] * 3
    assert len(asked) == 2, "asked before the class existed, then once: a class's unit never changes"


def test_one_signed_batch_mints_many_classes_and_recipients_in_one_transaction(local: LocalBridge) -> None:
    classes = [verra_class(project_id=str(1000 + i)) for i in range(3)]
    locks = [lock_of(local, 10 + i, credit_class=c, recipient=local.users[i].address) for i, c in enumerate(classes)]
    receipt = local.mint_locks(locks)
    assert receipt["status"] == 1
    for i, credit_class in enumerate(classes):
        assert local.token(credit_class).functions.balanceOf(local.users[i].address).call() == (10 + i) * TONNE


def test_a_signed_batch_mints_in_parts_without_new_signatures(local: LocalBridge) -> None:
    locks = [lock_of(local, 10) for _ in range(5)]
    signed = local.sign_locks(locks)
    local.mint_signed(signed, subset=[locks[4], locks[1]])
    used = [local.bridge.functions.isLockUsed("VCS", lock.lock_id).call() for lock in locks]
    assert used == [False, True, False, False, True]
    local.mint_signed(signed, subset=[locks[0], locks[2], locks[3]])
    assert local.bridge.functions.classReserve(locks[0].credit_class.class_id).call() == 50


def test_the_eth_abi_calldata_is_the_one_web3_encodes(local: LocalBridge) -> None:
    signed = local.sign_locks([lock_of(local, 10), lock_of(local, 20, credit_class=verra_class(unit_decimals=3))])
    args = signed.mint_args()
    web3_data = local.bridge.functions.mintLocks(*args)._encode_transaction_data()
    assert "0x" + args.calldata().hex() == web3_data


def test_python_and_contract_agree_on_the_leaf_and_the_digest(local: LocalBridge) -> None:
    lock = lock_of(local, credit_class=verra_class(unit_decimals=3))
    chain_id, bridge = local.chain.chain_id, local.deployment.address
    signable = encode_typed_data(full_message=lock_typed_data(lock, chain_id=chain_id, bridge=bridge))
    assert lock.struct_hash() == signable.body
    assert local.bridge.functions.hashLock(lock.as_tuple()).call() == lock.leaf() == keccak(signable.body)
    batch = LockTree.of([lock]).lock_batch(local.deadline())
    assert local.bridge.functions.hashLockBatch(batch.as_tuple()).call() == batch.digest(
        chain_id=chain_id, bridge=bridge
    )
    assert local.bridge.functions.DOMAIN_SEPARATOR().call() == signable.header


def test_fewer_signatures_than_the_threshold_are_refused(local: LocalBridge) -> None:
    error = refused(local, local.sign_locks([lock_of(local)], signers=local.verifiers[:1]))
    assert (error.error_name, error.error_args) == ("BridgeInsufficientSignatures", (1, 2))


def test_a_signature_by_a_non_verifier_is_refused(local: LocalBridge) -> None:
    stranger = Account.create()
    error = refused(local, signed_by(local, [lock_of(local)], [local.verifiers[0], stranger]))
    assert error.error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}
    if error.error_name == "BridgeUnknownSigner":
        assert to_checksum_address(error.error_args[0]) == stranger.address


def test_the_same_verifier_signing_twice_is_refused(local: LocalBridge) -> None:
    signed = local.sign_locks([lock_of(local)], signers=local.verifiers[:1])
    doubled = SignedLockBatch(signed.tree, signed.lock_batch, signed.signatures * 2)
    error = refused(local, doubled)
    assert error.error_name == "BridgeDuplicateSigner"
    assert to_checksum_address(error.error_args[0]) == local.verifiers[0].address


def test_signatures_out_of_signer_order_are_refused(local: LocalBridge) -> None:
    signed = local.sign_locks([lock_of(local)])
    error = refused(local, SignedLockBatch(signed.tree, signed.lock_batch, tuple(reversed(signed.signatures))))
    assert error.error_name == "BridgeSignersNotSorted"


def test_an_expired_batch_is_refused(local: LocalBridge) -> None:
    deadline = local.deadline(-1)
    error = refused(local, local.sign_locks([lock_of(local)], deadline=deadline))
    assert (error.error_name, error.error_args) == ("BridgeAttestationExpired", (deadline,))


def test_a_lock_is_minted_once_whatever_batch_carries_it(local: LocalBridge) -> None:
    lock = lock_of(local)
    signed = local.sign_locks([lock])
    local.mint_signed(signed)
    assert refused(local, signed).error_name == "BridgeLockUsed"
    another = local.sign_locks([lock, lock_of(local)], deadline=local.deadline(7200))
    error = refused(local, another)
    assert (error.error_name, error.error_args) == ("BridgeLockUsed", ("VCS", lock.lock_id))


def test_a_serial_block_already_bridged_is_refused_under_a_new_lock(local: LocalBridge) -> None:
    first = lock_of(local)
    local.mint_locks([first])
    relocked = first.model_copy(update={"lock_id": local.next_lock_id()})
    error = refused(local, local.sign_locks([relocked]))
    assert (error.error_name, error.error_args) == ("BridgeBatchAlreadyBridged", (first.batch_key,))


def test_class_attributes_that_disagree_with_the_existing_class_are_refused(local: LocalBridge) -> None:
    original = lock_of(local)
    local.mint_locks([original])
    for change in ({"labels": 0}, {"unit_decimals": 3}):
        altered = original.credit_class.model_copy(update=change)
        error = refused(local, local.sign_locks([lock_of(local, credit_class=altered)]))
        assert error.error_name == "BridgeClassMismatch"
        assert error.error_args[0] == original.credit_class.class_id


def test_minting_while_paused_is_refused_until_the_admin_unpauses(local: LocalBridge) -> None:
    local.sender().transact(local.bridge.functions.pause())  # the engine's key pauses
    signed = local.sign_locks([lock_of(local)], deadline=local.deadline(7200))
    assert refused(local, signed).error_name == "EnforcedPause"
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(local.bridge.functions.unpause())
    assert info.value.error_name == "AccessControlUnauthorizedAccount"
    local.admin_execute(local.bridge.functions.unpause())
    assert local.mint_signed(signed)["status"] == 1


def test_a_zero_recipient_is_refused(local: LocalBridge) -> None:
    assert refused(local, local.sign_locks([lock_of(local, recipient=ZERO)])).error_name == "BridgeZeroRecipient"


def test_a_lock_altered_after_signing_is_refused(local: LocalBridge) -> None:
    signed = local.sign_locks([lock_of(local)])
    args = signed.mint_args()
    (lock_id, registry, serial, start, end, class_index, _recipient) = args.leaves[0]
    redirected = (lock_id, registry, serial, start, end, class_index, local.users[3].address)
    tampered = args._replace(leaves=(redirected,))
    with pytest.raises(ContractRevert) as info:
        local.sender().send_prepared(local.deployment.address, "0x" + tampered.calldata().hex())
    assert (info.value.error_name, info.value.error_args) == ("BridgeInvalidLockProof", (signed.lock_batch.locks_root,))


def test_a_signature_for_another_bridge_is_refused(local: LocalBridge) -> None:
    signed = signed_by(local, [lock_of(local)], local.verifiers[:2], bridge=local.users[-1].address)
    assert refused(local, signed).error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}


def test_a_mint_past_the_class_cap_is_refused(local: LocalBridge) -> None:
    local.admin_execute(local.bridge.functions.setMintCap(100, 86_400))
    credit_class = verra_class(project_id="CAPPED")
    local.mint_locks([lock_of(local, 60, credit_class=credit_class)])
    error = refused(local, local.sign_locks([lock_of(local, 41, credit_class=credit_class)]))
    assert (error.error_name, error.error_args) == (
        "BridgeMintRateExceeded",
        (credit_class.class_id, 40 * TONNE, 41 * TONNE),
    )


def test_a_refused_mint_changes_nothing(local: LocalBridge) -> None:
    good, bad = lock_of(local), lock_of(local, recipient=ZERO, credit_class=verra_class(project_id="OTHER"))
    assert refused(local, local.sign_locks([good, bad])).error_name == "BridgeZeroRecipient"
    assert not local.bridge.functions.isLockUsed(good.registry, good.lock_id).call()
    assert local.bridge.functions.batch(good.batch_key).call()[2] == 0
    assert local.deployment.class_token(good.credit_class) is None
