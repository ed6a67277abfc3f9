"""Factories for chain tests: credit classes and serial ranges that read like the real thing."""

from __future__ import annotations

from itertools import count

from bridge.chain.attestation import Adjustment, CreditClass, Label

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
