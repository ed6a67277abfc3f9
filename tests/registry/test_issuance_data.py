"""Issuances as real registries publish them: their own serials, labels per issuance, buffer deposits at
issuance, monitoring periods over two years, and past retirements recorded by the operator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bridge.registry.auth import issue_api_key
from bridge.registry.client import InProcessRegistryClient
from bridge.registry.errors import RegistryErrorCode as C
from bridge.registry.examples import EXAMPLES
from bridge.registry.ledger import Registry
from registry_factories import World, assert_refused

# a Gold Standard VPA, its country by name: the registry API's own example (a test sends every example)
GS_PROJECT: dict[str, Any] = EXAMPLES["create_project"]["vpa"]["value"]
# from Gold Standard's retirement export: vintage 2025, monitoring period 2024-03-02..2025-03-10
GS_SERIAL = "GS1-1-KE-GS11603-16-2025-30256-1-5463"
PERIOD = {"vintage_start": date(2024, 3, 2), "vintage_end": date(2025, 3, 10)}


@pytest.fixture
def gs(world: World) -> World:
    registry = world.registry
    registry.create_program(code="GS", category="independent", ccp_eligible=True, corsia_phases=["pilot", "first"])
    registry.create_project(**GS_PROJECT)
    return world


def test_a_gold_standard_block_issued_with_its_real_issuance_number_carries_it(gs: World) -> None:
    """Regression: the GS serial field ``issuance_id`` once clashed with the ledger's own issuance id
    (``TypeError: got multiple values for keyword argument 'issuance_id'``), and without it the serial
    carried the ledger's row id instead of the registry's number."""
    result = gs.registry.issue(
        program="GS",
        project_id="11603",
        to_account=gs.custodian,
        quantity=5463,
        **PERIOD,
        program_fields={"issuance_id": "30256", "sequence": "16", "vintage": "2025"},
    )
    assert result.block.serial == GS_SERIAL
    assert result.issuance.id != 30256
    assert (result.issuance.vintage_start, result.issuance.vintage_end) == (date(2024, 3, 2), date(2025, 3, 10))


def test_an_issuance_takes_a_registrys_own_serial_exactly(gs: World) -> None:
    result = gs.registry.issue(
        program="GS", project_id="11603", to_account=gs.custodian, quantity=5463, serial=GS_SERIAL, **PERIOD
    )
    assert result.block.serial == result.issuance.serial == GS_SERIAL
    assert (result.block.start, result.block.end) == (1, 5463)
    assert result.issuance.unit_space == "GS:GS1-1-KE-GS11603-16-2025-30256"
    assert gs.registry.get_credit(GS_SERIAL).project.host_country == "KE"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"quantity": 5464}, C.QUANTITY_INVALID, "quantity"),
        ({"serial": GS_SERIAL.replace("GS11603", "GS11604")}, C.INVALID_REQUEST, "serial"),
        ({"serial": GS_SERIAL.replace("-KE-", "-UG-")}, C.INVALID_REQUEST, "serial"),
        ({"serial": GS_SERIAL.replace("-2025-", "-2019-")}, C.INVALID_REQUEST, "serial"),
        ({"serial": GS_SERIAL.replace("-30256-", "-302x6-")}, C.SERIAL_MALFORMED, "serial"),
        ({"serial": "ACR-US-1-2019-1-1 to 5463"}, C.SERIAL_MALFORMED, "serial"),
        ({"first_unit": 7}, C.INVALID_REQUEST, "serial"),
        ({"buffer_quantity": 5463}, C.INVALID_REQUEST, "buffer_quantity"),
    ],
)
def test_a_serial_that_is_not_the_projects_or_not_the_quantity_is_refused(
    gs: World, changes: dict[str, Any], code: C, field: str
) -> None:
    fields = {"program": "GS", "project_id": "11603", "to_account": gs.custodian, "quantity": 5463}
    fields |= {"serial": GS_SERIAL, **PERIOD, **changes}
    assert_refused(gs.registry, code, gs.registry.issue, field=field, **fields)


def test_the_same_serial_is_issued_once(gs: World) -> None:
    fields = {"program": "GS", "project_id": "11603", "to_account": gs.custodian, "quantity": 5463, **PERIOD}
    gs.registry.issue(serial=GS_SERIAL, **fields)
    overlap = GS_SERIAL.replace("-1-5463", "-5000-6000")
    assert_refused(gs.registry, C.OVERLAPPING_BLOCK, gs.registry.issue, **{**fields, "quantity": 1001}, serial=overlap)
    beside = gs.registry.issue(**{**fields, "quantity": 1000}, serial=GS_SERIAL.replace("-1-5463", "-5464-6463"))
    assert beside.issuance.unit_space == "GS:GS1-1-KE-GS11603-16-2025-30256"


def test_issuances_of_one_project_carry_their_own_labels(gs: World) -> None:
    """ACR866 and CAR1568 have issuances with and without CCP; ART102 is CORSIA-eligible for some vintages."""
    registry = gs.registry
    common = {"program": "GS", "project_id": "11603", "to_account": gs.custodian, "quantity": 10, **PERIOD}
    common["program_fields"] = {"vintage": "2025"}
    plain = registry.issue(**common)
    labelled = registry.issue(
        **common, ccp_approved=True, corsia_first_phase="yes", mitigation_type="removal", arb_eligible="no"
    )
    assert (plain.issuance.ccp_approved, plain.issuance.corsia_eligible, plain.issuance.mitigation_type) == (
        False,
        False,
        "reduction",
    )
    assert plain.issuance.article6_authorization == "not_applicable"  # the project's default
    assert (labelled.issuance.ccp_approved, labelled.issuance.corsia_phase) == (True, "first")
    assert (labelled.issuance.mitigation_type, labelled.issuance.arb_eligible) == ("removal", "no")
    credit = registry.get_credit(labelled.block.serial)
    assert credit.issuance.ccp_approved and not credit.project.ccp_approved
    assert [i.id for i in registry.list_issuances(ccp_approved=True)] == [labelled.issuance.id]
    assert [i.id for i in registry.list_issuances(corsia_phase="first")] == [labelled.issuance.id]
    assert [i.id for i in registry.list_issuances(program="GS", removal=False)] == [plain.issuance.id]


def test_an_issuances_labels_must_fit_its_program(world: World) -> None:
    registry = world.registry
    common = {"program": "CCER", "project_id": "000731", "to_account": world.custodian, "quantity": 10}
    common |= {"vintage_start": date(2021, 1, 1), "vintage_end": date(2021, 12, 31)}
    assert_refused(registry, C.LABEL_INCONSISTENT, registry.issue, field="ccp_approved", **common, ccp_approved=True)
    assert_refused(registry, C.LABEL_INCONSISTENT, registry.issue, field="corsia_pilot", **common, corsia_pilot="yes")
    assert_refused(registry, C.INVALID_REQUEST, registry.issue, field="arb_eligible", **common, arb_eligible="si")


def test_part_of_an_issuance_goes_to_the_buffer_pool_at_issuance(world: World) -> None:
    """ART102 2023: 9,621,384 issued, 535,461 deposited in the buffer."""
    result = world.issue(9_621_384, buffer_quantity=535_461, first_unit=1)
    assert result.issuance.quantity == 9_621_384 and result.issuance.buffer_quantity == 535_461
    assert (result.block.start, result.block.end, result.block.status) == (1, 9_085_923, "held")
    assert result.buffer_block is not None
    assert (result.buffer_block.start, result.buffer_block.end) == (9_085_924, 9_621_384)
    assert (result.buffer_block.status, result.buffer_block.account_id) == ("buffer", world.buffer)
    totals = world.registry.issuance_totals(result.issuance.id)
    assert (totals.by_status.held, totals.by_status.buffer) == (9_085_923, 535_461)
    assert world.registry.check_integrity().ok


def test_the_operator_records_a_past_retirement_on_a_holders_behalf(world: World) -> None:
    registry = world.registry
    issued = world.issue(100, first_unit=1)
    when = datetime(2026, 4, 10, tzinfo=UTC)
    registry._clock = lambda: datetime(2026, 5, 1, tzinfo=UTC)  # the registry's now is after the retirement
    operator = InProcessRegistryClient(registry, issue_api_key(registry, operator=True))
    result = operator.retire(
        serial=issued.block.serial.replace("-1-100-", "-11-20-"),
        beneficiary="Hilti Corporation",
        reason="Voluntary",
        retired_at=when,
    )
    assert [(b.start, b.end, b.retirement.retired_at if b.retirement else None) for b in result.blocks] == [
        (11, 20, when)
    ]
    cancelled = operator.cancel(serial=issued.block.serial.replace("-1-100-", "-21-30-"), reason="x", cancelled_at=when)
    assert cancelled.blocks[0].cancellation is not None and cancelled.blocks[0].cancellation.cancelled_at == when
    [record] = registry.list_retirements(beneficiary="Hilti")
    assert record.retired_at == when and record.retired_from_account == world.custodian


def test_only_the_operator_records_a_past_time_and_never_a_future_one(world: World) -> None:
    registry: Registry = world.registry
    serial = world.issue(100).block.serial
    fields = {"serial": serial, "beneficiary": "Acme", "reason": "claim"}
    past, future = datetime(2020, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)
    assert_refused(
        registry,
        C.FORBIDDEN,
        registry.retire,
        field="retired_at",
        actor_account=world.custodian,
        **fields,
        retired_at=past,
    )
    assert_refused(registry, C.INVALID_REQUEST, registry.retire, field="retired_at", **fields, retired_at=future)
    assert_refused(
        registry, C.INVALID_REQUEST, registry.retire, field="retired_at", **fields, retired_at=datetime(2020, 1, 1)
    )
