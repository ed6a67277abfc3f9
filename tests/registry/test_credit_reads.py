"""Many credits read at once (``get_credits``): what ``get_credit`` of each serial answers, in the order asked,
None where no block has the serial; the same through the ledger, both clients and the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api_factories import CLIENT_KINDS, Connect, connector
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.views.lookup import MAX_SERIALS_PER_READ, _merged_ranges
from registry_factories import World


@pytest.fixture(params=CLIENT_KINDS)
def connect(request: pytest.FixtureRequest, world: World) -> Iterator[Connect]:
    with connector(str(request.param), world.registry) as make:
        yield make


def test_many_credits_are_read_at_once_as_each_reads_alone(world: World, connect: Connect) -> None:
    registry = world.registry
    first = world.issue(100).block.serial
    other = world.issue(70, program="PURO").block.serial
    registry.transfer(actor_account=world.custodian, serial=first, quantity=30, to_account=world.trader)
    split = [b.serial for b in registry.list_blocks(issuance_id=registry.find_block(other).issuance_id)]
    held = [b.serial for b in registry.list_blocks(account_id=world.custodian)] + [
        b.serial for b in registry.list_blocks(account_id=world.trader)
    ]
    gone = first  # the block was split by the transfer: no block has its serial any more
    asked = [*held, gone, held[0], *split]
    expected = [None if s == gone else registry.get_credit(s) for s in asked]
    for reader in (registry, connect(None)):
        assert reader.get_credits(asked) == expected
        assert reader.get_credits([]) == []


def test_a_read_of_too_many_or_of_a_malformed_serial_is_refused(world: World, connect: Connect) -> None:
    serial = world.issue(10).block.serial
    for reader in (world.registry, connect(None)):
        with pytest.raises(RegistryError) as caught:
            reader.get_credits([serial] * (MAX_SERIALS_PER_READ + 1))
        assert (caught.value.code, caught.value.field) == (RegistryErrorCode.INVALID_REQUEST, "serials")
        with pytest.raises(RegistryError) as caught:
            reader.get_credits([serial, "not a serial"])
        assert caught.value.code in {RegistryErrorCode.SERIAL_MALFORMED, RegistryErrorCode.UNKNOWN_PROGRAM}


@given(
    st.lists(
        st.tuples(st.sampled_from(["VCS", "GS"]), st.integers(0, 60), st.integers(0, 8)).map(
            lambda r: (r[0], r[1], r[1] + r[2])
        ),
        max_size=12,
    )
)
def test_the_ranges_a_locked_credits_read_asks_for_cover_exactly_the_locks_units(
    ranges: list[tuple[str, int, int]],
) -> None:
    merged = _merged_ranges(ranges)
    for space in ("VCS", "GS"):
        for unit in range(0, 72):
            wanted = any(s == space and a <= unit <= b for s, a, b in ranges)
            asked = sum(s == space and a <= unit <= b for s, a, b in merged)
            assert asked == wanted  # each unit asked for at most once, and only the locks' units
    for (s1, _, e1), (s2, a2, _) in pairwise(merged):
        assert s1 != s2 or a2 > e1 + 1, "touching ranges are joined"
