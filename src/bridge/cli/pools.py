"""`carbon-bridge pools`: list, show and create pools through the bridge API; trade with your own key.

``deposit``, ``redeem``, ``swap`` and ``retire`` ask the bridge for the unsigned transactions of the trade
(``POST /v1/pools/{address}/transactions``: checked there first, so a refusal costs no gas), then sign and
send them in order with ``--key`` on the bridge's chain. The key never leaves this process.

A pool is named by its address, its preset (``nature``, ``corsia``, ``ccp``, ``removals``) or its symbol;
a class by its token address, its class id (0x + 64 hex) or its name. Amounts are tonnes (``2.5``; 1 t = 10^18 wei).
Exit codes: 0 done, 1 a transaction failed on-chain, 2 bad input or a refusal.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from eth_utils import is_address
from rich.table import Table
from web3.exceptions import Web3Exception
from web3.logs import DISCARD
from web3.types import TxReceipt

from bridge.chain.tx import GAS_HEADROOM
from bridge.cli._app import (
    ApiKeyOption,
    JsonOption,
    UrlOption,
    app,
    client,
    console,
    fail,
    one_way,
    parse_address,
    parse_tonnes,
    report,
    reported,
    require_api_key,
)
from bridge.cli._chain import Signer, Wallet
from bridge.cli._options import grouped
from bridge.cli.classes import resolve_class
from bridge.client import BridgeClient
from bridge.errors import CodedError
from bridge.pools.contract import POOL_CONTRACT
from bridge.pools.schemas import PoolPublic
from bridge.primitives import format_tonnes

pools_app = typer.Typer(no_args_is_help=True, help="Carbon pools: baskets of eligible classes behind one token.")
app.add_typer(pools_app, name="pools")

PoolArgument = Annotated[str, typer.Argument(help="Pool address, preset (nature, corsia, ccp, removals) or symbol.")]


# --- parsing -----------------------------------------------------------------------------------------


def all_pools(api: BridgeClient) -> list[PoolPublic]:
    pools: list[PoolPublic] = []
    while True:
        page = api.list_pools(limit=100, offset=len(pools))
        pools += page.items
        if not page.items or len(pools) >= page.total:
            return pools


def resolve_pool(api: BridgeClient, ref: str) -> PoolPublic:
    """The pool named by address, preset key or symbol (case-insensitive). Call within ``reported()``."""
    if ref.startswith("0x"):
        return api.get_pool(parse_address(ref, field="pool"))
    pools = all_pools(api)
    wanted = ref.strip().lower()
    matches = [p for p in pools if (p.preset or "").lower() == wanted] or [
        p for p in pools if p.symbol.lower() == wanted
    ]
    if len(matches) != 1:
        known = ", ".join(sorted({p.preset or p.symbol for p in pools})) or "none"
        reason = "several pools have" if matches else "no pool has"
        fail(f"{reason} the preset or symbol {ref!r} (pools: {known}); give its address", field="pool")
    return matches[0]


def resolve_token(api: BridgeClient, ref: str, *, field: str) -> str:
    """A class token address, from an address, or a class's id or name (as the bridge resolves them). Call
    within ``reported()``."""
    if is_address(ref):  # any token: a pool may be asked about one the bridge did not make
        return parse_address(ref, field=field)
    found = resolve_class(api, ref, field=field)
    if not found.token_address:
        fail(f"the bridge has no token for class {found.name}", field=field)
    return str(found.token_address)


def _text(value: str | None, *, field: str, limit: int) -> str | None:
    if value is not None and len(value.encode()) > limit:
        fail(f"at most {limit} bytes", field=field)
    return value


def _rules(value: str) -> dict[str, Any]:
    """``--rules``: a JSON object, or ``@path`` to a JSON file."""
    if value.startswith("@"):
        try:
            value = Path(value[1:]).read_text()
        except OSError as exc:
            fail(f"cannot read {value[1:]}: {exc.strerror}", field="rules")
    try:
        rules = json.loads(value)
    except json.JSONDecodeError as exc:
        fail(f"not JSON ({exc.msg} at character {exc.pos})", field="rules")
    if not isinstance(rules, dict):
        fail("the rules must be a JSON object", field="rules")
    return rules


# --- showing -----------------------------------------------------------------------------------------


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _cap(value: str | None) -> str:
    return "none" if value is None else f"{format_tonnes(int(value))} t"


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


def _pools_table(pools: list[PoolPublic]) -> Table:
    table = Table(title="pools")
    for column in ("symbol", "name", "preset", "address", "supply (t)", "fee", "classes", "supply cap"):
        table.add_column(column, justify="right" if column in ("supply (t)", "fee", "classes") else "left")
    for pool in pools:
        table.add_row(
            pool.symbol,
            pool.name,
            pool.preset or "-",
            pool.address,
            format_tonnes(int(pool.total_supply)),
            f"{pool.fee_bps / 100:g}%",
            str(len(pool.composition)),
            _cap(pool.supply_cap),
        )
    return table


def _show_pool(pool: PoolPublic) -> None:
    rules = pool.rules
    lines = [
        f"[bold]{pool.symbol}[/] {pool.name}  {pool.address}" + (f"  (preset {pool.preset})" if pool.preset else ""),
        f"supply {format_tonnes(int(pool.total_supply))} t, fee {pool.fee_bps} bps to {pool.fee_recipient}"
        + ("  [red]paused[/]" if pool.paused else ""),
        f"caps: supply {_cap(pool.supply_cap)}, per class {_cap(pool.default_class_cap)}",
        f"rules (version {pool.rules_version}):",
    ]
    shown = {
        "programs": ", ".join(rules.programs),
        "methodologies": ", ".join(rules.methodologies),
        "denied methodologies": ", ".join(rules.denied_methodologies),
        "host countries": ", ".join(rules.host_countries),
        "vintage from": str(rules.min_vintage_start) if rules.min_vintage_start else "",
        "labels": ", ".join(rules.required_labels),
        "corresponding adjustment": "required" if rules.require_corresponding_adjustment else "",
    }
    lines += [f"  {name}: {value}" for name, value in shown.items() if value] or ["  any class"]
    console.print("\n".join(lines), highlight=False)
    table = Table(title="composition")
    for column in ("token", "class", "vintage", "methodology", "country", "tonnes", "share"):
        table.add_column(column, justify="right" if column in ("tonnes", "share") else "left")
    for item in pool.composition:
        a = item.attributes
        table.add_row(
            item.token,
            f"{a.program} {a.project_id}",
            f"{a.vintage_start}-{a.vintage_end}",
            a.methodology,
            a.host_country,
            format_tonnes(int(item.amount)),
            f"{item.share_bps / 100:g}%",
        )
    console.print(table)


@pools_app.command("list")
def list_pools(url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False) -> None:
    """Every pool the bridge knows: supply, fee, classes held, caps."""
    with client(url) as api, reported():
        pools = all_pools(api)
    if as_json:
        _print_json([p.model_dump(mode="json") for p in pools])
    elif not pools:
        console.print("no pools yet (`carbon-bridge pools create --preset nature`)")
    else:
        console.print(_pools_table(pools))


@pools_app.command("show")
def show(pool: PoolArgument, url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False) -> None:
    """One pool: its rules, caps, fee and what it holds."""
    with client(url) as api, reported():
        found = resolve_pool(api, pool)
    if as_json:
        _print_json(found.model_dump(mode="json"))
    else:
        _show_pool(found)


@pools_app.command("create")
def create(
    preset: Annotated[str | None, typer.Option("--preset", help="nature, corsia, ccp or removals.")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Rules as JSON, or @file.json.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Pool token name (default: the preset's).")] = None,
    symbol: Annotated[str | None, typer.Option("--symbol", help="Pool token symbol.")] = None,
    fee_bps: Annotated[int | None, typer.Option("--fee-bps", help="Redemption and swap fee, 0-1000 bps.")] = None,
    supply_cap: Annotated[int | None, typer.Option("--supply-cap", help="Whole tonnes of pool token.")] = None,
    class_cap: Annotated[int | None, typer.Option("--class-cap", help="Whole tonnes per class.")] = None,
    fee_recipient: Annotated[str | None, typer.Option("--fee-recipient", help="Default: the operator.")] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Default: derived from the options, so a repeated command returns the same pool.",
            show_default=False,
        ),
    ] = None,
    url: UrlOption = "http://127.0.0.1:8000",
    api_key: ApiKeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy a pool from a preset, or from rules with a name and a symbol (operator key)."""
    one_way(("preset", preset), ("rules", rules), needs={"name": name, "symbol": symbol})
    require_api_key(api_key, "creating a pool needs the operator's API key")
    for field, value in (("fee_bps", fee_bps), ("supply_cap", supply_cap), ("class_cap", class_cap)):
        if value is not None and value < 0:
            fail(f"{value} is negative", field=field)
    body: dict[str, Any] = {
        "preset": preset,
        "rules": None if rules is None else _rules(rules),
        "name": name,
        "symbol": symbol,
        "fee_bps": fee_bps,
        "supply_cap_tonnes": supply_cap,
        "class_cap_tonnes": class_cap,
        "fee_recipient": fee_recipient,
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    key = idempotency_key or f"cli-pool-{digest[:40]}"
    with client(url, api_key) as api, reported():
        created = api.create_pool(idempotency_key=key, **body)
    if as_json:
        _print_json(created.model_dump(mode="json"))
    else:
        console.print(f"pool {created.symbol} ({created.name}) at {created.address}", highlight=False)


@pools_app.command("eligibility")
def eligibility(
    pool: PoolArgument,
    token: Annotated[str, typer.Argument(help="Class token address or class id.")],
    url: UrlOption = "http://127.0.0.1:8000",
    as_json: JsonOption = False,
) -> None:
    """Whether a class may be deposited into a pool, and if not, the rule it fails."""
    with client(url) as api, reported():
        found = resolve_pool(api, pool)
        answer = api.pool_eligibility(found.address, resolve_token(api, token, field="token"))
    if as_json:
        _print_json(answer.model_dump(mode="json"))
    else:
        verdict = "[green]eligible[/]" if answer.eligible else f"[red]not eligible[/] ({answer.reason})"
        console.print(f"{found.symbol}: {verdict}: {answer.message}")


# --- trading -----------------------------------------------------------------------------------------


def _trade(signer: Signer, pool: str, action: str, **request: Any) -> None:
    """Ask the bridge for the trade's transactions, sign and send them with the signer's key, and report."""
    with reported():
        wallet = signer.wallet()
    with client(signer.url) as api, reported():
        found = resolve_pool(api, pool)
        for field in ("token", "token_in", "token_out"):
            if request.get(field) is not None:
                request[field] = resolve_token(api, request[field], field=field)
        plan = api.pool_transactions(found.address, action=action, trader=wallet.account.address, **request)
    if plan.chain_id != int(wallet.w3.eth.chain_id):
        fail(f"the bridge's chain is {plan.chain_id}, the RPC's {wallet.w3.eth.chain_id}", field="rpc_url")
    sent = []
    certificate = None
    for tx in plan.transactions:
        receipt = _send(wallet, tx.to, tx.data, int(tx.value), tx.gas)
        sent.append(
            {"step": tx.step, "tx_hash": "0x" + bytes(receipt["transactionHash"]).hex(), "gas": receipt["gasUsed"]}
        )
        if tx.step == "redeem_and_retire":
            certificate = _certificate(wallet, found.address, receipt)
    preview = plan.preview
    result = {
        "action": action,
        "pool": found.address,
        "symbol": found.symbol,
        "trader": wallet.account.address,
        "gave": {"token": preview.token_in, "tonnes": format_tonnes(int(preview.amount_in))},
        "received": {"token": preview.token_out, "tonnes": format_tonnes(int(preview.amount_out))},
        "fee_tonnes": format_tonnes(int(preview.fee)),
        "retired": preview.retired,
        "certificate_id": certificate,
        "transactions": sent,
    }
    if signer.as_json:
        _print_json(result)
        return
    gave = format_tonnes(int(preview.amount_in))
    out = format_tonnes(int(preview.amount_out))
    given_name = found.symbol if preview.token_in == found.address else f"class {_short(preview.token_in)}"
    taken_name = found.symbol if preview.token_out == found.address else f"class {_short(preview.token_out)}"
    verb = "retired" if preview.retired else "received"
    line = f"{action}: gave {gave} t {given_name}, {verb} {out} t {taken_name}"
    if int(preview.fee):
        line += f" (fee {format_tonnes(int(preview.fee))} {found.symbol})"
    if certificate is not None:
        line += f", certificate {certificate}"
    console.print(line, highlight=False)
    for item in sent:
        console.print(f"  {item['step']}: {item['tx_hash']} (gas {item['gas']:,})", highlight=False)


def _send(wallet: Wallet, to: str, data: str, value: int, gas: int | None) -> TxReceipt:
    """Sign one prepared transaction with the wallet's key and send it; the receipt once mined."""
    w3, account = wallet.w3, wallet.account
    tx: dict[str, Any] = {"from": account.address, "to": to, "data": data, "value": value}
    try:
        if gas is None:  # it depended on an earlier transaction, which is mined now
            gas = int(wallet.deployment.decoder.call(lambda: w3.eth.estimate_gas(tx)) * GAS_HEADROOM)  # type: ignore[arg-type]
        base = int(w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        tip = 10**9
        tx |= {
            "gas": gas,
            "nonce": int(w3.eth.get_transaction_count(account.address, "pending")),
            "chainId": int(w3.eth.chain_id),
            "maxFeePerGas": 2 * base + tip,
            "maxPriorityFeePerGas": tip,
        }
        signed = account.sign_transaction(tx)
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=120)
    except CodedError as exc:
        report(exc)
    except (Web3Exception, OSError, ValueError) as exc:
        _chain_failure(exc)
    if receipt["status"] != 1:
        fail(f"transaction 0x{bytes(receipt['transactionHash']).hex()} reverted on-chain", code=1)
    return receipt


def _chain_failure(exc: Exception) -> NoReturn:
    fail(f"the chain refused or could not be reached: {exc}", field="rpc_url")


def _certificate(wallet: Wallet, pool: str, receipt: TxReceipt) -> int | None:
    contract = wallet.w3.eth.contract(address=pool, abi=wallet.deployment.artifacts[POOL_CONTRACT].abi)
    events = contract.events.RedeemedAndRetired().process_receipt(receipt, errors=DISCARD)
    return int(events[0]["args"]["certificateId"]) if events else None


TokenArgument = Annotated[str, typer.Argument(help="Class token address or class id.")]
AmountArgument = Annotated[str, typer.Argument(help="Tonnes, decimals allowed (2.5).")]


@pools_app.command("deposit")
@grouped
def deposit(
    pool: PoolArgument,
    token: TokenArgument,
    amount: AmountArgument,
    signer: Signer,
) -> None:
    """Deposit tonnes of an eligible class for as many pool tokens (approving the pool first if needed)."""
    wei = parse_tonnes(amount)
    _trade(signer, pool, "deposit", token=token, amount=wei)


@pools_app.command("redeem")
@grouped
def redeem(
    pool: PoolArgument,
    token: Annotated[str, typer.Argument(help="The class to receive: token address or class id.")],
    amount: Annotated[str, typer.Argument(help="Pool tokens to give, in tonnes (2.5).")],
    signer: Signer,
) -> None:
    """Give pool tokens for a class the pool holds (less the fee)."""
    wei = parse_tonnes(amount)
    _trade(signer, pool, "redeem", token=token, amount=wei)


@pools_app.command("swap")
@grouped
def swap(
    pool: PoolArgument,
    token_in: Annotated[str, typer.Argument(help="The class to give: token address or class id.")],
    token_out: Annotated[str, typer.Argument(help="The class to receive: token address or class id.")],
    amount: Annotated[str, typer.Argument(help="Tonnes of the class given (2.5).")],
    signer: Signer,
) -> None:
    """Give tonnes of one class for another class the pool holds, in one transaction (less the fee)."""
    wei = parse_tonnes(amount)
    _trade(signer, pool, "swap", token_in=token_in, token_out=token_out, amount=wei)


@pools_app.command("retire")
@grouped
def retire(
    pool: PoolArgument,
    token: Annotated[str, typer.Argument(help="The class to retire: token address or class id.")],
    amount: Annotated[str, typer.Argument(help="Pool tokens to give, in tonnes (2.5).")],
    beneficiary: Annotated[str, typer.Option("--beneficiary", help="Who the retirement is for (1-200 bytes).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (at most 500 bytes).")] = "",
    *,
    signer: Signer,
) -> None:
    """Give pool tokens and retire a class the pool holds (less the fee) through the bridge, for a beneficiary."""
    wei = parse_tonnes(amount)
    if not beneficiary.strip():
        fail("a beneficiary is required", field="beneficiary")
    _text(beneficiary, field="beneficiary", limit=200)
    _text(reason, field="reason", limit=500)
    _trade(
        signer,
        pool,
        "redeem_and_retire",
        token=token,
        amount=wei,
        beneficiary=beneficiary,
        reason=reason or None,
    )
