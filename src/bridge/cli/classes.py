"""`carbon-bridge classes list|show`: the credit classes the bridge has minted, by name.

A class is named everywhere the CLI takes one (``--class``, ``classes show``) by its id (0x + 64 hex), its
token's address (0x + 40 hex) or its name (``VCS 1477 Katingan Peatland 2019``, or any part of it that
only one class's name contains): the bridge resolves it (``GET /v1/classes/{ref}``) and says which
classes a part fits when it fits several.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from bridge.api.errors import HTTP_ERRORS
from bridge.cli._app import JsonOption, UrlOption, app, client, console, every_page, fail, reported, show_items
from bridge.client import BridgeClient
from bridge.engine.filters import ClassFilter, ClassOnlyFilter
from bridge.engine.schemas import ClassPublic
from bridge.errors import CodedError
from bridge.primitives import format_tonnes

classes_app = typer.Typer(no_args_is_help=True, help="Credit classes with a token: by name, with their batches.")
app.add_typer(classes_app, name="classes")

ClassArgument = Annotated[str, typer.Argument(help="Class id, token address or name (or a part only it has).")]


def resolve_class(bridge_api: BridgeClient, reference: str, *, field: str = "class") -> ClassPublic:
    """The class ``reference`` names; a refusal (unknown, several fit) stops naming ``field``."""
    if not reference.strip():
        fail("give a class id, token address or name", field=field)
    try:
        return bridge_api.get_class(reference.strip())
    except CodedError as exc:
        if exc.code.value in ("not_found", "ambiguous_class"):
            fail(exc.message, field=field)
        raise


def _supply(item: ClassPublic) -> str:
    return format_tonnes(int(item.total_supply))


@classes_app.command("list")
def list_classes(
    program: Annotated[str | None, typer.Option("--program", help="Only this program (VCS, GS, ...).")] = None,
    vintage: Annotated[
        int | None, typer.Option("--vintage", min=1900, max=9999, help="A year the vintage covers.")
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="ccp_approved, corsia_eligible, removal or article6_authorized.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Part of the name, any case.")] = None,
    url: UrlOption = "http://127.0.0.1:8000",
    as_json: JsonOption = False,
) -> None:
    """Every class the bridge has minted, by name: program, vintage, labels, supply and retirements."""
    with reported(), client(url) as bridge_api:
        filters = HTTP_ERRORS.validated(ClassFilter, program=program, vintage=vintage, label=label, name=name)
        items = every_page(lambda cursor: bridge_api.list_classes(filters, limit=100, cursor=cursor))
    show_items(  # the token's address and the class id: `classes show`, or --json
        items,
        as_json,
        title="credit classes",
        columns=("class", "labels", "supply t", "retired t"),
        right=frozenset({"supply t", "retired t"}),
        row=lambda item: (item.name, ", ".join(item.labels) or "-", _supply(item), format_tonnes(item.retired)),
        empty="no class matches",
    )


@classes_app.command("show")
def show(reference: ClassArgument, url: UrlOption = "http://127.0.0.1:8000", as_json: JsonOption = False) -> None:
    """One class: its attributes, supply, retirements, and the batches (serials) that back it."""
    with reported(), client(url) as bridge_api:
        item = resolve_class(bridge_api, reference)
        batches = bridge_api.list_batches(ClassOnlyFilter(class_id=item.class_id), limit=100).items
    if as_json:
        typer.echo(
            json.dumps({**item.model_dump(mode="json"), "batches": [b.model_dump(mode="json") for b in batches]})
        )
        return
    facts = Table(title=item.name, show_header=False)
    facts.add_column("")
    facts.add_column("", overflow="fold")
    attrs = item.attributes
    for name, value in (
        ("program", attrs.get("program")),
        ("project", f"{attrs.get('project_id')} {item.project_name or ''}".strip()),
        ("vintage", f"{item.vintage} ({attrs.get('vintage_start')}-{attrs.get('vintage_end')})"),
        ("methodology", attrs.get("methodology") or "-"),
        ("host country", attrs.get("host_country")),
        ("labels", ", ".join(item.labels) or "none"),
        ("supply", f"{_supply(item)} t"),
        ("retired on-chain", f"{format_tonnes(item.retired)} t in {item.retirements} certificates"),
        ("class id", item.class_id),
        ("token", item.token_address),
    ):
        facts.add_row(name, str(value))
    console.print(facts)
    table = Table(title="batches")
    for column in ("bridged serial", "still in trust", "tonnes backing"):
        table.add_column(column, overflow="fold", justify="right" if column == "tonnes backing" else "left")
    for batch in batches:
        table.add_row(batch.original_serial, batch.current_serial or "-", f"{batch.remaining:,}")
    console.print(table)
