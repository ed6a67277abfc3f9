"""Factories for registry tests: a deterministic clock, a small world of programs, projects and
accounts that read like the real thing, and a helper asserting that a refusal changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.schemas import IssuanceResult, MarketplaceIdentifier

TOKEN = MarketplaceIdentifier(chain_id=31337, token_address="0x5FbDB2315678afecb367f032d93F642f64180aa3", batch_id="1")


class TickingClock:
    """A clock that moves one second per reading, from 2024-01-01T00:00:00Z (microseconds included)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1, microseconds=1)
        return self.now


@dataclass(frozen=True)
class World:
    """Programs VCS, PURO and CCER with one project each; a custodian, a trader and the bridge's trust."""

    registry: Registry
    custodian: int
    trader: int
    trust: int
    retirement: int = 1
    cancellation: int = 2
    buffer: int = 3

    def issue(
        self, quantity: int = 10_000, *, program: str = "VCS", to: int | None = None, **kwargs: Any
    ) -> IssuanceResult:
        project = {"VCS": "1477", "PURO": "helsinki-bc-1", "CCER": "000731"}.get(program, "1477")
        fields: dict[str, Any] = {
            "program": program,
            "project_id": project,
            "to_account": to or self.custodian,
            "quantity": quantity,
            "vintage_start": date(2019, 1, 1),
            "vintage_end": date(2019, 12, 31),
        }
        fields.update(kwargs)
        return self.registry.issue(**fields)


def build_world(registry: Registry) -> World:
    registry.create_program(code="VCS", category="independent", ccp_eligible=True, corsia_phases=["pilot", "first"])
    registry.create_program(code="PURO", category="independent", ccp_eligible=False)
    registry.create_program(code="CCER", category="government")
    registry.create_project(
        program="VCS",
        project_id="1477",
        name="Katingan Peatland Restoration and Conservation",
        methodology_id="VM0007",
        methodology_category="REDD+",
        sector="Agriculture, Forestry and Other Land Use",
        sectoral_scope="14",
        host_country="ID",
        mitigation_type="reduction",
        ccp_approved=True,
        corsia_eligible=True,
        corsia_phase="first",
        article6_authorization="not_authorized",
        sdg_goals=[1, 13, 15],
        additional_certifications=["CCB"],
    )
    registry.create_project(
        program="PURO",
        project_id="helsinki-bc-1",
        name="Helsinki Biochar 1",
        methodology_id="PURO-BIOCHAR-2022",
        methodology_category="Biochar",
        sector="Carbon removal",
        sectoral_scope="biochar",
        host_country="FI",
        mitigation_type="removal",
    )
    registry.create_project(
        program="CCER",
        project_id="000731",
        name="Offshore wind, Jiangsu",
        methodology_id="CCER-01-001-V01",
        methodology_category="Renewable energy",
        sector="Energy",
        sectoral_scope="1",
        host_country="CN",
        mitigation_type="reduction",
        article6_authorization="ndc_use",
        corresponding_adjustment_declaration="Committed",
        corresponding_adjustment_status="Pending",
    )
    custodian = registry.create_account(kind="holding", owner="Acme Custody")
    trader = registry.create_account(kind="holding", owner="Blue Trading")
    trust = registry.create_account(kind="trust", owner="Carbon Bridge")
    return World(registry=registry, custodian=custodian.id, trader=trader.id, trust=trust.id)


def assert_refused(
    registry: Registry,
    code: RegistryErrorCode,
    call: Callable[..., Any],
    /,
    *args: Any,
    field: str | None = None,
    **kwargs: Any,
) -> RegistryError:
    """``call(*args, **kwargs)`` raises a ``RegistryError`` with ``code`` (and ``field``), changing nothing."""
    before = registry.snapshot()
    with pytest.raises(RegistryError) as caught:
        call(*args, **kwargs)
    assert caught.value.code is code, f"expected {code}, got {caught.value.code}: {caught.value}"
    if field is not None:
        assert caught.value.field == field, caught.value
    assert registry.snapshot() == before, "a refused operation changed the ledger"
    return caught.value
