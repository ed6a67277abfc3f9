"""The pools API on an in-process bridge: reads, creation (operator, idempotent), prepared trades signed and
sent by the traders themselves, and every refusal coded, field named, and changing nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import select
from web3.logs import DISCARD
from web3.types import TxReceipt

from bridge.api import create_app
from bridge.chain.tx import GAS_HEADROOM
from bridge.client import BridgeClient
from bridge.engine.store import Base, EngineStore
from bridge.local import LocalTemplate, local_service
from bridge.pools import PRESETS, PoolError, PoolErrorCode
from bridge.pools.repository import PoolBase, PoolRecord
from bridge.pools.rules import PoolRules
from bridge.pools.spec import PoolSpec
from bridge.service import BridgeService
from bridge.testing import LocalBridgeHelper

TONNE = 10**18
NOWHERE = "0x000000000000000000000000000000000000dEaD"  # no pool, no token


@dataclass
class PoolWorld:
    service: BridgeService
    api: TestClient
    pools: dict[str, str]  # preset -> address
    vcs: str  # VCS VM0007 Indonesia 2019 (CCP-approved, nature-based): alice holds 30 t
    gs: str  # Gold Standard Uganda 2022 (CCP-approved, CORSIA): bob holds 30 t
    accu: str  # ACCU removal 2018, no CCP label: alice holds 10 t
    alice: LocalAccount
    bob: LocalAccount
    carol: LocalAccount  # holds nothing

    def key(self, name: str, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"X-API-Key": self.service.api_key(name)}
        return headers | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})

    def state(self) -> tuple[str, str, int]:
        """Registry digest, engine database digest (pools included) and chain head."""
        rows = []
        with self.service.store.session() as session:
            for table in [*Base.metadata.sorted_tables, *PoolBase.metadata.sorted_tables]:
                rows.append([table.name, *(str(tuple(r)) for r in session.execute(select(table)).all())])
        engine = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        return self.service.registry.snapshot_digest(), engine, self.service.engine.chain.head()

    def plan(self, pool: str, **body: Any) -> dict[str, Any]:
        response = self.api.post(f"/v1/pools/{pool}/transactions", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def balance(self, token: str, holder: LocalAccount | str) -> int:
        address = holder if isinstance(holder, str) else holder.address
        return int(self.service.onchain.deployment.token_at(token).functions.balanceOf(address).call())

    def pool_balance(self, pool: str, holder: LocalAccount | str) -> int:
        return self.service.pools.handle(pool).balance_of(holder if isinstance(holder, str) else holder.address)


def sign_and_send(service: BridgeService, trader: LocalAccount, plan: dict[str, Any]) -> list[TxReceipt]:
    """What a trader's wallet does with a prepared trade: fill in nonce, gas and fees, sign, send, in order."""
    w3 = service.onchain.chain.w3
    receipts = []
    for tx in plan["transactions"]:
        fields: dict[str, Any] = {"from": trader.address, "to": tx["to"], "data": tx["data"], "value": int(tx["value"])}
        gas = tx["gas"] or int(w3.eth.estimate_gas(fields) * GAS_HEADROOM)  # type: ignore[arg-type]
        base = int(w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        fields |= {
            "gas": gas,
            "nonce": w3.eth.get_transaction_count(trader.address, "pending"),
            "chainId": plan["chain_id"],
            "maxFeePerGas": 2 * base + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(trader.sign_transaction(fields).raw_transaction)
        )
        assert receipt["status"] == 1, tx
        receipts.append(receipt)
    return receipts


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, bridge_template: LocalTemplate) -> Iterator[PoolWorld]:
    tmp: Path = tmp_path_factory.mktemp("pool-api")
    service = local_service(tmp, template=bridge_template)
    helper = LocalBridgeHelper(service)
    pools = {key: pool.address for key, pool in zip(PRESETS, service.ensure_preset_pools(), strict=True)}
    serials = {block.serial.split("-")[0]: block.serial for block in helper.held_blocks()}
    alice, bob, carol = service.onchain.users[:3]
    vcs = helper.tokenize(serial=serials["22"], quantity=30, to=alice).token_address
    gs = helper.tokenize(serial=serials["GS1"], quantity=30, to=bob).token_address
    accu = helper.tokenize(serial=serials["ACCU"], quantity=10, to=alice).token_address
    assert vcs and gs and accu
    with TestClient(create_app(service)) as api:
        yield PoolWorld(service, api, pools, vcs, gs, accu, alice, bob, carol)
    service.close()


# --- reads -------------------------------------------------------------------------------------------


def test_the_preset_pools_are_listed_with_rules_caps_and_fees(world: PoolWorld) -> None:
    page = world.api.get("/v1/pools", params={"limit": 4}).json()
    by_preset = {item["preset"]: item for item in page["items"] if item["preset"]}
    assert set(by_preset) >= set(PRESETS) and page["total"] >= 4
    ccp = by_preset["ccp"]
    assert ccp["address"] == world.pools["ccp"] and ccp["symbol"] == "CCPT"
    assert ccp["rules"]["required_labels"] == ["CCP_APPROVED"]
    assert ccp["fee_bps"] == 50 and ccp["supply_cap"] == str(50_000_000 * TONNE)
    assert ccp["default_class_cap"] == str(2_000_000 * TONNE)
    assert by_preset["nature"]["rules"]["min_vintage_start"] == 20160101
    # pagination
    second = world.api.get("/v1/pools", params={"limit": 1, "offset": 1}).json()
    assert second["items"][0]["address"] == page["items"][1]["address"] and second["limit"] == 1
    assert world.api.get("/v1/pools", params={"limit": 0}).json()["code"] == "invalid_request"


def test_ensure_preset_pools_deploys_once_and_the_record_outlives_the_service(world: PoolWorld) -> None:
    head = world.service.engine.chain.head()
    again = world.service.ensure_preset_pools()
    assert [p.address for p in again] == list(world.pools.values())
    assert world.service.engine.chain.head() == head  # nothing deployed twice
    # a new store on the same database (a restart) finds them
    store = EngineStore(world.service.settings.engine_db_url)
    try:
        with store.session() as session:
            rows = session.scalars(select(PoolRecord).where(PoolRecord.preset.is_not(None))).all()
            recorded = {row.preset: row.address for row in rows if row.request_key.startswith("preset:")}
    finally:
        store.close()
    assert recorded == world.pools


def test_one_pool_and_its_eligibility_verdicts(world: PoolWorld) -> None:
    ccp = world.pools["ccp"]
    pool = world.api.get(f"/v1/pools/{ccp.lower()}").json()  # any case is accepted, checksummed back
    assert pool["address"] == ccp and pool["name"] == "CCP-Approved Tonne"

    yes = world.api.get(f"/v1/pools/{ccp}/eligibility/{world.vcs}").json()
    assert (yes["eligible"], yes["reason"], yes["rule"]) == (True, "eligible", None)
    assert yes["attributes"]["program"] == "VCS" and "CCP_APPROVED" in yes["attributes"]["labels"]

    no = world.api.get(f"/v1/pools/{ccp}/eligibility/{world.accu}").json()
    assert (no["eligible"], no["reason"], no["rule"]) == (False, "not_ccp_approved", "required_labels")
    assert "CCP_APPROVED" in no["message"]

    nature = world.api.get(f"/v1/pools/{world.pools['nature']}/eligibility/{world.gs}").json()
    assert (nature["reason"], nature["rule"]) == ("methodology_not_allowed", "methodologies")

    stranger = world.api.get(f"/v1/pools/{ccp}/eligibility/{NOWHERE}").json()
    assert (stranger["eligible"], stranger["reason"], stranger["attributes"]) == (False, "not_bridge_token", None)


@pytest.mark.parametrize(
    ("path", "status", "code", "field"),
    [
        ("/v1/pools/{nowhere}", 404, "pool_not_found", "address"),
        ("/v1/pools/0x1234", 422, "invalid_request", "address"),
        ("/v1/pools/not-an-address", 422, "invalid_request", "address"),
        ("/v1/pools/{bad_checksum}", 422, "invalid_request", "address"),
        ("/v1/pools/{nowhere}/eligibility/{vcs}", 404, "pool_not_found", "address"),
        ("/v1/pools/{ccp}/eligibility/0xnope", 422, "invalid_request", "token"),
        ("/v1/pools/{ccp}/eligibility/{bad_checksum}", 422, "invalid_request", "token"),
    ],
)
def test_bad_pool_and_token_addresses_are_refused(
    world: PoolWorld, path: str, status: int, code: str, field: str
) -> None:
    ccp = world.pools["ccp"]
    bad_checksum = ccp[:2] + ccp[2:].swapcase()  # every letter's case flipped: a wrong checksum
    url = path.format(nowhere=NOWHERE, bad_checksum=bad_checksum, vcs=world.vcs, ccp=ccp)
    response = world.api.get(url)
    assert (response.status_code, response.json()["code"], response.json().get("field")) == (status, code, field)


# --- creating pools ----------------------------------------------------------------------------------


def test_the_operator_creates_a_pool_from_rules_and_a_replay_returns_it(world: PoolWorld) -> None:
    body = {
        "name": "Indonesia CCP Tonne",
        "symbol": "IDCT",
        "fee_bps": 25,
        "rules": {"host_countries": ["ID"], "required_labels": ["CCP_APPROVED"]},
        "class_cap_tonnes": 100,
    }
    created = world.api.post("/v1/pools", json=body, headers=world.key("operator", "create-idct-0001"))
    assert created.status_code == 201, created.text
    pool = created.json()
    assert (pool["symbol"], pool["preset"], pool["fee_bps"]) == ("IDCT", None, 25)
    assert pool["rules"] == {  # every rule as the chain holds it, labels by name
        "programs": [],
        "methodologies": [],
        "denied_methodologies": [],
        "host_countries": ["ID"],
        "min_vintage_start": 0,
        "required_labels": ["CCP_APPROVED"],
        "require_corresponding_adjustment": False,
    }
    assert pool["default_class_cap"] == str(100 * TONNE)
    assert pool["supply_cap"] is None and pool["created_at"].endswith(("Z", "+00:00"))

    before = world.state()
    replay = world.api.post("/v1/pools", json=body, headers=world.key("operator", "create-idct-0001"))
    assert (replay.status_code, replay.json()["address"]) == (201, pool["address"])
    assert world.state() == before  # nothing deployed, nothing recorded

    verdict = world.api.get(f"/v1/pools/{pool['address']}/eligibility/{world.gs}").json()
    assert (verdict["reason"], verdict["rule"]) == ("host_country_not_allowed", "host_countries")

    conflict = world.api.post(
        "/v1/pools", json=body | {"fee_bps": 30}, headers=world.key("operator", "create-idct-0001")
    )
    assert (conflict.status_code, conflict.json()["code"]) == (409, "idempotency_conflict")
    assert world.state() == before


def test_a_preset_pool_with_overrides(world: PoolWorld) -> None:
    body = {"preset": "removals", "symbol": "CDRT2", "fee_bps": 0, "supply_cap_tonnes": 1000}
    response = world.api.post("/v1/pools", json=body, headers=world.key("operator", "removals-second-01"))
    assert response.status_code == 201, response.text
    pool = response.json()
    assert (pool["preset"], pool["name"], pool["symbol"], pool["fee_bps"]) == (
        "removals",
        "Carbon Removal Tonne",
        "CDRT2",
        0,
    )
    assert pool["supply_cap"] == str(1000 * TONNE) and pool["default_class_cap"] == str(250_000 * TONNE)
    assert pool["address"] != world.pools["removals"]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"X-API-Key": "bak_not_a_key"}, 401, "unauthorized"),
        ("custodian", 403, "forbidden"),
        ("verifier", 403, "forbidden"),
        ("trader", 403, "forbidden"),
    ],
)
def test_only_the_operator_creates_pools(
    world: PoolWorld, headers: dict[str, str] | str, status: int, code: str
) -> None:
    sent = world.key(headers) if isinstance(headers, str) else dict(headers)
    before = world.state()
    response = world.api.post("/v1/pools", json={"preset": "nature"}, headers=sent | {"Idempotency-Key": "auth-0001"})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert world.state() == before


@pytest.mark.parametrize(
    ("body", "idempotency_key", "status", "code", "field"),
    [
        ({"preset": "nature"}, None, 422, "invalid_request", "Idempotency-Key"),
        ({"preset": "nature"}, "short", 422, "invalid_request", "Idempotency-Key"),
        ({"preset": "nature"}, "spaces are not allowed", 422, "invalid_request", "Idempotency-Key"),
        ({"preset": "forest"}, "bad-create-01", 404, "unknown_pool_preset", "preset"),
        ({"preset": "nature", "rules": {}}, "bad-create-02", 422, "invalid_request", None),
        ({"rules": {}, "name": "No Symbol"}, "bad-create-03", 422, "invalid_request", None),
        ({}, "bad-create-04", 422, "invalid_request", None),
        ({"preset": "nature", "name": "N" * 65}, "bad-create-05", 422, "invalid_request", "name"),
        ({"preset": "nature", "name": ""}, "bad-create-06", 422, "invalid_request", "name"),
        ({"preset": "nature", "symbol": "NOT-A-SYMBOL"}, "bad-create-07", 422, "invalid_request", "symbol"),
        ({"preset": "nature", "fee_bps": 1001}, "bad-create-08", 422, "invalid_request", "fee_bps"),
        ({"preset": "nature", "fee_bps": -1}, "bad-create-09", 422, "invalid_request", "fee_bps"),
        ({"preset": "nature", "supply_cap_tonnes": -1}, "bad-create-10", 422, "invalid_request", "supply_cap_tonnes"),
        ({"preset": "nature", "class_cap_tonnes": 2**200}, "bad-create-11", 422, "invalid_request", "class_cap_tonnes"),
        ({"preset": "nature", "fee_recipient": "0xabc"}, "bad-create-12", 422, "invalid_request", "fee_recipient"),
        ({"preset": "nature", "colour": "green"}, "bad-create-13", 422, "invalid_request", "colour"),
        (
            {"name": "Brazil", "symbol": "BR", "rules": {"host_countries": ["brazil"]}},
            "bad-create-14",
            422,
            "invalid_request",
            "rules.host_countries.0",
        ),
        (
            {"name": "Gold", "symbol": "GLD", "rules": {"required_labels": ["GOLD"]}},
            "bad-create-15",
            422,
            "invalid_request",
            "rules.required_labels",
        ),
        (
            {"name": "Twice", "symbol": "TW", "rules": {"programs": ["VCS", "VCS"]}},
            "bad-create-16",
            422,
            "invalid_request",
            "rules.programs",
        ),
        (
            {"name": "Many", "symbol": "MANY", "rules": {"programs": [f"P{i}" for i in range(65)]}},
            "bad-create-18",
            422,
            "invalid_request",
            "rules",
        ),
        (
            {"name": "Old", "symbol": "OLD", "rules": {"min_vintage_start": 20231301}},
            "bad-create-17",
            422,
            "invalid_request",
            "rules.min_vintage_start",
        ),
    ],
)
def test_bad_pool_requests_are_refused_and_change_nothing(
    world: PoolWorld, body: dict[str, Any], idempotency_key: str | None, status: int, code: str, field: str | None
) -> None:
    before = world.state()
    response = world.api.post("/v1/pools", json=body, headers=world.key("operator", idempotency_key))
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    if field is not None:
        assert response.json()["field"] == field
    assert world.state() == before


def test_a_deployment_cut_short_is_finished_by_the_retry_not_repeated(
    world: PoolWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = world.service.pools
    spec = PoolSpec.of_preset("corsia", registry.operator)
    import bridge.pools.repository as module

    real_deploy = module.deploy_pool

    def deploy_then_crash(sender: Any, bridge: str, asked: PoolSpec, **kwargs: Any) -> Any:
        real_deploy(sender, bridge, asked.model_copy(update={"supply_cap": None, "class_cap": None}), **kwargs)
        raise RuntimeError("the process died")  # deployed, caps not yet set

    monkeypatch.setattr(module, "deploy_pool", deploy_then_crash)
    with pytest.raises(RuntimeError):
        registry.deploy("test:crash-after-deploy", spec)
    monkeypatch.setattr(module, "deploy_pool", real_deploy)
    w3 = world.service.onchain.chain.w3
    with world.service.store.session() as session:
        row = session.scalars(select(PoolRecord).where(PoolRecord.request_key == "test:crash-after-deploy")).one()
        assert row.step == "deploying" and w3.eth.get_code(row.address)
    nonce = w3.eth.get_transaction_count(registry.operator)

    finished = registry.deploy("test:crash-after-deploy", spec)
    assert (finished.step, finished.address) == ("ready", row.address)
    assert w3.eth.get_transaction_count(registry.operator) == nonce + 2  # the two caps, no second deployment
    pool = registry.handle(finished.address)
    assert pool.supply_cap() == spec.supply_cap and pool.class_cap(NOWHERE) == spec.class_cap

    def crash_before(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the process died before sending")

    monkeypatch.setattr(module, "deploy_pool", crash_before)
    with pytest.raises(RuntimeError):
        registry.deploy("test:crash-before-deploy", spec)
    monkeypatch.setattr(module, "deploy_pool", real_deploy)
    assert registry.deploy("test:crash-before-deploy", spec).step == "ready"


def test_a_deployment_refused_before_sending_leaves_no_record(world: PoolWorld) -> None:
    registry = world.service.pools
    spec = PoolSpec(
        name="Too Dear",
        symbol="DEAR",
        fee_bps=5_000,
        rules=PoolRules(),
        supply_cap=None,
        class_cap=None,
        fee_recipient=registry.operator,
    )
    before = world.state()
    with pytest.raises(PoolError) as info:
        registry.deploy("test:refused", spec)
    assert info.value.code is PoolErrorCode.INVALID_POOL_FEE
    assert world.state() == before


# --- trading -----------------------------------------------------------------------------------------


def test_a_trader_goes_from_one_class_to_the_pool_token_to_another_class(world: PoolWorld) -> None:
    ccp, service = world.pools["ccp"], world.service
    # bob stocks the pool with Gold Standard tonnes
    plan = world.plan(ccp, action="deposit", trader=world.bob.address, token=world.gs, amount=str(20 * TONNE))
    assert [tx["step"] for tx in plan["transactions"]] == ["approve", "deposit"]
    assert plan["transactions"][0]["gas"] > 0 and plan["transactions"][1]["gas"] is None  # after the approval
    assert plan["preview"] == {
        "token_in": world.gs,
        "amount_in": str(20 * TONNE),
        "fee": "0",
        "token_out": ccp,
        "amount_out": str(20 * TONNE),
        "retired": False,
    }
    sign_and_send(service, world.bob, plan)
    assert world.pool_balance(ccp, world.bob) == 20 * TONNE

    # alice: 10 t of her VCS class in, 10 CCPT out
    plan = world.plan(ccp, action="deposit", trader=world.alice.address, token=world.vcs, amount=10 * TONNE)
    sign_and_send(service, world.alice, plan)
    assert world.pool_balance(ccp, world.alice) == 10 * TONNE
    assert world.balance(world.vcs, world.alice) == 20 * TONNE

    # 5 CCPT out as Gold Standard tonnes, less the 0.5% fee
    plan = world.plan(ccp, action="redeem", trader=world.alice.address, token=world.gs, amount=str(5 * TONNE))
    assert [tx["step"] for tx in plan["transactions"]] == ["redeem"]  # pool tokens need no approval
    assert plan["transactions"][0]["gas"] > 0
    assert (plan["preview"]["amount_out"], plan["preview"]["fee"]) == (str(4_975 * TONNE // 1000), str(TONNE // 40))
    sign_and_send(service, world.alice, plan)
    assert world.balance(world.gs, world.alice) == 4_975 * TONNE // 1000
    assert world.pool_balance(ccp, world.alice) == 5 * TONNE

    # a swap: 4 t VCS straight for Gold Standard
    plan = world.plan(
        ccp, action="swap", trader=world.alice.address, token_in=world.vcs, token_out=world.gs, amount=str(4 * TONNE)
    )
    assert [tx["step"] for tx in plan["transactions"]] == ["approve", "swap"]
    sign_and_send(service, world.alice, plan)
    assert world.balance(world.gs, world.alice) == (4_975 + 3_980) * TONNE // 1000
    assert world.balance(world.vcs, world.alice) == 16 * TONNE

    # and 2 CCPT retired as Gold Standard tonnes, for a beneficiary
    plan = world.plan(
        ccp,
        action="redeem_and_retire",
        trader=world.alice.address,
        token=world.gs,
        amount=str(2 * TONNE),
        beneficiary="Acme Airlines",
        reason="2025 scope 1",
    )
    assert plan["preview"]["retired"] is True
    (receipt,) = sign_and_send(service, world.alice, plan)
    handle = service.pools.handle(ccp)
    (event,) = handle.contract.events.RedeemedAndRetired().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["account"] == world.alice.address and event["args"]["certificateId"] >= 1

    pool = world.api.get(f"/v1/pools/{ccp}").json()
    holdings = {item["token"]: int(item["amount"]) for item in pool["composition"]}
    # fees stay in the pool as class tokens, paid out as pool tokens to the fee recipient
    fees = (5 * TONNE + 4 * TONNE + 2 * TONNE) // 200
    assert holdings == {
        world.vcs: 14 * TONNE,
        world.gs: 20 * TONNE - (4_975 + 3_980 + 1_990) * TONNE // 1000,
    }
    assert int(pool["total_supply"]) == sum(holdings.values())
    assert world.pool_balance(ccp, pool["fee_recipient"]) == fees
    assert sum(item["share_bps"] for item in pool["composition"]) in (9_999, 10_000)


def test_the_sdk_reads_creates_and_prepares_trades(world: PoolWorld) -> None:
    sdk = BridgeClient(http=world.api, api_key=world.service.api_key("operator"))
    pools = sdk.list_pools(limit=4)
    assert {p.preset for p in pools.items} >= set(PRESETS)
    nature = sdk.get_pool(world.pools["nature"])
    assert nature.symbol == "NBT" and nature.rules.min_vintage_start == 20160101
    verdict = sdk.pool_eligibility(world.pools["nature"], world.vcs)
    assert verdict.eligible and verdict.attributes is not None and verdict.attributes.methodology == "VM0007"

    created = sdk.create_pool(
        idempotency_key="sdk-created-0001",
        rules=PoolRules(programs=("VCS",), min_vintage_start=20180101),
        name="Recent VCS",
        symbol="RVCS",
    )
    assert (
        sdk.create_pool(
            idempotency_key="sdk-created-0001",
            rules={"programs": ["VCS"], "min_vintage_start": 20180101},
            name="Recent VCS",
            symbol="RVCS",
        ).address
        == created.address
    )

    plan = sdk.pool_transactions(
        world.pools["nature"], action="deposit", trader=world.alice.address, token=world.vcs, amount=TONNE
    )
    assert plan.preview.amount_out == str(TONNE) and plan.transactions[-1].step == "deposit"

    with pytest.raises(PoolError) as info:
        sdk.pool_transactions(
            world.pools["ccp"], action="deposit", trader=world.alice.address, token=world.accu, amount=TONNE
        )
    assert (info.value.code, info.value.field) == (PoolErrorCode.CLASS_NOT_ELIGIBLE, "token")
    assert info.value.details["reason"] == "not_ccp_approved"
    with pytest.raises(PoolError) as missing:
        sdk.get_pool(NOWHERE)
    assert missing.value.code is PoolErrorCode.POOL_NOT_FOUND


def _trade(world: PoolWorld, case: str) -> tuple[str, dict[str, Any]]:
    """A prepared-trade request that must be refused: (pool, body)."""
    ccp = world.pools["ccp"]
    alice, carol = world.alice.address, world.carol.address
    bad_checksum = alice[:2] + alice[2:].swapcase()
    deposit = {"action": "deposit", "trader": alice, "token": world.vcs, "amount": str(TONNE)}
    retire = {"action": "redeem_and_retire", "trader": alice, "token": world.gs, "amount": str(TONNE)}
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "unknown pool": (NOWHERE, deposit),
        "malformed pool": ("0x12", deposit),
        "zero amount": (ccp, deposit | {"amount": "0"}),
        "negative amount": (ccp, deposit | {"amount": -5}),
        "fractional wei": (ccp, deposit | {"amount": "1.5"}),
        "amount past uint256": (ccp, deposit | {"amount": str(2**256)}),
        "unknown action": (ccp, deposit | {"action": "steal"}),
        "bad trader checksum": (ccp, deposit | {"trader": bad_checksum}),
        "zero trader": (ccp, deposit | {"trader": "0x" + "0" * 40}),
        "bad token": (ccp, deposit | {"token": "0x1234"}),
        "deposit without token": (ccp, {k: v for k, v in deposit.items() if k != "token"}),
        "deposit with token_out": (ccp, deposit | {"token_out": world.gs}),
        "unknown field": (ccp, deposit | {"slippage": 1}),
        "retire without beneficiary": (ccp, retire),
        "retire beneficiary too many bytes": (ccp, retire | {"beneficiary": "é" * 150}),
        "retire reason too long": (ccp, retire | {"beneficiary": "Acme", "reason": "x" * 501}),
        "ineligible class": (ccp, deposit | {"token": world.accu}),
        "not a bridge token": (ccp, deposit | {"token": NOWHERE}),
        "depositor without tokens": (ccp, deposit | {"trader": carol}),
        "redeemer without pool tokens": (ccp, {"action": "redeem", "trader": carol, "token": world.gs, "amount": "1"}),
        "same class swap": (
            ccp,
            {"action": "swap", "trader": alice, "token_in": world.vcs, "token_out": world.vcs, "amount": "1"},
        ),
        "swap for a class the pool lacks": (
            ccp,
            {"action": "swap", "trader": alice, "token_in": world.vcs, "token_out": world.accu, "amount": "1"},
        ),
    }
    return cases[case]


@pytest.mark.parametrize(
    ("case", "status", "code", "field"),
    [
        ("unknown pool", 404, "pool_not_found", "address"),
        ("malformed pool", 422, "invalid_request", "address"),
        ("zero amount", 422, "invalid_request", "amount"),
        ("negative amount", 422, "invalid_request", "amount"),
        ("fractional wei", 422, "invalid_request", "amount"),
        ("amount past uint256", 422, "invalid_request", "amount"),
        ("unknown action", 422, "invalid_request", "action"),
        ("bad trader checksum", 422, "invalid_request", "trader"),
        ("zero trader", 422, "invalid_request", "trader"),
        ("bad token", 422, "invalid_request", "token"),
        ("deposit without token", 422, "invalid_request", "token"),
        ("deposit with token_out", 422, "invalid_request", "token_out"),
        ("unknown field", 422, "invalid_request", "slippage"),
        ("retire without beneficiary", 422, "invalid_request", "beneficiary"),
        ("retire beneficiary too many bytes", 400, "invalid_retirement_details", "beneficiary"),
        ("retire reason too long", 422, "invalid_request", "reason"),
        ("ineligible class", 422, "class_not_eligible", "token"),
        ("not a bridge token", 422, "class_not_eligible", "token"),
        ("depositor without tokens", 409, "insufficient_balance", "amount"),
        ("redeemer without pool tokens", 409, "insufficient_balance", "amount"),
        ("same class swap", 400, "same_class_swap", "token_out"),
        ("swap for a class the pool lacks", 409, "insufficient_pool_balance", "token_out"),
    ],
)
def test_refused_trades_are_coded_and_change_nothing(
    world: PoolWorld, case: str, status: int, code: str, field: str
) -> None:
    pool, body = _trade(world, case)
    before = world.state()
    response = world.api.post(f"/v1/pools/{pool}/transactions", json=body)
    assert (response.status_code, response.json()["code"], response.json().get("field")) == (status, code, field), (
        response.text
    )
    assert world.state() == before


def test_caps_and_pauses_are_refused_before_any_gas_is_spent(world: PoolWorld) -> None:
    rules = {"required_labels": ["CCP_APPROVED"]}
    capped = world.api.post(
        "/v1/pools",
        json={"name": "Capped", "symbol": "CAP", "rules": rules, "class_cap_tonnes": 1},
        headers=world.key("operator", "capped-pools-0001"),
    ).json()
    small = world.api.post(
        "/v1/pools",
        json={"name": "Small", "symbol": "SML", "rules": rules, "supply_cap_tonnes": 1},
        headers=world.key("operator", "capped-pools-0002"),
    ).json()
    deposit = {"action": "deposit", "trader": world.alice.address, "token": world.vcs, "amount": str(2 * TONNE)}

    before = world.state()
    for pool, cap in ((capped["address"], "cap"), (small["address"], "cap")):
        response = world.api.post(f"/v1/pools/{pool}/transactions", json=deposit)
        assert (response.status_code, response.json()["code"], response.json()["field"]) == (
            409,
            "pool_cap_exceeded",
            "amount",
        )
        assert response.json()["details"][cap] == str(TONNE)
    assert world.state() == before

    # within the caps it is fine; then paused, deposits wait and redemptions go on
    sign_and_send(world.service, world.alice, world.plan(small["address"], **deposit | {"amount": str(TONNE)}))
    handle = world.service.pools.handle(small["address"])
    world.service.onchain.sender().transact(handle.contract.functions.pause())
    before = world.state()
    paused = world.api.post(f"/v1/pools/{small['address']}/transactions", json=deposit | {"amount": "1"})
    assert (paused.status_code, paused.json()["code"]) == (409, "pool_paused")
    assert world.state() == before
    redeem = {"action": "redeem", "trader": world.alice.address, "token": world.vcs, "amount": str(TONNE)}
    sign_and_send(world.service, world.alice, world.plan(small["address"], **redeem))
    assert world.api.get(f"/v1/pools/{small['address']}").json()["total_supply"] == "0"


def test_the_openapi_document_shows_examples_for_every_pool_endpoint(world: PoolWorld) -> None:
    paths = world.api.get("/openapi.json").json()["paths"]
    operations = [
        paths["/v1/pools"]["get"],
        paths["/v1/pools"]["post"],
        paths["/v1/pools/{address}"]["get"],
        paths["/v1/pools/{address}/eligibility/{token}"]["get"],
        paths["/v1/pools/{address}/transactions"]["post"],
    ]
    for operation in operations:
        assert operation["tags"] == ["pools"]
        success = next(code for code in operation["responses"] if code.startswith("2"))
        assert operation["responses"][success]["content"]["application/json"]["example"]
        assert "example" in operation["responses"]["422"]["content"]["application/json"]
    create = paths["/v1/pools"]["post"]
    assert {"401", "403", "409"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in create["parameters"])


def test_a_pool_without_a_cap_says_so_when_an_amount_passes_what_it_can_count(world: PoolWorld) -> None:
    uncapped = world.api.post(
        "/v1/pools",
        json={"name": "Uncapped", "symbol": "UNC", "rules": {}},
        headers=world.key("operator", "uncapped-pool-0001"),
    ).json()
    assert uncapped["supply_cap"] is None and uncapped["default_class_cap"] is None
    huge = {"action": "deposit", "trader": world.alice.address, "token": world.vcs, "amount": str(2**128)}
    before = world.state()
    response = world.api.post(f"/v1/pools/{uncapped['address']}/transactions", json=huge)
    body = response.json()
    assert (response.status_code, body["code"]) == (409, "pool_cap_exceeded"), body
    assert "its cap is none" in body["message"] and "cap of 340282366920938463463" not in body["message"]
    assert body["details"]["cap"] is None
    assert world.state() == before
