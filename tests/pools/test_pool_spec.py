"""A pool request resolves to one spec: a preset's, with exactly the fields the request gives instead."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.pools.presets import PRESETS
from bridge.pools.schemas import PoolCreate
from bridge.pools.spec import PoolSpec
from bridge.primitives import TONNE

OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OVERRIDES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(alphabet="ABCxyz ", min_size=1, max_size=64),
        "symbol": st.from_regex(r"[A-Z0-9]{1,11}", fullmatch=True),
        "fee_bps": st.integers(0, 1_000),
        "supply_cap_tonnes": st.integers(0, 10**9),
        "class_cap_tonnes": st.integers(0, 10**9),
    },
)
SPEC_FIELD = {"supply_cap_tonnes": "supply_cap", "class_cap_tonnes": "class_cap"}


@given(key=st.sampled_from(sorted(PRESETS)), asked=OVERRIDES)
def test_a_preset_request_changes_only_the_fields_it_gives(key: str, asked: dict[str, Any]) -> None:
    spec = PoolSpec.of_request(PoolCreate(preset=key, **asked), OPERATOR)
    expected = {
        SPEC_FIELD.get(name, name): value * TONNE if name in SPEC_FIELD else value for name, value in asked.items()
    }
    assert spec == PoolSpec.of_preset(key, OPERATOR).model_copy(update=expected)
    assert spec.preset == key and spec.rules == PRESETS[key].rules


# digests as f17876d computed them (a dataclass then): a spec's digest is stored with every deployed pool's
# request and compared on a retry, so the same request must hash the same in every version
DIGESTS = [
    (
        {
            "name": "Brazil Forest Tonne",
            "symbol": "BRFT",
            "fee_bps": 50,
            "supply_cap_tonnes": 1_000_000,
            "class_cap_tonnes": 100_000,
            "rules": {"methodologies": ["VM0007", "VM0015"], "host_countries": ["BR"]},
        },
        "090f7be071d9f6781c4840a9b7c845252c225bcd3df80a4c67f0c5ae9ccd238f",
    ),
    ({"name": "X", "symbol": "X", "rules": {}}, "c059f2bddfeb2fcf84b3cf0f30f5df5a58602b3f74283c95999a9f38fee8dd97"),
    (
        {"preset": "removals", "symbol": "CDRT2", "fee_bps": 0, "supply_cap_tonnes": 1000},
        "4fbc08e0007fcc86474d1b39abb517fd3f79638f7b1357e828d632e68f9c6666",
    ),
    (
        {
            "preset": "nature",
            "name": "N",
            "class_cap_tonnes": 0,
            "fee_recipient": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        },
        "b94ee04c3d5bbefdd10f6512a29919bbe0595df514d36f7259769d35d7be1890",
    ),
    ({"preset": "nature"}, "363ee19af977bfbb42e5f12c2775e89cf29a2670544d6c6da38702b4155c5112"),
]


@pytest.mark.parametrize(("body", "digest"), DIGESTS)
def test_a_pool_request_keeps_its_digest_and_its_record_reads_back(body: dict[str, Any], digest: str) -> None:
    spec = PoolSpec.of_request(PoolCreate(**body), OPERATOR)
    assert spec.digest() == digest
    assert PoolSpec.model_validate(spec.model_dump(mode="json")) == spec
