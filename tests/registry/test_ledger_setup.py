"""Programs, projects, accounts and issuance: what they record, how units are numbered, what is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bridge.registry import serials
from bridge.registry.enums import AccountKind, AccountStatus, BlockStatus, CorsiaPhase, MitigationType
from bridge.registry.errors import RegistryErrorCode
from bridge.registry.ledger import Registry
from registry_factories import World, assert_refused

C = RegistryErrorCode

PROJECT: dict[str, Any] = {
    "program": "VCS",
    "project_id": "981",
    "name": "Rimba Raya",
    "methodology_id": "VM0004",
    "methodology_category": "REDD+",
    "sector": "AFOLU",
    "sectoral_scope": "14",
    "host_country": "ID",
    "mitigation_type": "reduction",
}


# --- genesis and accounts --------------------------------------------------------------------------


def test_genesis_creates_the_registrys_own_accounts_once(registry: Registry) -> None:
    accounts = registry.list_accounts()
    assert [(a.id, a.kind, a.system) for a in accounts] == [
        (1, AccountKind.RETIREMENT, True),
        (2, AccountKind.CANCELLATION, True),
        (3, AccountKind.BUFFER, True),
    ]
    head = registry.journal_head()
    assert registry.initialize() == accounts
    assert registry.journal_head() == head
    assert registry.journal_entries()[0].operation == "init_registry"


def test_accounts_get_consecutive_ids_and_default_names(registry: Registry) -> None:
    first = registry.create_account(kind="holding", owner="Acme Custody")
    second = registry.create_account(kind="trust", owner="Carbon Bridge", name="Bridge omnibus")
    assert (first.id, second.id) == (4, 5)
    assert first.name == "Acme Custody holding account"
    assert second.name == "Bridge omnibus"
    assert registry.get_account(5).kind is AccountKind.TRUST
    assert [a.id for a in registry.list_accounts(kind="trust")] == [5]


def test_bad_accounts_are_refused(registry: Registry) -> None:
    assert_refused(registry, C.INVALID_REQUEST, registry.create_account, field="kind", kind="wallet", owner="x")
    assert_refused(registry, C.INVALID_REQUEST, registry.create_account, field="owner", kind="holding", owner="")
    assert_refused(registry, C.UNKNOWN_ACCOUNT, registry.get_account, 99)


def test_close_account_only_when_it_holds_no_live_units(world: World) -> None:
    registry = world.registry
    issued = world.issue(10, to=world.trader)
    assert_refused(registry, C.ACCOUNT_NOT_EMPTY, registry.close_account, account_id=world.trader)
    registry.retire(actor_account=world.trader, serial=issued.block.serial, beneficiary="b", reason="r")
    closed = registry.close_account(account_id=world.trader)
    assert closed.status is AccountStatus.CLOSED and closed.closed_at is not None
    assert_refused(registry, C.ACCOUNT_CLOSED, registry.close_account, account_id=world.trader)
    assert_refused(registry, C.WRONG_ACCOUNT_KIND, registry.close_account, account_id=world.retirement)
    assert_refused(registry, C.UNKNOWN_ACCOUNT, registry.close_account, account_id=99)
    assert_refused(registry, C.ACCOUNT_CLOSED, world.issue, 5, to=world.trader)


# --- programs and projects -------------------------------------------------------------------------


def test_programs_take_names_and_units_from_the_serial_catalogue(registry: Registry) -> None:
    program = registry.create_program(code="gs", category="independent", ccp_eligible=True)
    assert (program.code, program.unit_type) == ("GS", "VER")
    assert program.name == serials.PROGRAMS["GS"].name
    assert registry.get_program("GS") == program
    assert [p.code for p in registry.list_programs()] == ["GS"]


def test_bad_programs_are_refused(registry: Registry) -> None:
    registry.create_program(code="VCS", category="independent")
    assert_refused(registry, C.PROGRAM_EXISTS, registry.create_program, code="VCS", category="independent")
    assert_refused(registry, C.UNKNOWN_PROGRAM, registry.create_program, code="NOPE", category="independent")
    assert_refused(registry, C.INVALID_REQUEST, registry.create_program, field="category", code="GS", category="x")
    assert_refused(
        registry,
        C.INVALID_REQUEST,
        registry.create_program,
        field="corsia_phases.0",
        code="GS",
        category="independent",
        corsia_phases=["third"],
    )
    assert_refused(registry, C.UNKNOWN_PROGRAM, registry.get_program, "GS")


def test_a_project_records_every_label(world: World) -> None:
    project = world.registry.get_project(program="VCS", project_id="1477")
    assert project.mitigation_type is MitigationType.REDUCTION
    assert project.ccp_approved and project.ex_post
    assert project.corsia_eligible and project.corsia_phase is CorsiaPhase.FIRST
    assert project.sdg_goals == [1, 13, 15]
    assert project.additional_certifications == ["CCB"]
    ccer = world.registry.get_project(program="CCER", project_id="000731")
    assert str(ccer.article6_authorization) == "ndc_use"
    assert str(ccer.corresponding_adjustment_declaration) == "Committed"
    assert str(ccer.corresponding_adjustment_status) == "Pending"
    assert [p.project_id for p in world.registry.list_projects(program="puro")] == ["helsinki-bc-1"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"ccp_approved": True, "ex_post": False}, C.LABEL_INCONSISTENT, "ccp_approved"),
        ({"corsia_eligible": True}, C.INVALID_REQUEST, "corsia_phase"),  # the older form, still read
        ({"corsia_phase": "first"}, C.INVALID_REQUEST, "corsia_phase"),
        ({"corsia_first_phase": "maybe"}, C.INVALID_REQUEST, "corsia_first_phase"),
        ({"host_country": "XX"}, C.INVALID_REQUEST, "host_country"),
        ({"host_country": "Narnia"}, C.INVALID_REQUEST, "host_country"),
        (
            {"crediting_period_start": date(2030, 1, 1), "crediting_period_end": date(2020, 1, 1)},
            C.INVALID_REQUEST,
            "crediting_period_start",
        ),
        ({"poa_id": "10789"}, C.INVALID_REQUEST, "poa_id"),
        ({"mitigation_type": "avoidance-ish"}, C.INVALID_REQUEST, "mitigation_type"),
        ({"sdg_goals": [18]}, C.INVALID_REQUEST, "sdg_goals.0"),
        ({"corresponding_adjustment_status": "Done"}, C.INVALID_REQUEST, "corresponding_adjustment_status"),
        ({"program": "GS"}, C.UNKNOWN_PROGRAM, "program"),
        ({"project_id": "1477"}, C.PROJECT_EXISTS, "project_id"),
        ({"name": ""}, C.INVALID_REQUEST, "name"),
    ],
)
def test_bad_projects_are_refused(world: World, overrides: dict[str, Any], code: RegistryErrorCode, field: str) -> None:
    assert_refused(world.registry, code, world.registry.create_project, field=field, **{**PROJECT, **overrides})


def test_ccp_approval_needs_a_ccp_eligible_program(world: World) -> None:
    fields = {**PROJECT, "program": "PURO", "project_id": "x-1", "ccp_approved": True}
    assert_refused(world.registry, C.LABEL_INCONSISTENT, world.registry.create_project, field="ccp_approved", **fields)


def test_corsia_phase_must_be_one_the_program_is_eligible_in(world: World) -> None:
    fields = {**PROJECT, "program": "CCER", "project_id": "1", "corsia_first_phase": "yes"}
    refused = world.registry.create_project
    assert_refused(world.registry, C.LABEL_INCONSISTENT, refused, field="corsia_first_phase", **fields)
    older = {**PROJECT, "program": "CCER", "project_id": "1", "corsia_eligible": True, "corsia_phase": "pilot"}
    assert_refused(world.registry, C.LABEL_INCONSISTENT, refused, field="corsia_pilot", **older)


def test_a_project_of_the_older_form_reads_as_eligible_in_the_phase_it_names(world: World) -> None:
    project = world.registry.get_project(program="VCS", project_id="1477")  # corsia_eligible, corsia_phase first
    assert (project.corsia_pilot, project.corsia_first_phase) == ("unknown", "yes")
    assert (project.corsia_eligible, project.corsia_phase) == (True, "first")


def test_a_host_country_is_read_from_its_name_or_iso_3_code(world: World) -> None:
    for project_id, country in (("c-1", "COTE D'IVOIRE"), ("c-2", "Kenya"), ("c-3", "USA"), ("c-4", "gy")):
        world.registry.create_project(**{**PROJECT, "project_id": project_id, "host_country": country})
    countries = [world.registry.get_project(program="VCS", project_id=f"c-{n}").host_country for n in range(1, 5)]
    assert countries == ["CI", "KE", "US", "GY"]


def test_unknown_project_is_refused(world: World) -> None:
    assert_refused(world.registry, C.UNKNOWN_PROJECT, world.registry.get_project, program="VCS", project_id="1")


# --- issuance ----------------------------------------------------------------------------------------


def test_issue_creates_one_held_block_with_the_programs_serial(world: World) -> None:
    result = world.issue(500, first_unit=40_000_001, issued_on=date(2020, 3, 1))
    issuance, block = result.issuance, result.block
    assert block.serial == "1-40000001-40000500-VCS-VCU-1-VER-ID-14-1477-01012019-31122019-1"
    assert issuance.serial == block.serial
    assert issuance.issuance_ref == serials.parse(block.serial).issuance_ref
    assert (block.start, block.end, block.quantity) == (40_000_001, 40_000_500, 500)
    assert block.status is BlockStatus.HELD and block.account_id == world.custodian
    assert issuance.issued_on == date(2020, 3, 1)
    assert world.registry.get_issuance(issuance.id) == issuance
    assert world.registry.find_block(block.serial) == block
    credit = world.registry.get_credit(block.serial)
    assert credit.project.project_id == "1477" and credit.program.code == "VCS" and credit.issuance == issuance


def test_issuance_date_defaults_to_the_operation_day(world: World) -> None:
    result = world.issue(5)
    assert result.issuance.issued_on == result.recorded_at.date()


def test_units_are_numbered_after_the_last_issuance_of_the_same_numbering_space(world: World) -> None:
    first = world.issue(100)
    second = world.issue(50)
    ccer = world.issue(10, program="CCER")
    assert (first.block.start, first.block.end) == (1, 100)
    assert (second.block.start, second.block.end) == (101, 150)
    assert (ccer.block.start, ccer.block.end) == (1, 10), "each program numbers its own units"
    world.issue(10, first_unit=1_000)
    after = world.issue(1)
    assert after.block.start == 1_010


def test_puro_numbers_units_from_one_in_every_issuance(world: World) -> None:
    first = world.issue(100, program="PURO")
    second = world.issue(100, program="PURO")
    assert (first.block.start, second.block.start) == (1, 1)
    assert first.block.unit_space != second.block.unit_space
    assert first.block.unit_space.startswith("PURO:")
    assert world.registry.check_integrity().ok


def test_overlapping_unit_numbers_are_refused(world: World) -> None:
    world.issue(100, first_unit=1_000)
    for first_unit in (900, 1_099, 1_050, 1_000):
        assert_refused(world.registry, C.OVERLAPPING_BLOCK, world.issue, 101, first_unit=first_unit, field="first_unit")
    world.issue(10, first_unit=1_100)
    world.issue(99, first_unit=901)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"quantity": 0}, C.QUANTITY_INVALID, "quantity"),
        ({"quantity": 10**16}, C.QUANTITY_INVALID, "quantity"),
        ({"first_unit": 10**15, "quantity": 2}, C.QUANTITY_INVALID, "first_unit"),
        ({"first_unit": 0}, C.INVALID_REQUEST, "first_unit"),
        ({"to_account": 99}, C.UNKNOWN_ACCOUNT, "to_account"),
        ({"to_account": 3}, C.WRONG_ACCOUNT_KIND, "to_account"),
        ({"project_id": "1"}, C.UNKNOWN_PROJECT, "project_id"),
        ({"program": "GS"}, C.UNKNOWN_PROGRAM, "program"),
        ({"vintage_start": date(2020, 1, 1)}, C.INVALID_REQUEST, None),
        ({"program_fields": {"colour": "red"}}, C.SERIAL_MALFORMED, "colour"),
        ({"program_fields": {"sectoral_scope": "99"}}, C.SERIAL_MALFORMED, "sectoral_scope"),
    ],
)
def test_bad_issuances_are_refused(
    world: World, overrides: dict[str, Any], code: RegistryErrorCode, field: str | None
) -> None:
    assert_refused(world.registry, code, world.issue, field=field, **{"quantity": 100, **overrides})


def test_program_fields_reach_the_serial(world: World) -> None:
    result = world.issue(10, program_fields={"batch": "7201", "type_code": "263"})
    assert result.block.serial.startswith("7201-1-10-VCS-VCU-263-VER-ID-14-1477-")


def test_single_year_programs_need_the_vintage_year_of_a_period_across_years(world: World) -> None:
    assert_refused(
        world.registry,
        C.SERIAL_MALFORMED,
        world.issue,
        10,
        program="PURO",
        vintage_end=date(2020, 6, 30),
        field="vintage",
    )


# --- queries -----------------------------------------------------------------------------------------


def test_balances_and_totals_add_up(world: World) -> None:
    registry = world.registry
    issued = world.issue(1_000)
    iid = issued.issuance.id
    registry.transfer(actor_account=world.custodian, to_account=world.trader, issuance_id=iid, quantity=100)
    registry.retire(actor_account=world.custodian, issuance_id=iid, quantity=50, beneficiary="b", reason="r")
    registry.move_to_buffer(actor_account=world.custodian, issuance_id=iid, quantity=20)
    registry.cancel(actor_account=world.custodian, issuance_id=iid, quantity=5, reason="r")
    registry.freeze(issuance_id=iid, quantity=10, from_account=world.trader, reason="error")
    totals = registry.issuance_totals(iid)
    assert totals.issued == 1_000
    by = totals.by_status
    assert (by.held, by.retired, by.buffer, by.cancelled, by.frozen) == (925, 50, 20, 5, 10)
    assert by.total == 1_000
    trader = registry.account_balance(world.trader)
    assert trader.by_status.held == 100 and trader.by_status.frozen == 10
    assert trader.by_issuance[iid].held == 100
    assert [b.quantity for b in registry.list_blocks(account_id=world.trader, frozen=True)] == [10]
    assert len(registry.list_blocks(status="retired")) == 1
    assert len(registry.list_blocks(limit=2)) == 2
    assert_refused(registry, C.UNKNOWN_ISSUANCE, registry.issuance_totals, 99)
    assert_refused(registry, C.BLOCK_NOT_FOUND, registry.get_block, 999)
    assert [i.id for i in registry.list_issuances(program="VCS", project_id="1477")] == [iid]


def test_unknown_filter_values_are_refused(world: World) -> None:
    assert_refused(world.registry, C.INVALID_REQUEST, world.registry.list_blocks, field="status", status="lost")
    assert_refused(world.registry, C.INVALID_REQUEST, world.registry.list_accounts, field="kind", kind="wallet")


def test_overlong_text_is_refused_before_it_reaches_the_database(registry: Registry) -> None:
    assert_refused(registry, C.INVALID_REQUEST, registry.create_account, field="owner", kind="holding", owner="x" * 201)
    account = registry.create_account(kind="holding", owner="x" * 200)
    assert len(account.name) == 200
