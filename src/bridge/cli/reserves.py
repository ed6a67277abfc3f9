"""The reserve, two ways: ``reserves`` asks the bridge for its own proof of reserve; ``verify-reserves``
recomputes it from the chain and the registry alone, trusting nothing the bridge operator runs.

Both exit 0 when every class is backed, 1 when one is not (the table or JSON still shows all), 2 on
bad input or an unreachable source.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import requests
import typer
from rich.table import Table
from web3 import HTTPProvider, Web3
from web3.exceptions import Web3Exception

from bridge.chain.deploy import attach_bridge
from bridge.cli._app import JsonOption, UrlOption, app, client, console, fail, parse_address, report
from bridge.cli.flows import named
from bridge.engine.classes import class_name
from bridge.engine.schemas import ClassReserve
from bridge.errors import CodedError
from bridge.primitives import format_tonnes
from bridge.registry.client import HttpRegistryClient
from bridge.reserves_check import ClassCheck, IndependentReport, check_reserves, check_until_settled


def _reflow(text: str) -> str:
    """Help text with each paragraph on one line (the terminal wraps it, not the source)."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))


REPORT_HELP = _reflow(
    """
    The bridge's proof of reserve per class (from its API); exit 1 if any class is not backed.

    --json prints a list with one object per class (full ids): class_id, name, token, units_in_trust
    (tonnes), total_supply, escrowed, retired_unsettled (wei, decimal strings), the pending units of flows
    half-way, attested_reserve, foreign_units and foreign_serials (trust units naming the class but backing
    none of it: never counted), difference_wei, ok, under_backed. The table names each class (program,
    project, vintage); "pending" sums the units of flows half-way.
    """
)
VERIFY_HELP = _reflow(
    """
    Check the reserve independently: the chain and the registry's public API, not the bridge's.

    Per class: units immobilized in trust that back an active batch of the class, x 10^18, must equal the
    token's total supply (escrowed redemptions included) plus what was retired on-chain but not yet in the
    registry; and the contract's classReserve must agree. Exit 1 on a mismatch. A trust block backs a
    batch only if it names this chain, the class token and the batch, lies inside the serial the batch
    was minted for, and its registry credit hashes to the token's class; any other block is foreign
    (shown, never counted), so units anyone puts into the trust account can neither hide a shortfall
    nor fake one.

    A check taken while a flow is half-way can show a transient difference: a redemption the registry
    already released but whose finalizeRedemption is not mined yet, or a settlement already retired in
    the registry but not yet recorded on-chain (both: backing short of claims, for seconds). --retries
    re-checks before calling it a mismatch; a mismatch that stays is real. Units locked but not yet
    minted are shown as not minted, never as backing. No registry key is needed: trust blocks are public.

    --json prints a list with one object per class (the fields of `reserves --json` that the chain and
    the registry alone can tell, plus backing_wei and claims_wei).
    """
)


def _short(hex_text: str) -> str:
    return f"{hex_text[:8]}…{hex_text[-4:]}" if len(hex_text) > 14 else hex_text


def _ok(ok: bool) -> str:
    return "[green]ok[/]" if ok else "[red]MISMATCH[/]"


def _verdict(ok: bool, under_backed: bool, difference_wei: int) -> str:
    if ok:
        return _ok(ok)
    return f"{_ok(ok)} {difference_wei:+,} wei" + (" [red]under-backed[/]" if under_backed else " (surplus)")


def _show_foreign(units: int, where: str) -> None:
    if units:
        console.print(f"{units:,} units {where}: foreign, never counted")


def _class_json(row: ClassReserve | ClassCheck) -> dict[str, Any]:
    """One class for machines: amounts as the API gives them (tonnes for units, wei for tokens)."""
    return row.model_dump(mode="json")


@app.command(help=REPORT_HELP)
def reserves(url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False) -> None:
    """The bridge's own proof of reserve, from its API."""
    try:
        with client(url) as bridge_api:
            result = bridge_api.reserves()
    except CodedError as exc:
        report(named(exc, key="url"))
    if as_json:
        typer.echo(json.dumps([_class_json(c) for c in result.classes], indent=2))
    else:
        table = Table(title=f"proof of reserve (bridge at {url}, {result.checked_at:%Y-%m-%d %H:%M:%S} UTC)")
        for column in ("class", "trust t", "supply t", "escrow t", "unsettled t", "pending t", "foreign t"):
            table.add_column(column, justify="left" if column == "class" else "right", overflow="fold")
        table.add_column("")
        for c in result.classes:
            pending = c.pending_mint_units + c.pending_release_units + c.pending_settlement_units
            table.add_row(
                c.name or _short(c.class_id),
                f"{c.units_in_trust:,}",
                format_tonnes(c.total_supply),
                format_tonnes(c.escrowed),
                format_tonnes(c.retired_unsettled),
                f"{pending:,}",
                f"{c.foreign_units:,}",
                _verdict(c.ok, c.under_backed, c.difference_wei),
            )
        console.print(table if result.classes else "no class bridged yet")
        _show_foreign(result.foreign_units, "in the trust account name no class of this bridge")
    if not result.ok:
        raise typer.Exit(1)


@app.command("verify-reserves", help=VERIFY_HELP)
def verify_reserves(
    rpc_url: Annotated[str, typer.Option("--rpc-url", envvar="BRIDGE_RPC_URL", help="Any JSON-RPC node of the chain.")],
    registry_url: Annotated[
        str,
        typer.Option(
            "--registry-url", envvar="BRIDGE_REGISTRY_URL", help="The registry API, e.g. <bridge url>/registry."
        ),
    ],
    bridge: Annotated[str, typer.Option("--bridge", help="The CarbonBridge contract address.")],
    trust_account: Annotated[
        int | None,
        typer.Option(
            "--trust-account",
            min=1,
            help="The bridge's trust account in the registry (default: the one account holding its units).",
        ),
    ] = None,
    from_block: Annotated[
        int, typer.Option("--from-block", min=0, help="Look for the bridge's classes from this block.")
    ] = 0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=100, help="Re-check a difference this many times (in-flight flows).")
    ] = 0,
    retry_delay: Annotated[float, typer.Option("--retry-delay", min=0, help="Seconds between re-checks.")] = 2.0,
    as_json: JsonOption = False,
) -> None:
    """The independent check: the chain and the registry, never the bridge's API or database."""
    address = parse_address(bridge, field="bridge")
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    try:
        connected = w3.is_connected()
    except (Web3Exception, requests.RequestException, OSError, ValueError):
        connected = False
    if not connected:
        fail(f"no chain answers at {rpc_url}", field="rpc_url")
    if not w3.eth.get_code(address):
        fail(f"no contract at {address} on chain {w3.eth.chain_id}", field="bridge")
    try:
        attach_bridge(w3, address).bridge.functions.tokenImplementation().call()
    except (Web3Exception, ValueError) as exc:
        fail(f"the contract at {address} is not a CarbonBridge ({type(exc).__name__})", field="bridge")
    try:
        with HttpRegistryClient(registry_url) as registry:
            _check_registry(registry, registry_url)  # the registry answers at all (before any chain reads)
            result = check_until_settled(
                lambda: check_reserves(w3, address, registry, trust_account=trust_account, from_block=from_block),
                retries=retries,
                delay=retry_delay,
            )
    except CodedError as exc:
        report(named(exc, key="registry_url", url="registry_url"))
    except (Web3Exception, requests.RequestException, OSError) as exc:
        fail(f"reading the bridge contract failed ({type(exc).__name__}: {exc}); is it a CarbonBridge?", field="bridge")
    if as_json:
        typer.echo(json.dumps([_class_json(c) for c in result.classes], indent=2))
    else:
        _show_independent(result, _names(w3, result, registry_url))
    if not result.ok:
        raise typer.Exit(1)


def _check_registry(registry: HttpRegistryClient, registry_url: str) -> None:
    """The registry API answers at ``registry_url``; a server without it there (the bridge's own root, say,
    where the registry is under ``/registry``) is refused naming the URL to try."""
    try:
        registry.journal_head()
    except CodedError as exc:
        if exc.code.value != "route_not_found":
            raise
        hint = registry_url.rstrip("/") + "/registry"
        fail(
            f"no registry API at {registry_url} (it has no /journal/head); "
            f"a bridge serves its registry under /registry: try --registry-url {hint}",
            field="registry_url",
        )


def _names(w3: Web3, result: IndependentReport, registry_url: str) -> dict[str, str]:
    """Each class by name, from the chain alone (its token's credit class) and the registry's project name."""
    names: dict[str, str] = {}
    deployment = attach_bridge(w3, result.bridge)
    with HttpRegistryClient(registry_url) as registry:
        for c in result.classes:
            program, project_id, start, end, *_ = deployment.token_at(c.token).functions.creditClass().call()
            attrs = {"program": program, "project_id": project_id, "vintage_start": start, "vintage_end": end}
            try:
                project = registry.get_project(program=program, project_id=project_id).name
            except CodedError:
                project = None
            names[c.class_id] = class_name(attrs, project)
    return names


def _show_independent(result: IndependentReport, names: dict[str, str]) -> None:
    accounts = ", ".join(str(a) for a in result.trust_accounts) or "none yet"
    table = Table(
        title=f"independent reserve check: bridge {_short(result.bridge)} on chain {result.chain_id} "
        f"at block {result.block_number}, trust account {accounts}"
    )
    for column in ("class", "trust t", "unminted t", "foreign t", "supply t", "escrow t", "unsettled t"):
        table.add_column(column, justify="left" if column == "class" else "right", overflow="fold")
    table.add_column("")
    for c in result.classes:
        table.add_row(
            names.get(c.class_id) or _short(c.class_id),
            f"{c.units_in_trust:,}",
            f"{c.pending_mint_units:,}",
            f"{c.foreign_units:,}",
            format_tonnes(c.total_supply),
            format_tonnes(c.escrowed),
            format_tonnes(c.retired_unsettled),
            _verdict(c.ok, c.under_backed, c.difference_wei),
        )
    console.print(table if result.classes else "the bridge has no class yet")
    _show_foreign(result.foreign_units, "in that account name no class token of this bridge")
    console.print(f"overall: {_ok(result.ok)}")
