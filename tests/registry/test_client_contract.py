"""One contract, two clients: the in-process client and the HTTP client answer and refuse alike.

Every test runs against both implementations (and on every database backend of ``conftest``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from api_factories import CLIENT_KINDS, Connect, Keys, assert_refused, connector, issue_keys
from bridge.registry.auth import revoke_api_key
from bridge.registry.client import HttpRegistryClient, RegistryClient
from bridge.registry.enums import BlockStatus
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.schemas import JournalCheckpoint
from registry_factories import TOKEN, World

C = RegistryErrorCode


@pytest.fixture
def keys(world: World) -> Keys:
    return issue_keys(world)


@pytest.fixture(params=CLIENT_KINDS)
def connect(request: pytest.FixtureRequest, world: World) -> Iterator[Connect]:
    with connector(str(request.param), world.registry) as make:
        yield make


def serial_of(world: World, account: int, status: str = "held") -> str:
    return world.registry.list_blocks(account_id=account, status=status)[0].serial


# --- the interface ---------------------------------------------------------------------------------


def test_the_clients_are_registry_clients(world: World, connect: Connect) -> None:
    assert isinstance(connect(None), RegistryClient)


# --- public reads ----------------------------------------------------------------------------------


def test_reads_need_no_key_and_match_the_ledger(world: World, connect: Connect) -> None:
    registry = world.registry
    issued = world.issue(5_000)
    puro = world.issue(300, program="PURO")
    client = connect(None)

    assert client.get_credit(issued.block.serial) == registry.get_credit(issued.block.serial)
    assert client.get_credit(puro.block.serial).program.code == "PURO"  # a serial with "+" in it
    assert client.find_block(puro.block.serial) == registry.find_block(puro.block.serial)
    assert client.get_block(issued.block.id) == registry.get_block(issued.block.id)
    assert client.get_account(world.trust) == registry.get_account(world.trust)
    assert client.account_balance(world.custodian) == registry.account_balance(world.custodian)
    assert client.list_accounts() == registry.list_accounts()
    assert client.list_accounts(kind="trust") == registry.list_accounts(kind="trust")
    assert client.list_programs() == registry.list_programs()
    assert client.get_program("vcs") == registry.get_program("VCS")
    assert client.list_projects() == registry.list_projects()
    assert client.get_project(program="PURO", project_id="helsinki-bc-1") == registry.get_project(
        program="PURO", project_id="helsinki-bc-1"
    )
    assert client.list_issuances() == registry.list_issuances()
    assert client.get_issuance(puro.issuance.id) == registry.get_issuance(puro.issuance.id)
    assert client.issuance_totals(issued.issuance.id) == registry.issuance_totals(issued.issuance.id)
    assert client.journal_entries() == registry.journal_entries()
    assert client.journal_entries(after_seq=3, limit=2) == registry.journal_entries(after_seq=3, limit=2)
    assert client.journal_head() == registry.journal_head()
    assert client.verify_journal() == registry.verify_journal()
    assert client.check_integrity() == registry.check_integrity()


def test_list_blocks_filters_and_slices_like_the_ledger(world: World, connect: Connect) -> None:
    registry = world.registry
    issued = world.issue(1_000)
    for _ in range(3):
        registry.transfer(
            actor_account=world.custodian, to_account=world.trader, issuance_id=issued.issuance.id, quantity=7
        )
    registry.freeze(serial=registry.list_blocks(account_id=world.trader)[0].serial, reason="review")
    client = connect(None)
    for filters in (
        {},
        {"account_id": world.trader},
        {"status": "held", "issuance_id": issued.issuance.id},
        {"frozen": True},
        {"frozen": False, "account_id": world.custodian},
        {"limit": 2},
        {"limit": 2, "offset": 1},
        {"offset": 3},
        {"limit": 0},
    ):
        assert client.list_blocks(**filters) == registry.list_blocks(**filters), filters
    assert [b.serial for b in client.list_blocks(serial="-1-7-")] == [registry.list_blocks()[0].serial]
    assert client.list_blocks(program="PURO") == []


def test_list_retirements_shows_beneficiary_reason_and_settlements(world: World, connect: Connect, keys: Keys) -> None:
    registry = world.registry
    issued = world.issue(100)
    registry.retire(
        actor_account=world.custodian,
        issuance_id=issued.issuance.id,
        quantity=10,
        beneficiary="Contoso Ltd",
        reason="2023 claim",
        details="offices",
    )
    registry.immobilize(
        actor_account=world.custodian,
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        issuance_id=issued.issuance.id,
        quantity=20,
    )
    registry.retire_from_trust(
        actor_account=world.trust,
        issuance_id=issued.issuance.id,
        quantity=5,
        beneficiary="Fabrikam GmbH",
        reason="token retirement",
        settles=["31337:certificate:1"],
    )
    client = connect(None)
    records = client.list_retirements()
    assert [r.beneficiary for r in records] == ["Fabrikam GmbH", "Contoso Ltd"], "newest first"
    fabrikam, contoso = records
    assert (fabrikam.quantity, fabrikam.settles, fabrikam.retired_from_account) == (
        5,
        ["31337:certificate:1"],
        world.trust,
    )
    assert fabrikam.marketplace is not None and fabrikam.marketplace.identifier == TOKEN
    assert (contoso.reason, contoso.details, contoso.program, contoso.project_id) == (
        "2023 claim",
        "offices",
        "VCS",
        "1477",
    )
    assert [r.beneficiary for r in client.list_retirements(beneficiary="contoso")] == ["Contoso Ltd"]
    assert client.list_retirements(program="PURO") == []
    today = contoso.retired_at.date()
    assert len(client.list_retirements(retired_from=today, retired_to=today)) == 2
    assert client.list_retirements(retired_to=date(2023, 12, 31)) == []


def test_list_projects_and_issuances_filter_on_labels_and_vintage(world: World, connect: Connect) -> None:
    world.issue(100, vintage_start=date(2021, 1, 1), vintage_end=date(2021, 12, 31))
    world.issue(100, program="PURO", vintage_start=date(2023, 1, 1), vintage_end=date(2023, 12, 31))
    client = connect(None)
    assert [p.project_id for p in client.list_projects(removal=True)] == ["helsinki-bc-1"]
    assert [p.project_id for p in client.list_projects(ccp_approved=True, corsia_eligible=True)] == ["1477"]
    assert [p.project_id for p in client.list_projects(article6_authorized=True)] == ["000731"]
    assert [p.project_id for p in client.list_projects(country="cn")] == ["000731"]
    assert [p.project_id for p in client.list_projects(category="redd+", sdg=15, certification="ccb")] == ["1477"]
    assert [i.project_id for i in client.list_issuances(vintage=2023)] == ["helsinki-bc-1"]
    assert [i.project_id for i in client.list_issuances(vintage_to=2022)] == ["1477"]
    assert len(client.list_programs(ccp_eligible=True)) == 1


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda c: c.get_credit("7201-1-10-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"), C.BLOCK_NOT_FOUND),
        (lambda c: c.get_credit("7201-1-10-VCS-VCU-263-VER-ID-14-1477-01012019-31132019-1"), C.SERIAL_MALFORMED),
        (lambda c: c.get_credit("not a serial"), C.UNKNOWN_PROGRAM),
        (lambda c: c.get_account(999), C.UNKNOWN_ACCOUNT),
        (lambda c: c.get_account(2**40), C.INVALID_REQUEST),
        (lambda c: c.get_block(2**70), C.INVALID_REQUEST),
        (lambda c: c.get_issuance(42), C.UNKNOWN_ISSUANCE),
        (lambda c: c.get_program("NOPE"), C.UNKNOWN_PROGRAM),
        (lambda c: c.get_project(program="VCS", project_id="9999"), C.UNKNOWN_PROJECT),
        (lambda c: c.list_blocks(status="lost"), C.INVALID_REQUEST),
        (lambda c: c.list_blocks(limit=-1), C.INVALID_REQUEST),
        (lambda c: c.list_projects(sdg=18), C.INVALID_REQUEST),
        (lambda c: c.list_blocks(offset=-1), C.INVALID_REQUEST),
    ],
)
def test_bad_reads_are_refused_with_the_same_code(
    world: World, connect: Connect, call: Callable[[RegistryClient], object], code: RegistryErrorCode
) -> None:
    assert_refused(world.registry, code, call, connect(None))


# --- holder operations -----------------------------------------------------------------------------


def test_every_holder_operation_works_through_the_client(world: World, connect: Connect, keys: Keys) -> None:
    registry = world.registry
    issued = world.issue(10_000)
    issuance = issued.issuance.id
    custodian, trust, trader = connect(keys.custodian), connect(keys.trust), connect(keys.trader)

    moved = custodian.transfer(serial=issued.block.serial, quantity=1_000, to_account=world.trader)
    assert (moved.quantity, moved.blocks[0].account_id, moved.blocks[0].end) == (1_000, world.trader, 1_000)
    retired = trader.retire(issuance_id=issuance, quantity=100, beneficiary="Contoso Ltd", reason="2023 claim")
    assert retired.blocks[0].retirement is not None and retired.blocks[0].status is BlockStatus.RETIRED
    cancelled = custodian.cancel(issuance_id=issuance, quantity=50, reason="NDC transfer")
    assert cancelled.blocks[0].status is BlockStatus.CANCELLED
    buffered = custodian.move_to_buffer(issuance_id=issuance, quantity=500)
    assert buffered.blocks[0].status is BlockStatus.BUFFER
    locked = custodian.immobilize(
        trust_account=world.trust,
        marketplace="Carbon Bridge",
        marketplace_identifier=TOKEN.model_dump(),
        issuance_id=issuance,
        quantity=300,
    )
    assert locked.blocks[0].status is BlockStatus.IMMOBILIZED and locked.blocks[0].account_id == world.trust
    released = trust.release(to_account=world.trader, issuance_id=issuance, quantity=100)
    assert released.blocks[0].account_id == world.trader and released.blocks[0].marketplace is None
    settled = trust.retire_from_trust(
        issuance_id=issuance, quantity=20, beneficiary="Fabrikam", reason="token retired", settles=["cert-1"]
    )
    assert settled.blocks[0].retirement is not None and settled.blocks[0].retirement.settles == ["cert-1"]
    totals = registry.issuance_totals(issuance).by_status
    assert (totals.held, totals.retired, totals.cancelled, totals.buffer, totals.immobilized) == (
        10_000 - 100 - 50 - 500 - 300 + 100,
        120,
        50,
        500,
        180,
    )
    assert registry.check_integrity().ok


def test_immobilize_accepts_a_marketplace_identifier_model(world: World, connect: Connect, keys: Keys) -> None:
    issued = world.issue(10)
    result = connect(keys.custodian).immobilize(
        trust_account=world.trust, marketplace="bridge", marketplace_identifier=TOKEN, serial=issued.block.serial
    )
    assert result.blocks[0].marketplace is not None and result.blocks[0].marketplace.identifier == TOKEN


def test_a_key_for_two_accounts_acts_for_the_account_holding_the_named_block(
    world: World, connect: Connect, keys: Keys
) -> None:
    issued = world.issue(100, to=world.trader)
    client = connect(keys.custodian_and_trader)
    result = client.transfer(serial=issued.block.serial, quantity=10, to_account=world.custodian)
    assert result.blocks[0].previous_account_id == world.trader
    by_issuance = client.retire(
        issuance_id=issued.issuance.id, quantity=5, from_account=world.custodian, beneficiary="B", reason="r"
    )
    assert by_issuance.blocks[0].previous_account_id == world.custodian
    assert_refused(
        world.registry,
        C.INVALID_REQUEST,
        client.retire,
        issuance_id=issued.issuance.id,
        quantity=5,
        beneficiary="B",
        reason="r",
    )


def test_the_operator_may_cancel_on_behalf_of_a_holder_but_not_transfer(
    world: World, connect: Connect, keys: Keys
) -> None:
    issued = world.issue(100)
    operator = connect(keys.operator)
    result = operator.cancel(serial=issued.block.serial, quantity=10, reason="court order")
    assert result.blocks[0].status is BlockStatus.CANCELLED
    rest = serial_of(world, world.custodian)
    assert_refused(world.registry, C.FORBIDDEN, operator.transfer, serial=rest, to_account=world.trader)
    buffered = operator.move_to_buffer(issuance_id=issued.issuance.id, quantity=5, from_account=world.custodian)
    assert buffered.blocks[0].status is BlockStatus.BUFFER
    reversal = operator.cancel(issuance_id=issued.issuance.id, quantity=5, from_account=world.buffer, reason="loss")
    assert reversal.blocks[0].previous_account_id == world.buffer


# --- operator operations ---------------------------------------------------------------------------


def test_every_operator_operation_works_through_the_client(world: World, connect: Connect, keys: Keys) -> None:
    registry = world.registry
    operator = connect(keys.operator)
    program = operator.create_program(code="ACR", category="independent", ccp_eligible=True, corsia_phases=["first"])
    assert program == registry.get_program("ACR")
    project = operator.create_project(
        program="ACR",
        project_id="412",
        name="Mississippi Valley Afforestation",
        methodology_id="ACR-AR",
        methodology_category="Afforestation",
        sector="AFOLU",
        sectoral_scope="14",
        host_country="US",
        mitigation_type="removal",
        ccp_approved=True,
        corsia_eligible=True,
        corsia_phase="first",
        sdg_goals=[15, 13],
    )
    assert project == registry.get_project(program="ACR", project_id="412") and project.sdg_goals == [13, 15]
    account = operator.create_account(kind="holding", owner="Contoso Ltd")
    assert account == registry.get_account(account.id)
    issued = operator.issue(
        program="ACR",
        project_id="412",
        to_account=account.id,
        quantity=2_500,
        vintage_start=date(2019, 1, 1),
        vintage_end=date(2019, 12, 31),
        issued_on=date(2020, 5, 1),
    )
    assert issued.block.serial.endswith("-1 to 2500") and issued.issuance.issued_on == date(2020, 5, 1)
    assert operator.get_credit(issued.block.serial).block == issued.block  # a serial with spaces
    frozen = operator.freeze(issuance_id=issued.issuance.id, reason="review")
    assert frozen.blocks[0].frozen
    thawed = operator.unfreeze(serial=issued.block.serial, reason="cleared")
    assert not thawed.blocks[0].frozen
    empty = operator.create_account(kind="holding", owner="Closing Co")
    closed = operator.close_account(account_id=empty.id)
    assert closed.status == "closed"


@pytest.mark.parametrize(
    "call",
    [
        lambda c, w: c.create_program(code="ACR", category="independent"),
        lambda c, w: c.create_account(kind="holding", owner="x"),
        lambda c, w: c.issue(
            program="VCS",
            project_id="1477",
            to_account=w.custodian,
            quantity=10,
            vintage_start=date(2019, 1, 1),
            vintage_end=date(2019, 12, 31),
        ),
        lambda c, w: c.freeze(issuance_id=1, reason="x"),
        lambda c, w: c.close_account(account_id=w.trader),
        lambda c, w: c.list_api_keys(),
        lambda c, w: c.create_api_key(accounts=[w.trader]),
    ],
)
def test_operator_operations_are_forbidden_to_holder_keys(
    world: World, connect: Connect, keys: Keys, call: Callable[[RegistryClient, World], object]
) -> None:
    world.issue(10)
    assert_refused(world.registry, C.FORBIDDEN, call, connect(keys.custodian), world)


# --- auth refusals ---------------------------------------------------------------------------------


def test_operations_without_a_valid_key_are_unauthorized(world: World, connect: Connect, keys: Keys) -> None:
    serial = world.issue(10).block.serial
    registry = world.registry
    for key in (None, "crk_not-a-key", ""):
        assert_refused(registry, C.UNAUTHORIZED, connect(key).transfer, serial=serial, to_account=world.trader)
    assert_refused(registry, C.UNAUTHORIZED, connect(None).create_account, kind="holding", owner="x")
    assert_refused(registry, C.UNAUTHORIZED, connect(None).whoami)
    revoke_api_key(registry, connect(keys.operator).whoami().id)
    assert_refused(registry, C.UNAUTHORIZED, connect(keys.operator).create_account, kind="holding", owner="x")


def test_a_key_acts_only_on_its_own_accounts(world: World, connect: Connect, keys: Keys) -> None:
    registry = world.registry
    theirs = world.issue(100, to=world.trader)
    custodian = connect(keys.custodian)
    assert_refused(registry, C.FORBIDDEN, custodian.transfer, serial=theirs.block.serial, to_account=world.custodian)
    assert_refused(
        registry,
        C.FORBIDDEN,
        custodian.retire,
        issuance_id=theirs.issuance.id,
        quantity=1,
        from_account=world.trader,
        beneficiary="x",
        reason="y",
    )
    error = assert_refused(registry, C.FORBIDDEN, custodian.cancel, serial=theirs.block.serial, reason="mine now")
    assert f"account {world.trader}" in error.message


def test_immobilizing_into_the_trust_is_allowed_but_only_the_trust_key_releases(
    world: World, connect: Connect, keys: Keys
) -> None:
    registry = world.registry
    issued = world.issue(100)
    custodian, trust = connect(keys.custodian), connect(keys.trust)
    custodian.immobilize(
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        serial=issued.block.serial,
        quantity=40,
    )
    locked = serial_of(world, world.trust, "immobilized")
    assert_refused(registry, C.FORBIDDEN, custodian.release, serial=locked, to_account=world.custodian)
    assert_refused(
        registry, C.FORBIDDEN, custodian.retire_from_trust, serial=locked, beneficiary="x", reason="y", settles=["c"]
    )
    assert_refused(
        registry,
        C.FORBIDDEN,
        custodian.release,
        issuance_id=issued.issuance.id,
        quantity=1,
        from_account=world.trust,
        to_account=world.custodian,
    )
    assert trust.release(serial=locked, quantity=10, to_account=world.custodian).quantity == 10


def test_whoami_names_the_key_and_its_accounts(world: World, connect: Connect, keys: Keys) -> None:
    me = connect(keys.custodian_and_trader).whoami()
    assert (me.label, me.accounts, me.operator, me.revoked_at) == (
        "group",
        [world.custodian, world.trader],
        False,
        None,
    )
    assert keys.custodian_and_trader.startswith(me.prefix)


def test_the_operator_manages_api_keys(world: World, connect: Connect, keys: Keys) -> None:
    operator = connect(keys.operator)
    issued = operator.create_api_key(accounts=[world.trader], label="new desk")
    assert issued.key.startswith("crk_") and issued.api_key.accounts == [world.trader]
    fresh = connect(issued.key)
    assert fresh.whoami().id == issued.api_key.id
    listed = operator.list_api_keys()
    assert issued.api_key.id in [k.id for k in listed]
    assert all(issued.key not in k.model_dump_json() for k in listed), "a listing never shows a key"
    revoked = operator.revoke_api_key(issued.api_key.id)
    assert revoked.revoked_at is not None
    assert_refused(world.registry, C.UNAUTHORIZED, fresh.whoami)
    assert_refused(world.registry, C.UNKNOWN_API_KEY, operator.revoke_api_key, 999)
    assert_refused(world.registry, C.UNKNOWN_ACCOUNT, operator.create_api_key, accounts=[999])

    reader = operator.create_api_key(label="a verifier's reads")  # no account, not the operator: moves nothing
    assert (reader.api_key.accounts, reader.api_key.operator) == ([], False)
    serial = world.issue(10).block.serial
    assert_refused(world.registry, C.FORBIDDEN, connect(reader.key).transfer, serial=serial, to_account=world.trader)
    assert connect(reader.key).get_credit(serial).block.account_id == world.custodian


# --- idempotency -----------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_first_result(
    world: World, connect: Connect, keys: Keys
) -> None:
    registry = world.registry
    issued = world.issue(1_000)
    custodian = connect(keys.custodian)
    first = custodian.transfer(serial=issued.block.serial, quantity=10, to_account=world.trader, request_id="t-1")
    head = registry.journal_head()
    again = custodian.transfer(serial=issued.block.serial, quantity=10, to_account=world.trader, request_id="t-1")
    assert again == first
    assert registry.journal_head() == head, "the retry did nothing"


def test_a_retry_after_the_block_moved_still_returns_the_first_result(
    world: World, connect: Connect, keys: Keys
) -> None:
    registry = world.registry
    issued = world.issue(100)
    client = connect(keys.custodian_and_trader)
    first = client.immobilize(
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        serial=issued.block.serial,
        request_id="lock-1",
    )
    # the block now sits in the trust account, which this key does not act for
    again = client.immobilize(
        trust_account=world.trust,
        marketplace="bridge",
        marketplace_identifier=TOKEN,
        serial=issued.block.serial,
        request_id="lock-1",
    )
    assert again == first
    assert registry.journal_head().seq == first.seq


def test_the_same_idempotency_key_with_another_request_is_a_conflict(
    world: World, connect: Connect, keys: Keys
) -> None:
    registry = world.registry
    issued = world.issue(1_000)
    custodian = connect(keys.custodian)
    custodian.retire(serial=issued.block.serial, quantity=5, beneficiary="A", reason="r", request_id="r-1")
    rest = serial_of(world, world.custodian)
    assert_refused(
        registry,
        C.IDEMPOTENCY_CONFLICT,
        custodian.retire,
        serial=rest,
        quantity=6,
        beneficiary="A",
        reason="r",
        request_id="r-1",
    )
    assert_refused(
        registry, C.IDEMPOTENCY_CONFLICT, custodian.transfer, serial=rest, to_account=world.trader, request_id="r-1"
    )
    assert_refused(
        registry, C.INVALID_REQUEST, custodian.transfer, serial=rest, to_account=world.trader, request_id="bad id!"
    )


def test_an_in_process_request_and_its_http_retry_are_one_request(world: World, keys: Keys) -> None:
    registry = world.registry
    issued = world.issue(1_000)
    with connector("in_process", registry) as local, connector("http", registry) as remote:
        fields = {"serial": issued.block.serial, "quantity": 3, "to_account": world.trader, "request_id": "x-1"}
        first = local(keys.custodian).transfer(**fields)
        assert remote(keys.custodian).transfer(**fields) == first
        assert remote(keys.custodian_and_trader).transfer(**fields) == first
        # another principal's "x-1" is its own request id: a new request (of a block that has been split since)
        assert_refused(registry, C.BLOCK_NOT_FOUND, remote(keys.trust).transfer, **fields)


# --- bad input changes nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"quantity": 0}, C.QUANTITY_INVALID),
        ({"quantity": -5}, C.QUANTITY_INVALID),
        ({"quantity": 10**16}, C.QUANTITY_INVALID),
        ({"quantity": 1_001}, C.QUANTITY_INVALID),
        ({"to_account": 999}, C.UNKNOWN_ACCOUNT),
        ({"to_account": 2**40}, C.INVALID_REQUEST),
        ({"to_account": "trust"}, C.WRONG_ACCOUNT_KIND),
        ({"to_account": "self"}, C.SAME_ACCOUNT),
        ({"serial": "7201-1-10-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"}, C.BLOCK_NOT_FOUND),
        ({"serial": "7201-1-10-VCS-VCU-263-VER-ID-14-1477-01012019-31132019-1"}, C.SERIAL_MALFORMED),
        ({"issuance_id": 1, "quantity": 5}, C.INVALID_REQUEST),  # serial and issuance both given
        ({"serial": None, "quantity": 5}, C.INVALID_REQUEST),  # neither
        ({"serial": None, "issuance_id": 1, "quantity": 5_000}, C.INSUFFICIENT_UNITS),
        ({"serial": None, "issuance_id": 77, "quantity": 5}, C.UNKNOWN_ISSUANCE),
        ({"from_account": 2**40}, C.INVALID_REQUEST),  # no account can have that id: refused before the rules
    ],
)
def test_a_bad_transfer_is_refused_alike_and_changes_nothing(
    world: World, connect: Connect, keys: Keys, fields: dict[str, Any], code: RegistryErrorCode
) -> None:
    issued = world.issue(1_000)
    targets = {"trust": world.trust, "self": world.custodian}
    request = {"serial": issued.block.serial, "to_account": world.trader, **fields}
    if request["to_account"] in targets:
        request["to_account"] = targets[request["to_account"]]
    assert_refused(world.registry, code, connect(keys.custodian).transfer, **request)


@pytest.mark.parametrize(
    ("operation", "fields", "code"),
    [
        ("retire", {"beneficiary": "", "reason": "r"}, C.INVALID_REQUEST),
        ("retire", {"beneficiary": "B", "reason": " "}, C.INVALID_REQUEST),
        ("retire", {"beneficiary": "B", "reason": "r", "retirement_account": 4}, C.WRONG_ACCOUNT_KIND),
        ("cancel", {"reason": "r", "cancellation_account": 1}, C.WRONG_ACCOUNT_KIND),
        ("move_to_buffer", {"buffer_account": 999}, C.UNKNOWN_ACCOUNT),
        ("immobilize", {"trust_account": 5, "marketplace": "b", "marketplace_identifier": TOKEN.model_dump()},
         C.WRONG_ACCOUNT_KIND),
        ("immobilize", {"trust_account": 6, "marketplace": "b", "marketplace_identifier": {"chain_id": 1}},
         C.INVALID_REQUEST),
        ("immobilize", {"trust_account": 6, "marketplace": "b",
                        "marketplace_identifier": {**TOKEN.model_dump(), "chain_id": 2**70}}, C.INVALID_REQUEST),
        ("release", {"to_account": 5}, C.INVALID_TRANSITION),
        ("retire_from_trust", {"beneficiary": "B", "reason": "r", "settles": []}, C.INVALID_REQUEST),
        ("retire_from_trust", {"beneficiary": "B", "reason": "r", "settles": ["c"]}, C.INVALID_TRANSITION),
    ],
)  # fmt: skip
def test_bad_holder_operations_are_refused_alike(
    world: World, connect: Connect, keys: Keys, operation: str, fields: dict[str, Any], code: RegistryErrorCode
) -> None:
    issued = world.issue(100)
    client = connect(keys.custodian)
    assert_refused(world.registry, code, getattr(client, operation), serial=issued.block.serial, **fields)


@pytest.mark.parametrize(
    ("operation", "fields", "code"),
    [
        ("create_program", {"code": "NOPE", "category": "independent"}, C.UNKNOWN_PROGRAM),
        ("create_program", {"code": "VCS", "category": "independent"}, C.PROGRAM_EXISTS),
        ("create_program", {"code": "ACR", "category": "galactic"}, C.INVALID_REQUEST),
        ("create_account", {"kind": "piggy bank", "owner": "x"}, C.INVALID_REQUEST),
        ("create_account", {"kind": "holding", "owner": ""}, C.INVALID_REQUEST),
        ("close_account", {"account_id": 1}, C.WRONG_ACCOUNT_KIND),
        ("close_account", {"account_id": 999}, C.UNKNOWN_ACCOUNT),
        ("create_project", {
            "program": "PURO", "project_id": "p-2", "name": "n", "methodology_id": "m", "methodology_category": "c",
            "sector": "s", "sectoral_scope": "1", "host_country": "FI", "mitigation_type": "removal",
            "ccp_approved": True,
        }, C.LABEL_INCONSISTENT),
        ("create_project", {
            "program": "PURO", "project_id": "p-2", "name": "n", "methodology_id": "m", "methodology_category": "c",
            "sector": "s", "sectoral_scope": "1", "host_country": "XX", "mitigation_type": "removal",
        }, C.INVALID_REQUEST),
        ("issue", {
            "program": "VCS", "project_id": "1477", "to_account": 6, "quantity": 10,
            "vintage_start": date(2019, 1, 1), "vintage_end": date(2019, 12, 31),
        }, C.WRONG_ACCOUNT_KIND),
        ("issue", {
            "program": "VCS", "project_id": "1477", "to_account": 4, "quantity": 10,
            "vintage_start": date(2020, 1, 1), "vintage_end": date(2019, 12, 31),
        }, C.INVALID_REQUEST),
        ("issue", {
            "program": "PURO", "project_id": "helsinki-bc-1", "to_account": 4, "quantity": 10,
            "vintage_start": date(2019, 1, 1), "vintage_end": date(2020, 12, 31),
        }, C.SERIAL_MALFORMED),
        ("freeze", {"issuance_id": 1, "reason": "x", "serial": "x"}, C.INVALID_REQUEST),
        ("unfreeze", {"issuance_id": 1}, C.INSUFFICIENT_UNITS),
    ],
)  # fmt: skip
def test_bad_operator_operations_are_refused_alike(
    world: World, connect: Connect, keys: Keys, operation: str, fields: dict[str, Any], code: RegistryErrorCode
) -> None:
    world.issue(100)
    assert_refused(world.registry, code, getattr(connect(keys.operator), operation), **fields)


def test_a_closed_account_can_neither_act_nor_receive(world: World, connect: Connect, keys: Keys) -> None:
    registry = world.registry
    issued = world.issue(100)
    registry.close_account(account_id=world.trader)
    assert_refused(
        registry,
        C.ACCOUNT_CLOSED,
        connect(keys.custodian).transfer,
        serial=issued.block.serial,
        to_account=world.trader,
    )
    assert_refused(
        registry,
        C.ACCOUNT_CLOSED,
        connect(keys.trader).retire,
        issuance_id=issued.issuance.id,
        quantity=1,
        beneficiary="b",
        reason="r",
    )


def test_verify_journal_with_a_checkpoint(world: World, connect: Connect) -> None:
    client = connect(None)
    head = client.journal_head()
    assert client.verify_journal(checkpoint=head).ok
    forged = JournalCheckpoint(seq=head.seq, hash="f" * 64)
    report = client.verify_journal(checkpoint=forged)
    assert not report.ok and report.first_bad_seq == head.seq


def test_the_http_client_reports_an_unreachable_registry_as_unavailable() -> None:
    client = HttpRegistryClient("http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(RegistryError) as caught:
        client.get_account(1)
    assert caught.value.code is C.REGISTRY_UNAVAILABLE and caught.value.http_status == 503
    client.close()


def test_timestamps_survive_the_round_trip_as_utc(world: World, connect: Connect) -> None:
    account = connect(None).get_account(world.custodian)
    assert account.created_at.utcoffset() == datetime(2024, 1, 1, tzinfo=UTC).utcoffset()
