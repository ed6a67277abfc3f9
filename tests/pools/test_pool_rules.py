"""PoolRules validation, tuple conversion and the Python eligibility mirror on hand-picked cases."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.chain.attestation import Adjustment, CreditClass, Label
from bridge.pools import PRESETS, EligibilityReason, PoolError, PoolErrorCode, PoolRules, eligibility, preset
from chain_factories import verra_class


def test_rules_round_trip_through_the_contract_tuple() -> None:
    rules = PoolRules(
        programs=["VCS", "GS"],
        methodologies=["VM0007"],
        denied_methodologies=["VM0015"],
        host_countries=["ID", "BR"],
        min_vintage_start=date(2020, 1, 1),
        required_labels=["CORSIA_ELIGIBLE", Label.REMOVAL],
        require_corresponding_adjustment=True,
    )
    assert rules.to_tuple() == (["VCS", "GS"], ["VM0007"], ["VM0015"], ["ID", "BR"], 20200101, 6, True)
    assert PoolRules.from_tuple(rules.to_tuple()) == rules
    assert rules.label_names == ["CORSIA_ELIGIBLE", "REMOVAL"]
    assert PoolRules.model_validate(rules.model_dump()) == rules
    assert PoolRules.model_validate_json(rules.model_dump_json()) == rules


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"host_countries": ["idn"]}, "host_countries.0"),
        ({"host_countries": ["Indonesia"]}, "host_countries.0"),
        ({"min_vintage_start": 2019}, "min_vintage_start"),
        ({"min_vintage_start": 20190230}, "min_vintage_start"),
        ({"min_vintage_start": True}, "min_vintage_start"),
        ({"required_labels": ["GOLD"]}, "required_labels"),
        ({"required_labels": 16}, "required_labels"),
        ({"programs": ["VCS", "VCS"]}, "programs"),
        ({"methodologies": [""]}, "methodologies.0"),
        ({"colour": "green"}, "colour"),
    ],
)
def test_malformed_rules_are_refused_with_the_field_named(data: dict[str, object], field: str) -> None:
    with pytest.raises(PoolError) as info:
        PoolRules.parse(data)
    assert info.value.code is PoolErrorCode.INVALID_POOL_RULES
    assert info.value.field == field


def test_label_names_are_case_insensitive_and_bitmasks_accepted() -> None:
    assert PoolRules(required_labels=["corsia-eligible", "ccp approved"]).labels == Label.CORSIA_ELIGIBLE | 1
    assert PoolRules(required_labels=15).required_labels == 15
    assert PoolRules(required_labels=Label.REMOVAL).label_names == ["REMOVAL"]


CASES = [
    (PoolRules(), verra_class(), EligibilityReason.ELIGIBLE),
    (PoolRules(programs=["GS"]), verra_class(), EligibilityReason.PROGRAM_NOT_ALLOWED),
    (PoolRules(methodologies=["VM0015"]), verra_class(), EligibilityReason.METHODOLOGY_NOT_ALLOWED),
    (PoolRules(denied_methodologies=["VM0007"]), verra_class(), EligibilityReason.METHODOLOGY_DENIED),
    # allowed and denied at once: the allow-list passes, the deny-list refuses
    (
        PoolRules(methodologies=["VM0007"], denied_methodologies=["VM0007"]),
        verra_class(),
        EligibilityReason.METHODOLOGY_DENIED,
    ),
    (PoolRules(min_vintage_start=20200101), verra_class(year=2019), EligibilityReason.VINTAGE_TOO_OLD),
    (PoolRules(min_vintage_start=20190101), verra_class(year=2019), EligibilityReason.ELIGIBLE),
    (PoolRules(host_countries=["BR"]), verra_class(), EligibilityReason.HOST_COUNTRY_NOT_ALLOWED),
    (PoolRules(required_labels=15), verra_class(labels=0), EligibilityReason.NOT_CCP_APPROVED),
    (PoolRules(required_labels=14), verra_class(labels=1), EligibilityReason.NOT_CORSIA_ELIGIBLE),
    (PoolRules(required_labels=12), verra_class(labels=3), EligibilityReason.NOT_REMOVAL),
    (PoolRules(required_labels=8), verra_class(labels=7), EligibilityReason.NOT_ARTICLE6_AUTHORIZED),
    (
        PoolRules(require_corresponding_adjustment=True),
        verra_class(adjustment=Adjustment.PENDING),
        EligibilityReason.NO_CORRESPONDING_ADJUSTMENT,
    ),
    (
        PoolRules(require_corresponding_adjustment=True),
        verra_class(adjustment=Adjustment.COMPLETED),
        EligibilityReason.ELIGIBLE,
    ),
    # the first failing rule is reported, in the contract's order
    (
        PoolRules(programs=["GS"], host_countries=["BR"], required_labels=4),
        verra_class(labels=0),
        EligibilityReason.PROGRAM_NOT_ALLOWED,
    ),
    # comparisons are exact, like the contract's hashes
    (PoolRules(programs=["vcs"]), verra_class(), EligibilityReason.PROGRAM_NOT_ALLOWED),
]


@pytest.mark.parametrize(("rules", "credit_class", "reason"), CASES)
def test_eligibility_names_the_first_rule_failed(
    rules: PoolRules, credit_class: CreditClass, reason: EligibilityReason
) -> None:
    assert eligibility(rules, credit_class) == (reason is EligibilityReason.ELIGIBLE, reason)
    assert rules.eligibility(credit_class).reason is reason


def test_presets_are_valid_and_documented() -> None:
    assert set(PRESETS) == {"nature", "corsia", "ccp", "removals"}
    for key, chosen in PRESETS.items():
        assert preset(key) is chosen
        assert chosen.description and chosen.name and chosen.symbol
        assert 0 < chosen.fee_bps <= 1_000
        assert chosen.class_cap is not None and chosen.supply_cap is not None
        assert PoolRules.from_tuple(chosen.rules.to_tuple()) == chosen.rules
    assert {"VM0007", "VM0015", "VM0047", "AR-ACM0003"} <= set(PRESETS["nature"].rules.methodologies)
    with pytest.raises(PoolError) as info:
        preset("gold")
    assert info.value.code is PoolErrorCode.UNKNOWN_POOL_PRESET
