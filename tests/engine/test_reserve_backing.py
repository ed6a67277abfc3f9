"""The proof of reserve counts only trust units that back a batch, in the engine and in the independent check
alike: whatever else a registry user puts into the trust account is reported as foreign, never counted, and
enforcement pauses only on under-backing."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.chain.attestation import Adjustment, CreditClass
from bridge.engine.errors import BridgeError
from bridge.engine.faults import CrashOnce, InjectedCrash
from bridge.engine.locks import batch_key_of
from bridge.engine.schemas import ReserveReport, TokenizationRequest
from bridge.primitives import TONNE
from bridge.reserves_check import IndependentReport, check_reserves
from engine_harness import BridgeWorld, request_redemption, tokenize

pytestmark = pytest.mark.sqlite_only  # what the proof of reserve counts: the same on every engine database

_CLASS_TYPE = (
    b"CreditClass(string program,string projectId,uint32 vintageStart,uint32 vintageEnd,string methodology,"
    b"string hostCountry,uint8 labels,uint8 adjustment,uint8 unitDecimals)"
)
_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=20)
_day = st.integers(19000101, 99991231)


@settings(max_examples=50, deadline=None)
@given(
    program=_text,
    project=_text,
    start=_day,
    end=_day,
    methodology=st.text(max_size=20),
    country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    labels=st.integers(0, 255),
    adjustment=st.sampled_from(Adjustment),
    unit_decimals=st.sampled_from([0, 3]),
)
def test_the_class_hash_is_the_eip712_struct_hash_of_the_class(**fields: Any) -> None:
    credit_class = CreditClass(
        program=fields["program"],
        project_id=fields["project"],
        vintage_start=fields["start"],
        vintage_end=fields["end"],
        methodology=fields["methodology"],
        host_country=fields["country"],
        labels=fields["labels"],
        adjustment=fields["adjustment"],
        unit_decimals=fields["unit_decimals"],
    )
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint32", "uint32", "bytes32", "bytes32", "uint8", "uint8", "uint8"],
            [
                keccak(_CLASS_TYPE),
                keccak(text=credit_class.program),
                keccak(text=credit_class.project_id),
                credit_class.vintage_start,
                credit_class.vintage_end,
                keccak(text=credit_class.methodology),
                keccak(text=credit_class.host_country),
                credit_class.labels,
                int(credit_class.adjustment),
                credit_class.unit_decimals,
            ],
        )
    )
    assert credit_class.class_hash == expected


# --- what holders put into the trust account ------------------------------------------------------


def independent(bw: BridgeWorld) -> IndependentReport:
    return check_reserves(bw.local.chain.w3, bw.local.deployment.address, bw.client(None), trust_account=bw.world.trust)


def lock(bw: BridgeWorld, serial: str, *, token: str, batch_id: str, chain_id: int | None = None) -> None:
    """The custodian, with its own registry key, locks its block ``serial`` in the bridge's trust account
    under a marketplace identifier of its choosing."""
    bw.client(bw.world.custodian).immobilize(
        trust_account=bw.world.trust,
        marketplace="carbon-bridge",
        marketplace_identifier={
            "chain_id": bw.local.chain.chain_id if chain_id is None else chain_id,
            "token_address": token,
            "batch_id": batch_id.removeprefix("0x"),
        },
        serial=serial,
    )


def foreign_of(report: ReserveReport | IndependentReport, token: str) -> int:
    [ours] = [c for c in report.classes if c.token.lower() == token.lower()]
    return ours.foreign_units


@pytest.fixture
def minted(bridge_world: BridgeWorld) -> tuple[BridgeWorld, Any]:
    done = tokenize(bridge_world, 30)
    assert done.token_address and done.batch_key
    return bridge_world, done


KINDS = ("another_class", "outside_the_batch", "unknown_batch", "another_chain", "another_token", "own_key")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deposits=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 20)), min_size=1, max_size=4))
def test_units_a_holder_locks_into_trust_are_never_counted_and_never_pause_the_bridge(
    minted: tuple[BridgeWorld, Any], deposits: list[tuple[str, int]]
) -> None:
    bw, done = minted
    token, batch = done.token_address, done.batch_key
    before, before_independent = bw.engine.proof_of_reserve(), independent(bw)  # examples share the world
    [engine_before] = [c for c in before.classes if c.token.lower() == token.lower()]
    [independent_before] = [c for c in before_independent.classes if c.token.lower() == token.lower()]
    added = {"class": 0, "none": 0, "own_key": 0}  # units naming the class token; naming none; own batch keys
    for kind, quantity in deposits:
        same_class = bw.world.issue(quantity).block.serial  # another issuance of the class: disjoint unit numbers
        if kind == "another_class":
            lock(bw, bw.world.issue(quantity, program="PURO").block.serial, token=token, batch_id=batch)
        elif kind == "outside_the_batch":
            lock(bw, same_class, token=token, batch_id=batch)
        elif kind == "unknown_batch":
            lock(bw, same_class, token=token, batch_id="ab" * 32)
        elif kind == "own_key":  # looks exactly like a lock for a mint under way, which the engine knows it is not
            lock(bw, same_class, token=token, batch_id=batch_key_of("VCS", same_class))
            added["own_key"] += quantity
        elif kind == "another_chain":
            lock(bw, same_class, token=token, batch_id=batch, chain_id=1)
        else:
            lock(bw, same_class, token="0x" + "11" * 20, batch_id=batch)
        added["none" if kind in ("another_chain", "another_token") else "class"] += quantity
    report, checked = bw.engine.proof_of_reserve(), independent(bw)
    assert report.ok and not report.under_backed, report
    assert checked.ok and not checked.under_backed, checked
    [engine_view] = [c for c in report.classes if c.token.lower() == token.lower()]
    [independent_view] = [c for c in checked.classes if c.token.lower() == token.lower()]
    assert (engine_view.units_in_trust, independent_view.units_in_trust - independent_view.pending_mint_units) == (
        30,
        30,
    ), "only the minted batch counts"
    assert engine_view.foreign_units == engine_before.foreign_units + added["class"]
    assert report.foreign_units == before.foreign_units + added["none"]
    # the independent check cannot see the engine's mints under way: a lock under the batch key of its own
    # serial may be one, so it shows as not minted (never counted either way)
    assert independent_view.pending_mint_units == independent_before.pending_mint_units + added["own_key"]
    assert independent_view.foreign_units == independent_before.foreign_units + added["class"] - added["own_key"]
    assert checked.foreign_units == before_independent.foreign_units + added["none"]
    assert bw.engine.enforce_reserve().ok
    assert not bw.local.bridge.functions.paused().call()


def test_foreign_units_cannot_hide_a_shortfall_and_the_shortfall_pauses(minted: tuple[BridgeWorld, Any]) -> None:
    bw, done = minted
    trust_block = bw.registry.find_block(done.serial)
    # a real shortfall: the registry operator moves 3 units out of trust behind the bridge's back
    bw.registry.release(
        actor_account=None,
        to_account=bw.world.trader,
        serial=trust_block.serial,
        quantity=3,
        from_account=bw.world.trust,
    )
    # and 3 units of another project are locked under the token and the batch, to cover it
    lock(bw, bw.world.issue(3, program="CCER").block.serial, token=done.token_address, batch_id=done.batch_key)
    for report in (bw.engine.proof_of_reserve(), independent(bw)):
        [ours] = [c for c in report.classes if c.token.lower() == done.token_address.lower()]
        assert (ours.ok, ours.under_backed, ours.difference_wei) == (False, True, -3 * TONNE)
        assert ours.foreign_units == 3
    with pytest.raises(BridgeError) as refused:
        bw.engine.enforce_reserve()
    assert refused.value.code == "reserve_mismatch"
    assert bw.local.bridge.functions.paused().call()


def test_a_surplus_is_reported_and_not_paused_on(minted: tuple[BridgeWorld, Any]) -> None:
    bw, done = minted
    redemption_id = request_redemption(bw, done.class_id, 4, bw.world.custodian)
    bw.settle()
    redemption = bw.engine.get_redemption(redemption_id)
    assert redemption.step == "completed" and redemption.released_serials
    # the redeemed units (inside the batch's serial) are locked again under the batch: backing, but no token
    [released] = redemption.released_serials
    lock(bw, released, token=done.token_address, batch_id=done.batch_key)
    report = bw.engine.enforce_reserve()
    [ours] = report.classes
    assert (ours.ok, ours.under_backed, ours.difference_wei, ours.foreign_units) == (False, False, 4 * TONNE, 0)
    assert not bw.local.bridge.functions.paused().call()


def test_units_locked_for_a_mint_under_way_are_pending_not_foreign(bridge_world: BridgeWorld) -> None:
    bw = bridge_world
    tokenize(bw, 5)
    issued = bw.world.issue(9)
    bw.engine.request_tokenization(
        TokenizationRequest(
            idempotency_key="pending-mint-units",
            custodian_account=bw.world.custodian,
            serial=issued.block.serial,
            recipient=bw.holder.address,
        )
    )
    bw.restart(faults=CrashOnce("tokenize.immobilize.saved"))
    with pytest.raises(InjectedCrash):
        bw.engine.run_until_idle()  # locked in trust, not yet attested
    for report in (bw.engine.proof_of_reserve(), independent(bw)):
        [ours] = report.classes
        assert (ours.pending_mint_units, ours.foreign_units, ours.ok) == (9, 0, True), report


def test_a_class_counted_in_kilograms_balances_its_units_at_its_own_scale() -> None:
    from bridge.engine.backing import balance

    kilogram = 10**15  # weiPerUnit of a class with unitDecimals 3
    claims = 1_500 * kilogram  # 1.5 t of tokens
    assert balance(backing_wei=1_500 * kilogram, claims_wei=claims, attested_units=1_500, wei_per_unit=kilogram) == {
        "ok": True,
        "under_backed": False,
        "difference_wei": 0,
    }
    as_tonnes = balance(backing_wei=claims, claims_wei=claims, attested_units=1_500, wei_per_unit=TONNE)
    assert not as_tonnes["ok"], "1,500 attested kilograms read as tonnes would claim a thousand times the reserve"
