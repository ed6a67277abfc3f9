"""Units and shared types: wei as tonnes exactly, addresses checked once for every layer."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.primitives import TONNE, checked_address, format_tonnes, tonnes_to_wei

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@given(st.integers(min_value=-(2**256), max_value=2**256))
def test_tonnes_are_written_exactly_and_without_trailing_zeros(wei: int) -> None:
    text = format_tonnes(wei)
    with localcontext() as exact:
        exact.prec = 200
        assert Decimal(text) * TONNE == wei
    assert not text.endswith(".") and ("." not in text or not text.endswith("0"))


def test_tonnes_read_as_people_write_them() -> None:
    assert [format_tonnes(w) for w in (0, 1, TONNE // 4, 5 * TONNE // 2, tonnes_to_wei(1000))] == [
        "0",
        "0.000000000000000001",
        "0.25",
        "2.5",
        "1000",
    ]


def test_an_address_is_checksummed_and_a_wrong_checksum_or_the_zero_address_refused() -> None:
    assert checked_address(ADDRESS.lower()) == ADDRESS
    assert checked_address(ADDRESS.upper().replace("0X", "0x")) == ADDRESS
    for bad, why in (
        (ADDRESS[:2] + ADDRESS[2:].swapcase(), "checksum"),
        ("0x" + "0" * 40, "zero address"),
        ("0x1234", "20-byte"),
    ):
        with pytest.raises(ValueError, match=why):
            checked_address(bad)
