"""Factories for chain tests: credit classes and serial ranges that read like the real thing, and hypothesis
strategies for any class and lock the contract accepts."""

from __future__ import annotations

from itertools import count

from hypothesis import strategies as st

from bridge.chain.attestation import Adjustment, CreditClass, Label, Lock

_ranges = count(0)


def verra_class(project_id: str = "1477", year: int = 2019, **overrides: object) -> CreditClass:
    fields: dict[str, object] = {
        "program": "VCS",
        "project_id": project_id,
        "vintage_start": year * 10_000 + 101,
        "vintage_end": year * 10_000 + 1231,
        "methodology": "VM0007",
        "host_country": "ID",
        "labels": Label.CCP_APPROVED | Label.CORSIA_ELIGIBLE,
        "adjustment": Adjustment.NOT_APPLICABLE,
    }
    fields.update(overrides)
    return CreditClass(**fields)  # type: ignore[arg-type]


def fresh_block(quantity: int = 500) -> tuple[str, int, int]:
    """A Verra serial for a block never used before in this test session, with its start and end."""
    start = 40_000_001 + next(_ranges) * 1_000_000
    end = start + quantity - 1
    return f"7201-{start}-{end}-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1", start, end


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
_short_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=32)
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
credit_classes = st.builds(
    CreditClass,
    program=_short_text,
    project_id=_text,
    vintage_start=st.integers(19000101, 99991231),
    vintage_end=st.integers(19000101, 99991231),
    methodology=st.text(max_size=20),
    host_country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    labels=st.integers(0, 255),
    adjustment=st.sampled_from(list(Adjustment)),
    unit_decimals=st.integers(0, 18),
)


@st.composite
def locks(draw: st.DrawFn) -> Lock:
    """Any lock the contract takes: any id, text, 64-bit block and class."""
    start = draw(st.integers(0, 2**64 - 2))
    end = draw(st.integers(start, min(2**64 - 1, start + 2**64 - 2)))
    return Lock(
        lock_id=draw(st.integers(0, 2**256 - 1)),
        registry=draw(_short_text),
        serial=draw(_text),
        block_start=start,
        block_end=end,
        credit_class=draw(credit_classes),
        recipient=draw(addresses),
    )
