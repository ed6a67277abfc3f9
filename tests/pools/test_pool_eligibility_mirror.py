"""The Python eligibility mirror agrees with the contract's isEligible, for random rules and classes.

A universe of random classes (drawn from a small vocabulary, so that rules drawn from the same vocabulary
hit and miss) is bridged once; each example draws a rule set, deploys one pool with it, and compares the
contract's verdict on a sample of the classes with ``eligibility`` (every call costs time in py-evm).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pool_helpers import mint_classes, pool_for

from bridge.chain.attestation import Adjustment, CreditClass
from bridge.chain.local import LocalBridge
from bridge.pools import PoolHandle, PoolRules, eligibility

PROGRAMS = ["VCS", "GS", "ACR", "PURO"]
METHODOLOGIES = ["VM0007", "VM0015", "VM0047", "AR-ACM0003", "ACM0002", ""]
COUNTRIES = ["ID", "BR", "KE", "US"]
VINTAGES = [20150101, 20190101, 20210701, 20230101]
UNIVERSE_SIZE = 32
CLASSES_PER_EXAMPLE = 8


def random_classes(count: int, seed: int = 20261123) -> list[CreditClass]:
    rng = random.Random(seed)
    classes = []
    for i in range(count):
        start = rng.choice(VINTAGES)
        classes.append(
            CreditClass(
                program=rng.choice(PROGRAMS),
                project_id=f"MIRROR-{i}",
                vintage_start=start,
                vintage_end=start // 10_000 * 10_000 + 1231,  # the end of the same year
                methodology=rng.choice(METHODOLOGIES),
                host_country=rng.choice(COUNTRIES),
                labels=rng.randrange(16),
                adjustment=rng.choice(list(Adjustment)),
            )
        )
    return classes


@pytest.fixture(scope="module")
def universe(pool_bridge: LocalBridge) -> list[tuple[CreditClass, str]]:
    classes = random_classes(UNIVERSE_SIZE)
    tokens = mint_classes(pool_bridge, classes, pool_bridge.users[0].address, tonnes=1)
    return list(zip(classes, tokens, strict=True))


def subset(values: list[str], max_size: int) -> st.SearchStrategy[list[str]]:
    """Often empty ("any"), so that examples also reach the later checks (labels, adjustment)."""
    return st.one_of(st.just([]), st.lists(st.sampled_from(values), unique=True, max_size=max_size))


rules_strategy = st.builds(
    PoolRules,
    programs=subset(PROGRAMS, 3),
    methodologies=subset([m for m in METHODOLOGIES if m], 4),
    denied_methodologies=subset([m for m in METHODOLOGIES if m], 2),
    host_countries=subset(COUNTRIES, 3),
    min_vintage_start=st.sampled_from([0, *VINTAGES, 20200615]),
    required_labels=st.integers(0, 15),
    require_corresponding_adjustment=st.booleans(),
)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rules=rules_strategy,
    picks=st.lists(
        st.integers(0, UNIVERSE_SIZE - 1), unique=True, min_size=CLASSES_PER_EXAMPLE, max_size=CLASSES_PER_EXAMPLE
    ),
)
def test_python_eligibility_matches_the_contract(
    pool_bridge: LocalBridge, universe: list[tuple[CreditClass, str]], rules: PoolRules, picks: list[int]
) -> None:
    pool: PoolHandle = pool_for(pool_bridge, rules)
    assert pool.rules() == rules
    for credit_class, token in (universe[i] for i in picks):
        expected = eligibility(rules, credit_class)
        event(expected.reason.name)
        assert pool.is_eligible(token) == expected, (rules, credit_class)
