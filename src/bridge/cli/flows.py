"""The bridge flows from the command line: ``tokenize`` and ``tokenize-many`` (through the bridge API, as a
custodian) and ``redeem`` (signed on-chain with the holder's own key; the bridge never sees it). ``retire`` is
in ``bridge.cli.retirements``, beside the certificates it makes.

Inputs are checked before anything is sent (a fractional redemption, an unknown class, a balance too
small, a registry account that cannot receive units): a refusal costs no gas and names the option.
Exit codes: 0 done, 1 the flow ended without completing (``--wait``), 2 bad input or a refusal.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Annotated, Final, NoReturn, TypeVar

import requests
import typer
from hexbytes import HexBytes
from pydantic import ValidationError
from rich.table import Table
from web3.exceptions import Web3Exception
from web3.logs import DISCARD
from web3.types import TxReceipt

from bridge.api.schemas import TokenizationItem
from bridge.cli._app import (
    ApiKeyOption,
    JsonOption,
    UrlOption,
    app,
    client,
    console,
    err_console,
    fail,
    one_way,
    parse_address,
    parse_tonnes,
    report,
    require_api_key,
)
from bridge.cli._chain import Signer, Wallet
from bridge.cli._options import grouped
from bridge.cli.classes import resolve_class
from bridge.client import BridgeClient
from bridge.engine.errors import BridgeErrorCode
from bridge.engine.schemas import RedemptionPublic, TokenizationPublic
from bridge.errors import CodedError
from bridge.primitives import TONNE, format_tonnes
from bridge.registry.client import HttpRegistryClient
from bridge.registry.enums import AccountKind, AccountStatus
from bridge.registry.errors import RegistryErrorCode

T = TypeVar("T")

TOKENIZE_DONE: Final = frozenset({"completed", "rejected"})
REDEEM_DONE: Final = frozenset({"completed", "cancelled", "dropped"})

ClassOption = Annotated[
    str, typer.Option("--class", help="The class: its id, its token's address or its name (see `classes list`).")
]
WaitOption = Annotated[bool, typer.Option("--wait", help="Follow the flow until it ends.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=1, help="Seconds --wait follows the flow.")]

# Codes a command's own options are to blame for, when the error does not name a field itself.
_KEY_CODES: Final = frozenset({"unauthorized", "forbidden"})
_REACH_CODES: Final = frozenset({"bridge_unavailable", "not_ready", "registry_unavailable", "chain_unavailable"})


def named(exc: CodedError, *, key: str, url: str = "url") -> CodedError:
    """``exc`` with its field set to the option at fault when it names none (a refused key, a server
    that does not answer), so every message names what to fix."""
    if exc.field is None:
        if exc.code.value in _KEY_CODES:
            exc.field = key
        elif exc.code.value in _REACH_CODES:
            exc.field = url
    return exc


def class_id_of(url: str, reference: str) -> str:
    """The id of the class ``reference`` names (id, token address or name), as the bridge resolves it."""
    with client(url) as bridge_api:
        return resolve_class(bridge_api, reference).class_id


def wait_for(
    fetch: Callable[[], T | None],
    done: Callable[[T], bool],
    *,
    timeout: float,
    interval: float = 0.25,
    what: str = "the flow",
    step: Callable[[T], str] = lambda value: str(getattr(value, "step", "")),
) -> T | None:
    """Poll ``fetch`` until ``done`` (or ``timeout`` seconds), with a spinner saying where ``what`` stands:
    the last value seen, None if none yet. ``fetch`` returns None while the bridge does not know the flow
    yet (it is seen once confirmed)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    with err_console.status(f"waiting for {what}") as status:
        while True:
            seen = fetch()
            last = seen if seen is not None else last
            if (last is not None and done(last)) or time.monotonic() >= deadline:
                return last
            where = step(last) if last is not None else "not seen by the bridge yet (waiting for confirmations)"
            left = max(deadline - time.monotonic(), 0)
            status.update(f"waiting for {what}: {where} ({left:.0f}s left)")
            time.sleep(interval)


def not_yet(get: Callable[[], T]) -> Callable[[], T | None]:
    """``get``, with "not found" (the watcher has not recorded it yet) as None."""

    def fetch() -> T | None:
        try:
            return get()
        except CodedError as exc:
            if exc.code.value == BridgeErrorCode.NOT_FOUND.value:
                return None
            raise

    return fetch


def wait_redemption(bridge_api: BridgeClient, redemption_id: int, timeout: float) -> RedemptionPublic | None:
    """The redemption once it ends (completed, cancelled or dropped), else as it stands at ``timeout`` (None: the
    bridge has not seen it yet)."""
    return wait_for(
        not_yet(lambda: bridge_api.get_redemption(redemption_id)),
        lambda r: r.step in REDEEM_DONE,
        timeout=timeout,
        what=f"redemption {redemption_id}",
    )


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


# --- tokenize ---------------------------------------------------------------------------------------

TOKENIZING_NEEDS = "tokenizing needs a custodian's bridge API key"


@app.command()
def tokenize(
    recipient: Annotated[str, typer.Option("--recipient", help="EVM address that receives the tokens.")],
    serial: Annotated[
        str | None, typer.Option("--serial", help="Serial block to bridge (with --quantity: its lowest units).")
    ] = None,
    issuance: Annotated[
        int | None, typer.Option("--issuance", min=1, help="Bridge --quantity units of this issuance instead.")
    ] = None,
    quantity: Annotated[int | None, typer.Option("--quantity", min=1, help="Whole tonnes.")] = None,
    custodian_account: Annotated[
        int | None,
        typer.Option("--custodian-account", min=1, help="Registry account (operator keys; default: the key's)."),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Repeat a request safely: the same key returns the first tokenization (default: a new uuid).",
            show_default=False,
        ),
    ] = None,
    wait: WaitOption = False,
    timeout: TimeoutOption = 120.0,
    url: UrlOption = "http://127.0.0.1:8000",
    api_key: ApiKeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lock a serial block in the bridge's trust account and mint its tokens (custodian API key)."""
    one_way(("serial", serial), ("issuance", issuance), needs={"quantity": quantity})
    recipient = parse_address(recipient, field="recipient")
    require_api_key(api_key, TOKENIZING_NEEDS)
    key = idempotency_key or str(uuid.uuid4())
    try:
        with client(url, api_key) as bridge_api:
            tokenization = bridge_api.tokenize(
                idempotency_key=key,
                recipient=recipient,
                serial=serial,
                issuance_id=issuance,
                quantity=quantity,
                custodian_account=custodian_account,
            )
            if not as_json:
                err_console.print(
                    f"tokenization {tokenization.id} ({tokenization.step}), idempotency key {key}", soft_wrap=True
                )
            if wait:
                tokenization = (
                    wait_for(
                        lambda: bridge_api.get_tokenization(tokenization.id),
                        lambda t: t.step in TOKENIZE_DONE,
                        timeout=timeout,
                        what=f"tokenization {tokenization.id}",
                    )
                    or tokenization
                )
    except CodedError as exc:
        report(named(exc, key="api_key"))
    if as_json:
        print_json(tokenization.model_dump(mode="json"))
    else:
        _show_tokenization(tokenization)
    if wait and tokenization.step != "completed":
        unfinished(tokenization.step, tokenization.error_code, tokenization.error_message)


@app.command("tokenize-many")
def tokenize_many(
    file: Annotated[
        typer.FileText,
        typer.Argument(
            help="A JSON list of tokenizations, each {serial (or issuance_id with quantity), quantity, recipient, "
            "custodian_account, idempotency_key} as for `tokenize` (a key defaults to the call's uuid and the "
            "item's index); - reads standard input."
        ),
    ],
    url: UrlOption = "http://127.0.0.1:8000",
    api_key: ApiKeyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Tokenize many blocks at once, all or none (custodian API key): one bad item refuses the call, naming
    its index (tokenizations.3.serial), and nothing is recorded."""
    try:
        entries = json.load(file)
    except ValueError as exc:
        fail(f"not JSON: {exc}", field="file")
    if not isinstance(entries, list):
        fail("give a JSON list of tokenizations", field="file")
    require_api_key(api_key, TOKENIZING_NEEDS)
    call = uuid.uuid4().hex
    items = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            fail("each tokenization is a JSON object", field=f"tokenizations.{index}")
        try:
            items.append(TokenizationItem.model_validate({"idempotency_key": f"{call}-{index:04d}"} | entry))
        except ValidationError as exc:
            problem = exc.errors(include_url=False)[0]
            fail(problem["msg"], field=".".join(["tokenizations", str(index), *(str(p) for p in problem["loc"])]))
    try:
        with client(url, api_key) as bridge_api:
            recorded = bridge_api.tokenize_many(items)
    except CodedError as exc:
        report(named(exc, key="api_key"))
    if as_json:
        print_json([t.model_dump(mode="json") for t in recorded])
        return
    table = Table(title=f"{len(recorded)} tokenizations")
    for column in ("id", "step", "serial", "tonnes", "idempotency key"):
        table.add_column(column, overflow="fold")
    for item, t in zip(items, recorded, strict=True):
        table.add_row(str(t.id), t.step, t.serial or "", str(t.quantity or ""), item.idempotency_key)
    console.print(table)


def _show_tokenization(t: TokenizationPublic) -> None:
    table = Table(title=f"tokenization {t.id}", show_header=False)
    table.add_column("")
    table.add_column("", overflow="fold")
    rows = {
        "step": t.step,
        "serial": t.serial,
        "tonnes": t.quantity,
        "recipient": t.recipient,
        "class id": t.class_id,
        "token": t.token_address,
        "mint tx": t.tx_hash,
        "error": f"{t.error_code}: {t.error_message}" if t.error_code else None,
    }
    for name, value in rows.items():
        if value is not None:
            table.add_row(name, str(value))
    console.print(table)


def unfinished(step: str, code: str | None = None, message: str | None = None) -> NoReturn:
    if step in ("rejected", "cancelled", "dropped"):
        reason = f": {code or ''} {message or ''}".rstrip() if (code or message) else ""
        err_console.print(f"[red]ended {step}[/]{reason}", highlight=False)
    else:
        waiting = f" (waiting on the registry: {code} {message or ''})".rstrip() if code else ""
        err_console.print(
            f"[yellow]still {step}[/]{waiting} when --timeout ran out; it goes on without this command",
            highlight=False,
        )
    raise typer.Exit(1)


# --- on-chain: redeem and retire ----------------------------------------------------------------------


def holder_checks(wallet: Wallet, class_id: str, amount_wei: int, *, field: str) -> None:
    """Refuse before signing what the contract would refuse: an unknown class, a balance too small."""
    token = str(wallet.deployment.bridge.functions.classToken(HexBytes(class_id)).call())
    if int(token, 16) == 0:
        fail(f"no class {class_id} on the bridge {wallet.deployment.address}", field="class")
    balance = int(wallet.deployment.token_at(token).functions.balanceOf(wallet.account.address).call())
    if balance < amount_wei:
        fail(
            f"{wallet.account.address} holds {format_tonnes(balance)} t of this class, "
            f"less than {format_tonnes(amount_wei)} t",
            field=field,
        )


def _registry_for(url: str, wallet: Wallet) -> HttpRegistryClient:
    path = wallet.network.registry_api
    return HttpRegistryClient(path if "://" in path else url.rstrip("/") + path)


def _check_account(url: str, wallet: Wallet, account: int) -> None:
    """The account must be able to receive units, or the bridge would only cancel the redemption later."""
    with _registry_for(url, wallet) as registry:
        try:
            found = registry.get_account(account)
        except CodedError as exc:
            if exc.code.value == RegistryErrorCode.UNKNOWN_ACCOUNT.value:
                fail(f"registry account {account} does not exist", field="account")
            raise
    if found.status != AccountStatus.OPEN:
        fail(f"registry account {account} is closed", field="account")
    if found.kind != AccountKind.HOLDING:
        fail(
            f"registry account {account} is a {found.kind} account; units are redeemed to holding accounts",
            field="account",
        )


def event_id(wallet: Wallet, receipt: TxReceipt, event: str, arg: str) -> int:
    logs = getattr(wallet.deployment.bridge.events, event)().process_receipt(receipt, errors=DISCARD)
    return int(logs[0]["args"][arg])


def chain_failure(exc: Exception, rpc: str | None) -> NoReturn:
    fail(f"the chain failed: {type(exc).__name__}: {exc}", field="rpc_url" if rpc else "url")


@app.command()
@grouped
def redeem(
    class_id: ClassOption,
    tonnes: Annotated[str, typer.Option("--tonnes", help="Whole tonnes to redeem.")],
    account: Annotated[int, typer.Option("--account", min=1, help="Registry holding account to receive the units.")],
    wait: WaitOption = False,
    timeout: TimeoutOption = 120.0,
    *,
    signer: Signer,
) -> None:
    """Redeem whole tonnes back to a registry account: escrow them on-chain, signed with your --key."""
    amount = parse_tonnes(tonnes, field="tonnes", whole=True)
    try:
        class_hex = class_id_of(signer.url, class_id)
        wallet = signer.wallet()
        holder_checks(wallet, class_hex, amount, field="tonnes")
        _check_account(signer.url, wallet, account)
        bridge = wallet.deployment.bridge
        receipt = wallet.sender.transact(bridge.functions.requestRedemption(HexBytes(class_hex), amount, str(account)))
        redemption_id = event_id(wallet, receipt, "RedemptionRequested", "redemptionId")
        result: dict[str, object] = {
            "redemption_id": redemption_id,
            "class_id": class_hex,
            "tonnes": amount // TONNE,
            "account": account,
            "holder": wallet.account.address,
            "tx_hash": "0x" + bytes(receipt["transactionHash"]).hex(),
        }
        if not signer.as_json:
            console.print(
                f"redemption {redemption_id}: {amount // TONNE} t escrowed, tx {result['tx_hash']}", soft_wrap=True
            )
        redemption: RedemptionPublic | None = None
        if wait:
            with client(signer.url) as bridge_api:
                redemption = wait_redemption(bridge_api, redemption_id, timeout)
    except CodedError as exc:
        report(named(exc, key="key"))
    except (Web3Exception, requests.RequestException, OSError) as exc:
        chain_failure(exc, signer.rpc_url)
    if redemption is not None:
        result["step"] = redemption.step
        result["released_serials"] = redemption.released_serials
        result["cancel_reason"] = redemption.cancel_reason
        result["error_code"] = redemption.error_code  # why it waits or was cancelled (e.g. block_frozen)
    if signer.as_json:
        print_json(result)
    elif redemption is not None:
        console.print(f"redemption {redemption_id}: {redemption.step}")
        for serial in redemption.released_serials or []:
            console.print(f"  released {serial}")
    if wait:
        step = redemption.step if redemption is not None else "not yet seen by the bridge"
        if step != "completed":
            code = redemption.error_code if redemption else None
            reason = redemption.cancel_reason or redemption.error_message if redemption else None
            unfinished(step, code, reason)
