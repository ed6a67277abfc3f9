"""Verifiers re-read the registry and refuse what does not match; the policy refuses ineligible credits."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from bridge.engine.errors import BridgeError
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.schemas import TokenizationRequest
from bridge.engine.tokenize import batch_key_of
from bridge.engine.verifier import SignedMemory
from bridge.primitives import TONNE
from engine_harness import BridgeWorld, tokenize

pytestmark = pytest.mark.sqlite_only  # verifiers and eligibility: the same on every engine database


def locked(bw: BridgeWorld, quantity: int = 10):  # type: ignore[no-untyped-def]
    """A tokenization driven up to its attestation (the block is locked in trust, nothing signed)."""
    issued = bw.world.issue(quantity)
    tokenization = bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key=f"verify-{issued.block.serial[-30:]}",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )
    bw.engine.tokenize._immobilize(tokenization.id)
    row = bw.engine.tokenize._load(tokenization.id)
    return bw.engine.tokenize.attestation_of(row, bw.local.deadline())


def refusal(bw: BridgeWorld, attestation) -> BridgeError:  # type: ignore[no-untyped-def]
    verifier = bw.engine.tokenize.verifiers[0]
    with pytest.raises(BridgeError) as info:
        verifier.attest(attestation)
    assert info.value.code == "attestation_refused"
    return info.value


def test_a_verifier_signs_what_the_registry_shows(bridge_world: BridgeWorld) -> None:
    attestation = locked(bridge_world)
    assert len(bridge_world.engine.tokenize.verifiers[0].attest(attestation)) == 65


def test_a_verifier_refuses_an_inflated_quantity(bridge_world: BridgeWorld) -> None:
    attestation = locked(bridge_world)
    inflated = attestation.model_copy(update={"block_end": attestation.block_end + 5, "quantity": 15})
    assert refusal(bridge_world, inflated).field == "quantity"


def test_a_verifier_refuses_labels_the_project_does_not_have(bridge_world: BridgeWorld) -> None:
    attestation = locked(bridge_world)
    upgraded = attestation.credit_class.model_copy(update={"labels": attestation.credit_class.labels | 4})
    assert refusal(bridge_world, attestation.model_copy(update={"credit_class": upgraded})).field == "credit_class"


def test_a_verifier_refuses_a_block_not_locked_in_trust(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    attestation = locked(bw)
    held = bw.world.issue(10)
    error = refusal(bw, attestation.model_copy(update={"serial": held.block.serial}))
    assert error.field == "serial"


def test_a_verifier_refuses_a_second_different_mint_of_one_block(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    attestation = locked(bw)
    bw.engine.tokenize.verifiers[0].attest(attestation)
    redirected = attestation.model_copy(update={"recipient": bw.local.users[4].address})
    assert refusal(bw, redirected).field == "recipient"


def test_a_restarted_verifier_remembers_what_it_signed(bridge_world: BridgeWorld, tmp_path: Path) -> None:
    bw = bridge_world
    attestation = locked(bw)
    first = bw.engine.tokenize.verifiers[0]
    first.memory = SignedMemory(tmp_path / "verifier.db")
    first.attest(attestation)
    first.memory.close()  # the verifier process stops; its file stays

    restarted = dataclasses.replace(first, memory=SignedMemory(tmp_path / "verifier.db"))
    redirected = attestation.model_copy(update={"recipient": bw.local.users[4].address})
    with pytest.raises(BridgeError) as info:
        restarted.attest(redirected)
    assert (info.value.code, info.value.field) == ("attestation_refused", "recipient")
    assert len(restarted.attest(attestation.model_copy(update={"nonce": attestation.nonce + 1}))) == 65
    forgetful = dataclasses.replace(first, memory=SignedMemory())  # what an in-memory verifier would do
    assert len(forgetful.attest(redirected)) == 65


def test_a_verifier_refuses_a_far_away_deadline(bridge_world: BridgeWorld) -> None:
    attestation = locked(bridge_world)
    assert refusal(bridge_world, attestation.model_copy(update={"deadline": 2**40})).field == "deadline"


@pytest.mark.parametrize(
    ("policy", "rule"),
    [
        (EligibilityPolicy(allowed_programs=frozenset({"GS"})), "allowed_programs"),
        (EligibilityPolicy(blocked_methodologies=frozenset({"VM0007"})), "blocked_methodologies"),
        (EligibilityPolicy(min_vintage_year=2020), "min_vintage_year"),
        (EligibilityPolicy(max_vintage_age_years=3), "max_vintage_age_years"),
        (EligibilityPolicy(required_labels=frozenset({"removal"})), "required_labels"),
        (EligibilityPolicy(blocked_projects=frozenset({"VCS:1477"})), "blocked_projects"),
    ],
)
def test_the_policy_refuses_ineligible_credits_naming_the_rule(
    bridge_world: BridgeWorld, policy: EligibilityPolicy, rule: str
) -> None:
    credit = bridge_world.registry.get_credit(bridge_world.world.issue(10).block.serial)
    with pytest.raises(BridgeError) as info:
        policy.check(credit, today=date(2026, 11, 23))
    assert (info.value.code, info.value.field) == ("not_eligible", rule)


def test_an_ineligible_tokenization_is_refused_before_anything_is_locked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engine_harness import make_world

    bw = make_world(tmp_path, policy=EligibilityPolicy(required_labels=frozenset({"removal"})))
    issued = bw.world.issue(10)
    before = bw.registry.snapshot()
    with pytest.raises(BridgeError) as info:
        bw.engine.request_tokenization(
            TokenizationRequest(
                idempotency_key="not-eligible-1",
                custodian_account=bw.world.custodian,
                serial=issued.block.serial,
                recipient=bw.holder.address,
            )
        )
    assert (info.value.code, info.value.field) == ("not_eligible", "required_labels")
    assert bw.registry.snapshot() == before


def test_a_reserve_mismatch_pauses_minting_and_names_the_class(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    done = tokenize(bw, 30)
    # the registry operator moves a unit out of trust behind the bridge's back
    batch = bw.registry.list_blocks(account_id=bw.world.trust)[0]
    bw.registry.release(
        actor_account=None, to_account=bw.world.trader, serial=batch.serial, quantity=1, from_account=bw.world.trust
    )
    with pytest.raises(BridgeError) as info:
        bw.engine.enforce_reserve()
    assert info.value.code == "reserve_mismatch"
    assert done.class_id in info.value.message
    assert f"{-TONNE:+d}" in info.value.message
    assert bw.local.bridge.functions.paused().call()
    assert batch_key_of("VCS", done.serial or "") == done.batch_key
