"""The policy refuses ineligible credits naming the rule; a reserve mismatch pauses minting.

(What verifiers check before they sign: ``tests/verifier``.)"""

from __future__ import annotations

from datetime import date

import pytest

from bridge.engine.errors import BridgeError
from bridge.engine.locks import batch_key_of
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.schemas import TokenizationRequest
from bridge.primitives import TONNE
from engine_harness import BridgeWorld, tokenize


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
