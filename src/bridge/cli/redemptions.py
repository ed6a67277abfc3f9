"""`carbon-bridge redemptions list|show|watch`: redemptions the bridge has seen on-chain, where each stands,
and following one until it ends (after `redeem --wait` was cut off, say)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bridge.api.errors import HTTP_ERRORS
from bridge.cli._app import (
    JsonOption,
    UrlOption,
    app,
    client,
    console,
    echo_json,
    every_page,
    fail,
    parse_address,
    reported,
    show_items,
)
from bridge.cli.flows import TimeoutOption, class_id_of, unfinished, wait_redemption
from bridge.engine.filters import RedemptionFilter
from bridge.engine.schemas import RedemptionPublic
from bridge.engine.store import RedeemStep

redemptions_app = typer.Typer(no_args_is_help=True, help="Redemptions of whole tonnes back to registry accounts.")
app.add_typer(redemptions_app, name="redemptions")

RedemptionArgument = Annotated[int, typer.Argument(min=0, help="The redemption id (`redeem` prints it).")]
STEPS = ", ".join(step.value for step in RedeemStep)


@redemptions_app.command("list")
def list_redemptions(
    holder: Annotated[str | None, typer.Option("--holder", help="Only this holder's (an EVM address).")] = None,
    class_ref: Annotated[str | None, typer.Option("--class", help="Only this class (id, token or name).")] = None,
    status: Annotated[str | None, typer.Option("--status", help=f"Only at this step: {STEPS}.")] = None,
    url: UrlOption = "http://127.0.0.1:8000",
    as_json: JsonOption = False,
) -> None:
    """Redemptions, newest first: class by name, holder, tonnes, registry account and step."""
    if holder is not None:
        holder = parse_address(holder, field="holder")
    if status is not None and status not in {s.value for s in RedeemStep}:
        fail(f"{status!r} is not a step; one of: {STEPS}", field="status")
    with reported():
        class_hex = class_id_of(url, class_ref) if class_ref else None
        filters = HTTP_ERRORS.validated(RedemptionFilter, holder=holder, class_id=class_hex, status=status)
        with client(url) as bridge_api:
            names = {c.class_id: c.name for c in bridge_api.list_classes(limit=100).items}
            found = every_page(lambda cursor: bridge_api.list_redemptions(filters, limit=100, cursor=cursor))
    show_items(
        found,
        as_json,
        title="redemptions",
        columns=("#", "class", "holder", "tonnes", "account", "step"),
        right=frozenset({"#", "tonnes"}),
        row=lambda r: (
            str(r.id),
            names.get(r.class_id, r.class_id),
            r.holder,
            f"{r.tonnes:,}",
            r.registry_account,
            r.step,
        ),
        empty="no redemption",
    )


def _show(r: RedemptionPublic) -> None:
    table = Table(title=f"redemption {r.id}: {r.tonnes} t to registry account {r.registry_account}", show_header=False)
    table.add_column("")
    table.add_column("", overflow="fold")
    for name, value in (
        ("step", r.step + (f" (waiting: {r.error_code} {r.error_message or ''})" if r.error_code else "")),
        ("class", r.class_id),
        ("holder", r.holder),
        ("requested in", r.request_tx),
        ("released serials", ", ".join(r.released_serials or []) or None),
        ("finalized/cancelled in", r.tx_hash),
        ("cancelled because", r.cancel_reason),
    ):
        if value:
            table.add_row(name, str(value))
    for entry in r.history:
        table.add_row(f"  {entry.step}", f"{entry.at:%Y-%m-%d %H:%M:%S} UTC")
    console.print(table)


@redemptions_app.command("show")
def show(
    redemption_id: RedemptionArgument, url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False
) -> None:
    """One redemption: where it stands, the serials released to the account, and its timeline."""
    with reported(), client(url) as bridge_api:
        found = bridge_api.get_redemption(redemption_id)
    if as_json:
        echo_json(found)
    else:
        _show(found)


@redemptions_app.command("watch")
def watch(
    redemption_id: RedemptionArgument,
    timeout: TimeoutOption = 300.0,
    url: UrlOption = "http://127.0.0.1:8000",
    as_json: JsonOption = False,
) -> None:
    """Follow a redemption until it ends (completed, cancelled or dropped), with a spinner; exit 1 if it
    did not complete."""
    with reported(), client(url) as bridge_api:
        found = wait_redemption(bridge_api, redemption_id, timeout)
    if found is None:
        unfinished("not yet seen by the bridge")
    if as_json:
        echo_json(found)
    else:
        _show(found)
    if found.step != "completed":
        unfinished(found.step, found.error_code, found.cancel_reason or found.error_message)
