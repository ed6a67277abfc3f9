"""Roles (the admin behind a timelock, the engine's key, verifiers), and the class token's own rules (only
the bridge mints and burns; permit)."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from web3.contract import Contract

from bridge.chain.errors import ContractRevert
from bridge.chain.local import LocalBridge
from bridge.primitives import TONNE
from chain_factories import fresh_block, verra_class

ROLES = ("DEFAULT_ADMIN_ROLE", "VERIFIER_MANAGER_ROLE", "PAUSER_ROLE", "SETTLER_ROLE")


def minted_token(local: LocalBridge) -> Contract:
    serial, start, end = fresh_block(100)
    credit_class = verra_class()
    local.mint_locks([local.lock(credit_class, serial=serial, start=start, end=end, recipient=local.users[0].address)])
    return local.token(credit_class)


def refused_as(local: LocalBridge, account: object, call: object) -> ContractRevert:
    with pytest.raises(ContractRevert) as info:
        local.sender(account).transact(call)  # type: ignore[arg-type]
    return info.value


def test_each_key_holds_only_its_roles(local: LocalBridge) -> None:
    holders = {role: local.deployment.has_role(role, local.engine.address) for role in ROLES}
    assert holders == {
        "DEFAULT_ADMIN_ROLE": False,
        "VERIFIER_MANAGER_ROLE": False,
        "PAUSER_ROLE": True,
        "SETTLER_ROLE": True,
    }
    timelock = local.timelock.address
    assert local.deployment.has_role("DEFAULT_ADMIN_ROLE", timelock)
    assert local.deployment.has_role("VERIFIER_MANAGER_ROLE", timelock)
    for account in (local.deployer, local.admin, *local.verifiers):
        assert not any(local.deployment.has_role(role, account.address) for role in ROLES)


def test_the_engine_key_cannot_change_who_mints_nor_unpause(local: LocalBridge) -> None:
    bridge = local.bridge.functions
    for call in (
        bridge.addVerifier(local.engine.address),
        bridge.removeVerifier(local.verifiers[0].address),
        bridge.setThreshold(1),
        bridge.setMintCap(2**64 - 1, 1),
        bridge.grantRole(bridge.VERIFIER_MANAGER_ROLE().call(), local.engine.address),
    ):
        assert refused_as(local, local.engine, call).error_name == "AccessControlUnauthorizedAccount"
    local.sender().transact(bridge.pause())
    assert refused_as(local, local.engine, bridge.unpause()).error_name == "AccessControlUnauthorizedAccount"
    assert bridge.threshold().call() == 2
    assert not bridge.isVerifier(local.engine.address).call()


def test_the_admin_key_acts_only_through_the_timelock(local: LocalBridge) -> None:
    call = local.bridge.functions.setThreshold(3)
    assert refused_as(local, local.admin, call).error_name == "AccessControlUnauthorizedAccount"
    operation = local.timelock.schedule(call)
    with pytest.raises(ContractRevert) as info:
        local.timelock.execute(call)
    assert info.value.error_name == "TimelockUnexpectedOperationState"
    local.chain.time_travel(local.timelock.min_delay())
    local.timelock.execute(call)
    assert local.bridge.functions.threshold().call() == 3
    assert local.timelock.ready_at(operation) == 1  # done


def test_only_the_bridge_can_mint_or_burn_class_tokens(local: LocalBridge) -> None:
    token = minted_token(local)
    holder = local.users[0]
    for call in (token.functions.mint(holder.address, TONNE), token.functions.burn(holder.address, TONNE)):
        assert refused_as(local, holder, call).error_name == "CarbonTokenUnauthorized"
    call = token.functions.bridgeTransfer(holder.address, local.users[1].address, 1)
    assert refused_as(local, holder, call).error_name == "CarbonTokenUnauthorized"


def test_verifier_set_changes_need_the_manager_role(local: LocalBridge) -> None:
    outsider = local.users[3]
    call = local.bridge.functions.addVerifier(outsider.address)
    assert refused_as(local, outsider, call).error_name == "AccessControlUnauthorizedAccount"


def test_threshold_must_stay_within_the_verifier_count(local: LocalBridge) -> None:
    for threshold in (4, 0):
        with pytest.raises(ContractRevert) as info:
            local.admin_execute(local.bridge.functions.setThreshold(threshold))
        assert (info.value.error_name, info.value.error_args) == ("BridgeInvalidThreshold", (threshold, 3))


def test_removing_a_verifier_below_the_threshold_is_refused(local: LocalBridge) -> None:
    local.admin_execute(local.bridge.functions.setThreshold(3))
    with pytest.raises(ContractRevert) as info:
        local.admin_execute(local.bridge.functions.removeVerifier(local.verifiers[0].address))
    assert info.value.error_name == "BridgeInvalidThreshold"


def test_a_removed_verifier_can_no_longer_attest(local: LocalBridge) -> None:
    gone = local.verifiers[0]
    local.admin_execute(local.bridge.functions.removeVerifier(gone.address))
    assert not local.bridge.functions.isVerifier(gone.address).call()
    serial, start, end = fresh_block(10)
    lock = local.lock(verra_class(), serial=serial, start=start, end=end, recipient=gone.address)
    with pytest.raises(ContractRevert) as info:
        local.mint_locks([lock], signers=[gone, local.verifiers[1]])
    assert info.value.error_name in {"BridgeUnknownSigner", "BridgeSignersNotSorted"}
    assert local.mint_locks([lock], signers=local.verifiers[1:3])["status"] == 1


def test_pause_needs_the_pauser_role(local: LocalBridge) -> None:
    for account in (local.users[2], local.admin):
        assert refused_as(local, account, local.bridge.functions.pause()).error_name == (
            "AccessControlUnauthorizedAccount"
        )


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
