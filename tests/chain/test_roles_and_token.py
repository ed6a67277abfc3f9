"""Roles, the verifier set, and the class token's own rules (only the bridge mints and burns; permit)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3.contract import Contract

from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.primitives import TONNE
from chain_factories import fresh_block, verra_class


def minted_token(local: LocalBridge) -> Contract:
    serial, start, end = fresh_block(100)
    credit_class = verra_class()
    local.mint(local.attestation(credit_class, serial=serial, start=start, end=end, recipient=local.users[0].address))
    return local.token(credit_class)


def test_only_the_bridge_can_mint_or_burn_class_tokens(local: LocalBridge) -> None:
    token = minted_token(local)
    holder = local.users[0]
    for call in (token.functions.mint(holder.address, TONNE), token.functions.burn(holder.address, TONNE)):
        with pytest.raises(ContractRevert) as info:
            local.sender(holder).transact(call)
        assert info.value.error_name == "CarbonTokenUnauthorized"
    with pytest.raises(ContractRevert) as info:
        local.sender(holder).transact(token.functions.bridgeTransfer(holder.address, local.users[1].address, 1))
    assert info.value.error_name == "CarbonTokenUnauthorized"


def test_verifier_set_changes_need_the_manager_role(local: LocalBridge) -> None:
    outsider = local.users[3]
    with pytest.raises(ContractRevert) as info:
        local.sender(outsider).transact(local.bridge.functions.addVerifier(outsider.address))
    assert info.value.error_name == "AccessControlUnauthorizedAccount"


def test_threshold_must_stay_within_the_verifier_count(local: LocalBridge) -> None:
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(local.bridge.functions.setThreshold(4))
    assert (info.value.error_name, info.value.error_args) == ("BridgeInvalidThreshold", (4, 3))
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(local.bridge.functions.setThreshold(0))
    assert info.value.error_name == "BridgeInvalidThreshold"


def test_removing_a_verifier_below_the_threshold_is_refused(local: LocalBridge) -> None:
    local.sender().transact(local.bridge.functions.setThreshold(3))
    with pytest.raises(ContractRevert) as info:
        local.sender().transact(local.bridge.functions.removeVerifier(local.verifiers[0].address))
    assert info.value.error_name == "BridgeInvalidThreshold"


def test_a_removed_verifier_can_no_longer_attest(local: LocalBridge) -> None:
    gone = local.verifiers[0]
    local.sender().transact(local.bridge.functions.removeVerifier(gone.address))
    assert not local.bridge.functions.isVerifier(gone.address).call()
    serial, start, end = fresh_block(10)
    attestation = local.attestation(verra_class(), serial=serial, start=start, end=end, recipient=gone.address)
    with pytest.raises(ContractRevert) as info:
        local.mint(attestation, signers=[gone, local.verifiers[1]])
    assert info.value.error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}
    assert local.mint(attestation, signers=local.verifiers[1:3])["status"] == 1


def test_pause_needs_the_pauser_role(local: LocalBridge) -> None:
    with pytest.raises(ContractRevert) as info:
        local.sender(local.users[2]).transact(local.bridge.functions.pause())
    assert info.value.error_name == "AccessControlUnauthorizedAccount"


def test_permit_lets_a_holder_approve_by_signature(local: LocalBridge) -> None:
    token = minted_token(local)
    owner, spender = local.users[0], local.users[1]
    deadline = local.deadline()
    nonce = token.functions.nonces(owner.address).call()
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": token.functions.name().call(),
            "version": "1",
            "chainId": local.chain.chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender.address,
            "value": 7 * TONNE,
            "nonce": nonce,
            "deadline": deadline,
        },
    }
    signed = Account.sign_message(encode_typed_data(full_message=typed), owner.key)
    local.sender(spender).transact(
        token.functions.permit(
            owner.address,
            spender.address,
            7 * TONNE,
            deadline,
            signed.v,
            signed.r.to_bytes(32, "big"),
            signed.s.to_bytes(32, "big"),
        )
    )
    assert token.functions.allowance(owner.address, spender.address).call() == 7 * TONNE
    local.sender(spender).transact(token.functions.transferFrom(owner.address, spender.address, 7 * TONNE))
    assert token.functions.balanceOf(spender.address).call() == 7 * TONNE
