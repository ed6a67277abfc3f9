"""The end-to-end demo, played against a running local bridge exactly as its users would reach it: the
custodian through the bridge API, holders with their own keys on the chain, the registry through its API.

Steps: tokenize blocks of several programs, transfer tokens to a trader, retire a fraction (and enough
more to settle whole tonnes in the registry), redeem whole tonnes back to a registry account, swap one
class for another through a pool, and check the reserve.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3.logs import DISCARD

from bridge.chain.anvil import dev_accounts
from bridge.chain.deploy import BridgeDeployment, attach_bridge
from bridge.chain.retirement import PersonalData, Purpose, RetirementDetails
from bridge.chain.tx import TxSender
from bridge.client import BridgeClient
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.schemas import ReserveReport, TokenizationPublic
from bridge.local.settings import local_api_key
from bridge.local.template import DEMO_SEED
from bridge.primitives import TONNE
from bridge.registry.client import HttpRegistryClient
from bridge.registry.demo import ACCOUNTS, demo_key
from bridge.registry.schemas import UnitBlockPublic

DONE = {"completed"}
FAILED = {"failed", "cancelled"}


def rounded_tonnes(wei: int) -> str:
    """Wei as tonnes to two decimals, with thousands separators (for the demo's summary)."""
    return f"{Decimal(wei) / TONNE:,.2f}"


@dataclass
class DemoResult:
    tokenizations: list[TokenizationPublic] = field(default_factory=list)
    transferred_wei: int = 0
    certificates: list[int] = field(default_factory=list)
    redemption_id: int | None = None
    settled_tonnes: int = 0
    swap: dict[str, str] = field(default_factory=dict)
    reserves: ReserveReport | None = None


@dataclass
class DemoActors:
    """Who plays the demo: demo keys derived from the seed (never secrets) and anvil's dev wallets."""

    bridge: BridgeClient
    registry: HttpRegistryClient
    custodian_account: int
    custodian_wallet: LocalAccount
    trader_wallet: LocalAccount
    deployment: BridgeDeployment

    @classmethod
    def connect(cls, url: str, *, seed: int = DEMO_SEED) -> DemoActors:
        bridge = BridgeClient(url, api_key=local_api_key(seed, "custodian"))
        network = bridge.network()
        if network.rpc_url is None:
            raise BridgeError("the demo needs a chain with JSON-RPC (anvil)", code=BridgeErrorCode.INVALID_REQUEST)
        registry = HttpRegistryClient(url.rstrip("/") + network.registry_api, demo_key(seed, "custodian"))
        w3 = Web3(HTTPProvider(network.rpc_url, request_kwargs={"timeout": 30}))
        users = dev_accounts(10)[4:]  # after the operator and three verifiers
        owner = next(a.owner for a in ACCOUNTS if a.name == "custodian")
        custodian_account = registry.list_accounts(owner=owner)[0].id
        return cls(bridge, registry, custodian_account, users[0], users[1], attach_bridge(w3, network.bridge))

    def sender(self, account: LocalAccount) -> TxSender:
        return TxSender(self.deployment.w3, account, self.deployment.decoder)


def pick_blocks(registry: HttpRegistryClient, account: int, *, count: int, minimum: int) -> list[UnitBlockPublic]:
    """Held blocks of ``count`` different programs that the default policy bridges (ex-post issued, counted in
    tonnes), largest first."""
    chosen: dict[str, UnitBlockPublic] = {}
    blocks = sorted(registry.list_blocks(account_id=account, status="held"), key=lambda b: -b.quantity)
    for block in blocks:
        if block.quantity < minimum or block.frozen:
            continue
        credit = registry.get_credit(block.serial)
        if credit.program.code in chosen or not credit.project.ex_post or credit.program.unit_decimals != 0:
            continue
        chosen[credit.program.code] = block
        if len(chosen) == count:
            break
    return list(chosen.values())


def wait_for(read: Callable[[], str], *, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        step = read()
        if step in DONE:
            return
        if step in FAILED:
            raise BridgeError(f"{what} ended {step}", code=BridgeErrorCode.INVALID_REQUEST)
        if time.monotonic() > deadline:
            raise BridgeError(f"{what} still {step} after {timeout:.0f}s", code=BridgeErrorCode.CHAIN_FAILURE)
        time.sleep(0.2)


def _pool_for(bridge: BridgeClient, tokens: list[str]) -> tuple[str, str, str]:
    """A preset pool that takes two of the demo's classes, or a new open pool (operator) if none does."""
    for pool in bridge.list_pools(limit=50).items:
        eligible = [t for t in tokens if bridge.pool_eligibility(pool.address, t).eligible]
        if len(eligible) >= 2:
            return pool.symbol, eligible[0], eligible[1]
    operator = bridge.with_key(local_api_key(DEMO_SEED, "operator"))
    pool = operator.create_pool(
        idempotency_key="demo-open-basket", rules={}, name="Demo Open Basket", symbol="DOB", fee_bps=50
    )
    return pool.symbol, tokens[0], tokens[1]


def _trade_through_a_pool(
    actors: DemoActors,
    custodian: TxSender,
    trader: TxSender,
    tokenizations: list[TokenizationPublic],
    step: Callable[[str], None],
) -> dict[str, str]:
    """Class token -> pool token -> another class token: the custodian seeds the pool with one class,
    the trader deposits another, redeems the pool tokens for the first, and swaps once more in one call."""
    bridge, trader_address = actors.bridge, actors.trader_wallet.address
    tokens = [t.token_address for t in tokenizations if t.token_address]
    step("finding a pool that takes two of these classes")
    symbol, give, take = _pool_for(bridge, tokens)
    pool = next(p for p in bridge.list_pools(limit=50).items if p.symbol == symbol)

    def run(sender: TxSender, **trade: object) -> str:
        prepared = bridge.pool_transactions(pool.address, trader=sender.address, **trade)  # type: ignore[arg-type]
        for tx in prepared.transactions:
            sender.send_prepared(tx.to, tx.data, gas=tx.gas)
        return prepared.preview.amount_out

    step(f"custodian seeds pool {symbol} with 5 t of one class; sends the trader 3 t of another")
    run(custodian, action="deposit", token=take, amount=5 * TONNE)
    custodian.transact(actors.deployment.token_at(give).functions.transfer(trader_address, 3 * TONNE))
    step(f"trader deposits 2 t into {symbol}, redeems the pool tokens for the other class, swaps 1 t more")
    pool_tokens = int(run(trader, action="deposit", token=give, amount=2 * TONNE))
    redeemed = int(run(trader, action="redeem", token=take, amount=pool_tokens))
    swapped = int(run(trader, action="swap", token_in=give, token_out=take, amount=TONNE))
    return {
        "pool": f"{symbol} {pool.address}",
        "amount_in": rounded_tonnes(3 * TONNE),
        "amount_out": rounded_tonnes(redeemed + swapped),
    }


def _settled_tonnes(bridge: BridgeClient, class_id: str) -> int:
    settlements = bridge.list_settlements(limit=100).items
    return sum(s.tonnes for s in settlements if s.class_id == class_id and s.step == "completed")


def _redemption_step(bridge: BridgeClient, redemption_id: int) -> str:
    try:
        return bridge.get_redemption(redemption_id).step
    except BridgeError as exc:  # not seen yet: the engine acts only once the request is confirmed
        if exc.code is BridgeErrorCode.NOT_FOUND:
            return "awaiting confirmations"
        raise


def _event_arg(contract_event: object, receipt: object, name: str) -> int:
    return int(contract_event().process_receipt(receipt, errors=DISCARD)[0]["args"][name])  # type: ignore[operator]


def _retire_for_three(actors: DemoActors, trader: TxSender, class_id: str) -> list[int]:
    """0.25 t for an airline, stating everything; then 1.25 t and 0.5 t in one call for two beneficiaries,
    the second keeping its name off-chain (only its hash), disclosed to the bridge once it has the event."""
    bridge = actors.deployment.bridge
    airline = RetirementDetails(
        beneficiary_name="Demo Airways",
        beneficiary_address=actors.trader_wallet.address,
        retiring_entity="Demo Travel Desk GmbH",
        purpose=Purpose.VOLUNTARY_OFFSETTING,
        consumption_country="DE",
        consumption_start=date(2026, 1, 1),
        consumption_end=date(2026, 12, 31),
        claim_jurisdiction="DE-BE",
        reason="demo: 2026 business travel",
    )
    receipt = trader.transact(bridge.functions.retire(HexBytes(class_id), TONNE // 4, airline.as_tuple()))
    certificates = [_event_arg(bridge.events.Retired, receipt, "certificateId")]
    private = PersonalData(salt="0x" + secrets.token_hex(32), beneficiary_name="Jane Doe")
    others = [
        RetirementDetails(
            beneficiary_name="Northwind Logistics",
            purpose=Purpose.PRODUCT_CLAIM,
            consumption_country="NL",
            claim_jurisdiction="NL",
            reason="demo: carbon-neutral parcel delivery",
        ),
        RetirementDetails(personal_data_hash=private.digest(), purpose=Purpose.EVENT_CLAIM, reason="demo: a wedding"),
    ]
    call = bridge.functions.retireMany(
        HexBytes(class_id), [TONNE + TONNE // 4, TONNE // 2], [d.as_tuple() for d in others]
    )
    first_id = _event_arg(bridge.events.Retired, trader.transact(call), "certificateId")
    certificates += [first_id, first_id + 1]
    deadline = time.monotonic() + 120
    while True:  # the bridge takes the names once it has recorded the (confirmed) retirement
        try:
            actors.bridge.disclose_personal_data(first_id + 1, private)
            return certificates
        except BridgeError as exc:
            if exc.code is not BridgeErrorCode.NOT_FOUND or time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def run_demo(actors: DemoActors, *, step: Callable[[str], None] = lambda _: None) -> DemoResult:
    """Play the scenario; ``step(description)`` is called as each step starts (for progress)."""
    result = DemoResult()
    bridge, deployment = actors.bridge, actors.deployment
    custodian, trader = actors.sender(actors.custodian_wallet), actors.sender(actors.trader_wallet)
    run_id = uuid.uuid4().hex[:12]  # each run tokenizes afresh (its own idempotency keys)

    step("picking blocks of three programs in the custodian's registry account")
    blocks = pick_blocks(actors.registry, actors.custodian_account, count=3, minimum=20)
    if len(blocks) < 2:
        raise BridgeError("the custodian holds fewer than two eligible programs", code=BridgeErrorCode.NOT_ELIGIBLE)

    for block in blocks:
        step(f"tokenizing 20 t of {block.serial[:48]}")
        request = bridge.tokenize(
            serial=block.serial,
            quantity=20,
            recipient=actors.custodian_wallet.address,
            idempotency_key=f"demo-{run_id}-{block.id}",
        )
        wait_for(lambda r=request: bridge.get_tokenization(r.id).step, what=f"tokenization {request.id}")
        result.tokenizations.append(bridge.get_tokenization(request.id))

    first, second = result.tokenizations[0], result.tokenizations[1]
    assert first.token_address is not None and first.class_id is not None and second.class_id is not None
    token = deployment.token_at(first.token_address)

    step("custodian sends 5.5 t to a trader")
    result.transferred_wei = 5 * TONNE + TONNE // 2
    custodian.transact(token.functions.transfer(actors.trader_wallet.address, result.transferred_wei))

    settled_before = _settled_tonnes(bridge, first.class_id)
    step("trader retires 0.25 t (a fraction), then 1.75 t for two beneficiaries: 2 whole tonnes to settle")
    result.certificates += _retire_for_three(actors, trader, first.class_id)

    step("custodian redeems 3 whole tonnes back to its registry account")
    call = deployment.bridge.functions.requestRedemption(
        HexBytes(second.class_id), 3 * TONNE, str(actors.custodian_account)
    )
    result.redemption_id = _event_arg(
        deployment.bridge.events.RedemptionRequested, custodian.transact(call), "redemptionId"
    )
    wait_for(lambda: _redemption_step(bridge, result.redemption_id or 0), what="the redemption")

    step("waiting for the registry to record the retirement settlement")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        result.settled_tonnes = _settled_tonnes(bridge, first.class_id) - settled_before
        if result.settled_tonnes >= 2:
            break
        time.sleep(0.2)

    result.swap = _trade_through_a_pool(actors, custodian, trader, result.tokenizations, step)

    step("checking the reserve")
    result.reserves = bridge.reserves()
    return result
