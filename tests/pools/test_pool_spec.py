"""A pool request resolves to one spec: a preset's, with exactly the fields the request gives instead."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bridge.pools.presets import PRESETS
from bridge.pools.repository import PoolSpec
from bridge.pools.schemas import PoolCreate
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


def test_a_preset_spec_keeps_its_digest() -> None:
    # the digest of a deployed pool's request is stored: the same request must hash the same in every version
    spec = PoolSpec.of_preset("nature", OPERATOR)
    assert spec.digest() == "363ee19af977bfbb42e5f12c2775e89cf29a2670544d6c6da38702b4155c5112"
    assert PoolSpec.model_validate(spec.model_dump(mode="json")) == spec
