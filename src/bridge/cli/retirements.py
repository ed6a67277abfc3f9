"""`carbon-bridge retire` (on-chain, with your own key) and `carbon-bridge retirements list|show|disclose`.

A retirement states what it claims: the beneficiary (``--beneficiary``; repeat it with ``--amount`` for
several beneficiaries in one transaction), ``--purpose`` (one of the fixed list: ``retirements --help``),
where and when the consumption took place (``--country``, ``--period``), where the claim is made
(``--jurisdiction``, ISO 3166-2). ``--private`` keeps the names off-chain: only their salted hash is
sent, and the bridge is given the names (checked against the hash) once it has recorded the retirement.
``retirements show`` prints the certificate in the terminal.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Annotated, Any, Final

import requests
import typer
from hexbytes import HexBytes
from pydantic import ValidationError
from rich.panel import Panel
from rich.table import Table
from web3.exceptions import Web3Exception

from bridge.api.errors import HTTP_ERRORS
from bridge.chain.retirement import MAX_NAME_BYTES, PersonalData, Purpose, RetirementDetails
from bridge.cli._app import (
    JsonOption,
    UrlOption,
    app,
    client,
    console,
    echo_json,
    every_page,
    fail,
    parse_tonnes,
    report,
    reported,
    show_items,
)
from bridge.cli._chain import Signer
from bridge.cli._options import grouped
from bridge.cli.flows import (
    ClassOption,
    TimeoutOption,
    chain_failure,
    class_id_of,
    event_id,
    holder_checks,
    named,
    not_yet,
    print_json,
    unfinished,
    wait_for,
)
from bridge.engine.filters import RetirementFilter
from bridge.engine.schemas import RetirementPublic
from bridge.errors import CodedError
from bridge.primitives import format_tonnes

retirements_app = typer.Typer(
    no_args_is_help=True,
    short_help="Retirement certificates: list, show (the certificate in the terminal), disclose.",
    help="Retirement certificates.\n\nPurposes: " + "; ".join(f"{p.label} ({p.text})" for p in Purpose) + ".",
)
app.add_typer(retirements_app, name="retirements")

PURPOSES: Final = [p.label for p in Purpose]
CertificateArgument = Annotated[int, typer.Argument(min=1, help="The certificate id.")]


def _period(value: str | None) -> tuple[date | None, date | None]:
    if value is None:
        return None, None
    start, separator, end = value.partition("..")
    try:
        return date.fromisoformat(start.strip()), date.fromisoformat((end if separator else start).strip())
    except ValueError:
        fail(f"{value!r} is not a period (2025-01-01..2025-12-31)", field="period")


def _details(fields: dict[str, Any]) -> RetirementDetails:
    """The details as the contract will take them; a refusal names the option at fault."""
    options = {
        "beneficiary_name": "beneficiary",
        "beneficiary_address": "beneficiary-address",
        "retiring_entity": "retiring-entity",
        "consumption_country": "country",
        "claim_jurisdiction": "jurisdiction",
        "consumption_start": "period",
        "consumption_end": "period",
    }
    try:
        return RetirementDetails(**fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = str(error["loc"][0]) if error["loc"] else str(error["msg"]).split(":")[0].removeprefix("Value error, ")
        message = str(error["msg"]).removeprefix("Value error, ")
        fail(message, field=options.get(where, where.replace("_", "-")))


@app.command()
@grouped
def retire(
    class_id: ClassOption,
    amount: Annotated[
        list[str], typer.Option("--amount", help="Tonnes to retire, fractions allowed; repeat with --beneficiary.")
    ],
    beneficiary: Annotated[
        list[str], typer.Option("--beneficiary", help="On whose behalf (1-200 bytes); repeat for several.")
    ],
    purpose: Annotated[
        str, typer.Option("--purpose", help=f"Why: {', '.join(PURPOSES)}.", show_default=True)
    ] = Purpose.UNSPECIFIED.label,
    reason: Annotated[str, typer.Option("--reason", help="The claim the retirement supports (<= 500 bytes).")] = "",
    beneficiary_address: Annotated[
        str | None, typer.Option("--beneficiary-address", help="The beneficiary's own EVM address.")
    ] = None,
    retiring_entity: Annotated[
        str | None, typer.Option("--retiring-entity", help="Who retires, when not the beneficiary.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Where the consumption was (ISO 3166-1: DE).")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="When the consumption was: 2025-01-01..2025-12-31.")
    ] = None,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="Where the claim is made (ISO 3166-2: US-CA, or DE).")
    ] = None,
    private: Annotated[
        bool, typer.Option("--private", help="Only a salted hash of the names on-chain; the bridge gets the names.")
    ] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the bridge has recorded the certificate.")] = False,
    timeout: TimeoutOption = 120.0,
    *,
    signer: Signer,
) -> None:
    """Retire any amount (fractions too) on-chain with your --key: the tokens burn, a certificate records
    each beneficiary's part."""
    if len(amount) != len(beneficiary):
        fail(f"give one --amount per --beneficiary ({len(amount)} and {len(beneficiary)})", field="amount")
    amounts = [parse_tonnes(a, field="amount", whole=False) for a in amount]
    start, end = _period(period)
    if not private and retiring_entity and len(retiring_entity.encode()) > MAX_NAME_BYTES:
        fail(f"is more than {MAX_NAME_BYTES} bytes", field="retiring-entity")
    secrets_by_name: dict[int, PersonalData] = {}
    stated: list[RetirementDetails] = []
    for index, name in enumerate(beneficiary):
        shared = {
            "beneficiary_address": beneficiary_address,
            "purpose": purpose,
            "consumption_country": country,
            "consumption_start": start,
            "consumption_end": end,
            "claim_jurisdiction": jurisdiction,
            "reason": reason,
        }
        if private:
            if not name.strip():
                fail("must not be empty", field="beneficiary")
            data = PersonalData(
                salt="0x" + secrets.token_hex(32), beneficiary_name=name, retiring_entity=retiring_entity or ""
            )
            secrets_by_name[index] = data
            stated.append(_details({**shared, "personal_data_hash": data.digest()}))
        else:
            stated.append(_details({**shared, "beneficiary_name": name, "retiring_entity": retiring_entity or ""}))
    total = sum(amounts)
    try:
        class_hex = class_id_of(signer.url, class_id)
        wallet = signer.wallet()
        holder_checks(wallet, class_hex, total, field="amount")
        bridge = wallet.deployment.bridge
        if len(stated) == 1:
            call = bridge.functions.retire(HexBytes(class_hex), amounts[0], stated[0].as_tuple())
        else:
            call = bridge.functions.retireMany(HexBytes(class_hex), amounts, [d.as_tuple() for d in stated])
        receipt = wallet.sender.transact(call)
        first = event_id(wallet, receipt, "Retired", "certificateId")
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        results: list[dict[str, Any]] = [
            {
                "certificate_id": first + i,
                "class_id": class_hex,
                "amount_wei": str(amounts[i]),
                "tonnes": format_tonnes(amounts[i]),
                "beneficiary": beneficiary[i],
                "purpose": stated[i].purpose.label,
                "private": private,
                "salt": secrets_by_name[i].salt if i in secrets_by_name else None,
                "retiree": wallet.account.address,
                "tx_hash": tx_hash,
            }
            for i in range(len(stated))
        ]
        if wait:
            with client(signer.url) as bridge_api:
                for result in results:
                    recorded = wait_for(
                        not_yet(lambda r=result: bridge_api.get_retirement(r["certificate_id"])),
                        lambda _: True,
                        timeout=timeout,
                        what=f"certificate {result['certificate_id']} to be recorded",
                    )
                    data = secrets_by_name.get(result["certificate_id"] - first)
                    if recorded is not None and data is not None:
                        recorded = bridge_api.disclose_personal_data(result["certificate_id"], data)
                    result["recorded"] = recorded is not None
                    result["status"] = recorded.status if recorded is not None else None
    except CodedError as exc:
        report(named(exc, key="key"))
    except (Web3Exception, requests.RequestException, OSError) as exc:
        chain_failure(exc, signer.rpc_url)
    if signer.as_json:
        print_json(results if len(results) > 1 else results[0])
    else:
        for result in results:
            console.print(
                f"certificate {result['certificate_id']}: {result['tonnes']} t retired for {result['beneficiary']} "
                f"({result['purpose']}), tx {result['tx_hash']}",
                soft_wrap=True,
            )
            if result["salt"] and not wait:
                console.print(
                    f"  only the names' hash is on-chain; give the bridge the names once it has the certificate:\n"
                    f"  carbon-bridge retirements disclose {result['certificate_id']} --salt {result['salt']} "
                    f"--beneficiary {json.dumps(result['beneficiary'])}"
                    + (f" --retiring-entity {json.dumps(retiring_entity)}" if retiring_entity else ""),
                    soft_wrap=True,
                    highlight=False,
                )
            if wait and result["recorded"]:
                console.print(f"  recorded by the bridge: {str(result['status']).replace('_', ' ')}")
    if wait and not all(r["recorded"] for r in results):
        unfinished("not yet recorded by the bridge")


def _certificates(url: str, filters: RetirementFilter) -> list[RetirementPublic]:
    with client(url) as bridge_api:
        return every_page(lambda cursor: bridge_api.list_retirements(filters, limit=100, cursor=cursor))


@retirements_app.command("list")
def list_retirements(
    class_ref: Annotated[str | None, typer.Option("--class", help="Only this class (id, token or name).")] = None,
    beneficiary: Annotated[str | None, typer.Option("--beneficiary", help="Only this beneficiary.")] = None,
    url: UrlOption = "http://127.0.0.1:8000",
    as_json: JsonOption = False,
) -> None:
    """Every retirement certificate: beneficiary, purpose, class by name, tonnes and settlement status."""
    with reported():
        class_hex = class_id_of(url, class_ref) if class_ref else None
        found = _certificates(url, HTTP_ERRORS.validated(RetirementFilter, class_id=class_hex, beneficiary=beneficiary))
    show_items(
        found,
        as_json,
        title="retirement certificates",
        columns=("#", "beneficiary", "purpose", "class", "tonnes", "status"),
        right=frozenset({"#", "tonnes"}),
        row=lambda c: (str(c.certificate_id), c.beneficiary, c.purpose, c.class_name or c.class_id, c.tonnes, c.status),
        empty="no retirement yet",
    )


def certificate_panel(c: RetirementPublic) -> Panel:
    """The certificate as the terminal shows it (what the explorer's page and the PDF show)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    period = f"{c.consumption_start} to {c.consumption_end}" if c.consumption_start else ""
    rows = [
        ("beneficiary", c.beneficiary + ("" if c.disclosed else " (names on-chain only as a hash)")),
        ("beneficiary address", c.beneficiary_address),
        ("retired by", c.retiring_entity or c.retiree),
        ("purpose", f"{c.purpose} ({c.purpose_text})"),
        ("consumption", ", ".join(p for p in (c.consumption_country_name or c.consumption_country, period) if p)),
        ("claim jurisdiction", f"{c.claim_jurisdiction_name} ({c.claim_jurisdiction})" if c.claim_jurisdiction else ""),
        ("reason", c.reason),
        ("amount", f"{c.tonnes} t ({c.amount} wei)"),
        ("class", c.class_name or c.class_id),
        ("retiree", c.retiree),
        ("transaction", f"{c.tx_hash} (block {c.block_number})"),
        ("status", c.status.replace("_", " ") + f": {format_tonnes(int(c.settled))} t settled in the registry"),
    ]
    for name, value in rows:
        if value:
            grid.add_row(name, str(value))
    for s in c.settlements:
        grid.add_row(
            f"settlement {s.settlement_id}",
            f"{format_tonnes(s.amount)} t, registry serials {', '.join(s.registry_serials) or '-'} ({s.step})",
        )
    title = f"retirement certificate {c.certificate_id}: {c.tonnes} t for {c.beneficiary}"
    return Panel(grid, title=title, border_style="green")


@retirements_app.command("show")
def show(
    certificate_id: CertificateArgument, url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False
) -> None:
    """One certificate, in the terminal: who, for whom, why, how much of which class, and its registry
    settlement (the serials retired)."""
    with reported(), client(url) as bridge_api:
        found = bridge_api.get_retirement(certificate_id)
    if as_json:
        echo_json(found)
    else:
        console.print(certificate_panel(found))


@retirements_app.command("disclose")
def disclose(
    certificate_id: CertificateArgument,
    salt: Annotated[str, typer.Option("--salt", help="The salt `retire --private` printed (0x + 64 hex).")],
    beneficiary: Annotated[str, typer.Option("--beneficiary", help="The beneficiary's name, as hashed.")],
    retiring_entity: Annotated[str, typer.Option("--retiring-entity", help="The retiring entity, as hashed.")] = "",
    url: UrlOption = "http://127.0.0.1:8000",
) -> None:
    """Give the bridge the names a private retirement keeps off-chain; it checks them against the hash."""
    try:
        data = PersonalData(salt=salt, beneficiary_name=beneficiary, retiring_entity=retiring_entity)
    except ValidationError as exc:
        error = exc.errors()[0]
        fail(str(error["msg"]), field=str(error["loc"][0]).replace("_", "-") if error["loc"] else "salt")
    with reported(), client(url) as bridge_api:
        found = bridge_api.disclose_personal_data(certificate_id, data)
    console.print(certificate_panel(found))
