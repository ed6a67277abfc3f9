"""Tokenization on-chain: minting against verifier attestations, and every way it is refused."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from bridge.chain.attestation import Attestation, sign_attestation
from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.primitives import TONNE
from chain_factories import fresh_block, verra_class

ZERO = "0x" + "00" * 20


def attest(local: LocalBridge, quantity: int = 500, **overrides: object) -> Attestation:
    serial, start, end = fresh_block(quantity)
    credit_class = overrides.pop("credit_class", verra_class())
    recipient = overrides.pop("recipient", local.users[0].address)
    attestation = local.attestation(credit_class, serial=serial, start=start, end=end, recipient=recipient)
    return attestation.model_copy(update=overrides) if overrides else attestation


def refused(local: LocalBridge, attestation: Attestation, signatures: list[bytes] | None = None) -> ContractRevert:
    sigs = local.signatures(attestation) if signatures is None else signatures
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(local.bridge.functions.mint(attestation.as_tuple(), sigs))
    return info.value


def signed_by(local: LocalBridge, attestation: Attestation, keys: list, *, bridge: str | None = None) -> list[bytes]:
    """Signatures by any keys (verifiers or not), for any bridge address, in ascending signer order."""
    target = bridge or local.deployment.address
    signed = [
        (key.address, sign_attestation(attestation, key.key, chain_id=local.chain.chain_id, bridge=target))
        for key in keys
    ]
    return [sig for _, sig in sorted(signed, key=lambda pair: int(pair[0], 16))]


def test_first_batch_of_a_class_creates_its_token_and_mints_the_quantity(local: LocalBridge) -> None:
    attestation = attest(local, quantity=500)
    local.mint(attestation)
    token = local.token(attestation.credit_class)
    assert token.functions.balanceOf(attestation.recipient).call() == 500 * TONNE
    assert token.functions.totalSupply().call() == 500 * TONNE
    assert token.functions.decimals().call() == 18
    assert local.bridge.functions.classReserve(attestation.credit_class.class_id).call() == 500
    assert token.address == local.bridge.functions.predictClassToken(attestation.credit_class.as_tuple()).call()
    batch = local.bridge.functions.batch(attestation.batch_key).call()
    assert (batch[0], batch[1], batch[2]) == (token.address, 500, 1)  # Active


def test_later_batches_of_a_class_add_to_the_same_token(local: LocalBridge) -> None:
    first, second = attest(local, 100), attest(local, 250, recipient=local.users[1].address)
    local.mint(first)
    local.mint(second)
    token = local.token(first.credit_class)
    assert token.functions.totalSupply().call() == 350 * TONNE
    assert token.functions.balanceOf(local.users[1].address).call() == 250 * TONNE
    assert local.bridge.functions.classReserve(first.credit_class.class_id).call() == 350


def test_class_attributes_are_readable_on_the_token(local: LocalBridge) -> None:
    credit_class = verra_class(project_id="981", year=2021, methodology="VM0015", host_country="BR", labels=5)
    attestation = attest(local, 10, credit_class=credit_class)
    local.mint(attestation)
    token = local.token(credit_class)
    assert tuple(token.functions.creditClass().call()) == credit_class.as_tuple()
    assert token.functions.classId().call() == credit_class.class_id
    assert token.functions.classHash().call() == local.bridge.functions.classHashOf(credit_class.as_tuple()).call()
    assert "981" in token.functions.name().call()


def test_many_attestations_mint_in_one_transaction(local: LocalBridge) -> None:
    classes = [verra_class(project_id=str(1000 + i)) for i in range(3)]
    attestations = [attest(local, 10 + i, credit_class=c) for i, c in enumerate(classes)]
    receipt = local.mint_batch(attestations)
    assert receipt["status"] == 1
    for i, credit_class in enumerate(classes):
        assert local.token(credit_class).functions.totalSupply().call() == (10 + i) * TONNE


def test_python_and_contract_agree_on_the_eip712_digest(local: LocalBridge) -> None:
    from eth_account.messages import encode_typed_data

    attestation = attest(local)
    typed = attestation.typed_data(chain_id=local.chain.chain_id, bridge=local.deployment.address)
    signable = encode_typed_data(full_message=typed)
    from eth_utils import keccak

    expected = keccak(b"\x19\x01" + signable.header + signable.body)
    assert local.bridge.functions.hashAttestation(attestation.as_tuple()).call() == expected


def test_fewer_signatures_than_the_threshold_is_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    error = refused(local, attestation, local.signatures(attestation, local.verifiers[:1]))
    assert error.error_name == "BridgeInsufficientSignatures"
    assert error.error_args == (1, 2)


def test_a_signature_by_a_non_verifier_is_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    stranger = Account.create()
    signed = [
        (
            v.address,
            sign_attestation(attestation, v.key, chain_id=local.chain.chain_id, bridge=local.deployment.address),
        )
        for v in (local.verifiers[0], stranger)
    ]
    signed.sort(key=lambda pair: int(pair[0], 16))
    error = refused(local, attestation, [s for _, s in signed])
    assert error.error_name == "BridgeUnknownSigner"
    assert to_checksum_address(error.error_args[0]) == stranger.address


def test_the_same_verifier_signing_twice_is_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    one = local.signatures(attestation, local.verifiers[:1])[0]
    error = refused(local, attestation, [one, one])
    assert error.error_name == "BridgeDuplicateSigner"
    assert to_checksum_address(error.error_args[0]) == local.verifiers[0].address


def test_signatures_out_of_signer_order_are_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    ordered = local.signatures(attestation, local.verifiers[:2])
    error = refused(local, attestation, list(reversed(ordered)))
    assert error.error_name == "BridgeSignersNotSorted"


def test_an_expired_attestation_is_refused(local: LocalBridge) -> None:
    deadline = local.deadline(-1)
    attestation = attest(local, deadline=deadline)
    error = refused(local, attestation)
    assert (error.error_name, error.error_args) == ("BridgeAttestationExpired", (deadline,))


def test_a_reused_nonce_is_refused(local: LocalBridge) -> None:
    first = attest(local)
    local.mint(first)
    again = attest(local, nonce=first.nonce)
    error = refused(local, again)
    assert (error.error_name, error.error_args) == ("BridgeNonceUsed", (first.nonce,))


def test_a_serial_block_already_bridged_is_refused(local: LocalBridge) -> None:
    first = attest(local)
    local.mint(first)
    replay = first.model_copy(update={"nonce": local.next_nonce()})
    error = refused(local, replay)
    assert (error.error_name, error.error_args) == ("BridgeBatchAlreadyBridged", (first.batch_key,))


def test_a_quantity_that_disagrees_with_the_block_is_refused(local: LocalBridge) -> None:
    attestation = attest(local, 500)
    wrong = attestation.model_copy(update={"quantity": 499})
    error = refused(local, wrong)
    assert (error.error_name, error.error_args) == (
        "BridgeQuantityMismatch",
        (wrong.block_start, wrong.block_end, 499),
    )


def test_class_attributes_that_disagree_with_the_existing_class_are_refused(local: LocalBridge) -> None:
    original = attest(local)
    local.mint(original)
    relabelled = original.credit_class.model_copy(update={"labels": 0})
    error = refused(local, attest(local, credit_class=relabelled))
    assert error.error_name == "BridgeClassMismatch"
    assert error.error_args[0] == original.credit_class.class_id


def test_minting_while_paused_is_refused_and_resumes_after_unpause(local: LocalBridge) -> None:
    local.sender().transact(local.bridge.functions.pause())
    attestation = attest(local)
    assert refused(local, attestation).error_name == "EnforcedPause"
    local.sender().transact(local.bridge.functions.unpause())
    assert local.mint(attestation)["status"] == 1


def test_a_zero_recipient_is_refused(local: LocalBridge) -> None:
    assert refused(local, attest(local, recipient=ZERO)).error_name == "BridgeZeroRecipient"


def test_an_attestation_altered_after_signing_is_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    signatures = local.signatures(attestation)
    inflated = attestation.model_copy(update={"recipient": local.users[5].address})
    assert refused(local, inflated, signatures).error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}


def test_a_signature_for_another_bridge_is_refused(local: LocalBridge) -> None:
    attestation = attest(local)
    error = refused(
        local, attestation, signed_by(local, attestation, local.verifiers[:2], bridge=local.users[-1].address)
    )
    assert error.error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}


def test_a_refused_mint_changes_nothing(local: LocalBridge) -> None:
    attestation = attest(local)
    refused(local, attestation, local.signatures(attestation, local.verifiers[:1]))
    assert not local.bridge.functions.isNonceUsed(attestation.nonce).call()
    assert local.bridge.functions.batch(attestation.batch_key).call()[2] == 0
    assert local.deployment.class_token(attestation.credit_class) is None


def test_mint_batch_is_all_or_nothing(local: LocalBridge) -> None:
    good, bad = attest(local), attest(local)
    bad_sigs = local.signatures(bad, local.verifiers[:1])
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(
            local.bridge.functions.mintBatch([good.as_tuple(), bad.as_tuple()], [local.signatures(good), bad_sigs])
        )
    assert info.value.error_name == "BridgeInsufficientSignatures"
    assert not local.bridge.functions.isNonceUsed(good.nonce).call()
