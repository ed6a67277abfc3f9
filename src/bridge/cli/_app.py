"""The root `carbon-bridge` Typer app, its consoles, and what every command shares: reaching the bridge
API (``--url``, ``--api-key``), the chain behind it (``/v1/network``), a signing key, and failing with a
message that names the field."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation, localcontext
from typing import Annotated, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from bridge.client import BridgeClient
from bridge.errors import CodedError
from bridge.primitives import TONNE, Page, checked_address

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Carbon-credit tokenization bridge.")
console = Console()
err_console = Console(stderr=True)

DEFAULT_URL = "http://127.0.0.1:8000"
T = TypeVar("T")

# shared options: every command that talks to a running bridge takes these
UrlOption = Annotated[
    str, typer.Option("--url", envvar="BRIDGE_URL", help="The bridge API (`carbon-bridge serve` listens here).")
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option("--api-key", envvar="BRIDGE_API_KEY", help="Bridge API key (X-API-Key).", show_default=False),
]
ChainKeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        envvar="BRIDGE_KEY",
        help="Hex private key that signs the chain transaction (never sent to the bridge).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def echo_json(value: BaseModel | Sequence[BaseModel] | dict[str, object]) -> None:
    """Print a model, a list of models or a plain mapping as indented JSON (what ``--json`` prints)."""
    if isinstance(value, BaseModel):
        typer.echo(value.model_dump_json(indent=2))
    elif isinstance(value, dict):
        typer.echo(json.dumps(value, indent=2, default=str))
    else:
        typer.echo(json.dumps([item.model_dump(mode="json") for item in value], indent=2))


def show_items(
    items: Sequence[T],
    as_json: bool,
    *,
    title: str,
    columns: tuple[str, ...],
    row: Callable[[T], tuple[str, ...]],
    empty: str,
    right: frozenset[str] = frozenset(),
) -> None:
    """A listing: JSON with ``--json``, else a table of ``columns`` (those in ``right`` right-aligned), one
    ``row`` an item, titled with their count (``empty`` when there is none)."""
    if as_json:
        echo_json(items)  # type: ignore[arg-type]
        return
    table = Table(title=f"{title} ({len(items)})")
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    for item in items:
        table.add_row(*row(item))
    console.print(table if items else empty)


def every_page(fetch: Callable[[str | None], Page[T]]) -> list[T]:
    """Every item of a paged listing: ``fetch(cursor)``, page after page, until the last."""
    items: list[T] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def client(url: str, api_key: str | None = None) -> BridgeClient:
    return BridgeClient(url, api_key=api_key)


def fail(message: str, *, field: str | None = None, code: int = 2) -> NoReturn:
    """Stop with a message naming the field (exit 2: bad input; 1: a check failed)."""
    prefix = f"[red]error[/] {field}: " if field else "[red]error[/] "
    err_console.print(prefix + message, highlight=False)
    raise typer.Exit(code)


def one_way(first: tuple[str, object], second: tuple[str, object], *, needs: dict[str, object]) -> None:
    """Stop unless exactly one of two ways of naming something is given: option ``first``, or option ``second``
    with every option of ``needs`` (options by parameter name with their values; None is not given)."""
    (first_name, first_value), (second_name, second_value) = first, second
    wanted = " and ".join(_flag(name) for name in needs)
    if (first_value is None) == (second_value is None):
        fail(f"give {_flag(first_name)}, or {_flag(second_name)} with {wanted}", field=first_name)
    missing = [name for name, value in needs.items() if value is None]
    if second_value is not None and missing:
        fail(f"{_flag(second_name)} needs {wanted}", field=missing[0])


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def describe(exc: CodedError) -> str:
    """A coded error as the CLI prints it: code, field, message."""
    where = f" {exc.field}:" if exc.field else ""
    return f"[red]error[/] [bold]{exc.code.value}[/]{where} {exc.message}"


def report(exc: CodedError) -> NoReturn:
    """Stop with a coded error as the bridge (or registry, or chain) raised it."""
    err_console.print(describe(exc), highlight=False)
    raise typer.Exit(2)


@contextmanager
def reported() -> Iterator[None]:
    """A coded error from the bridge (a refusal, the bridge unreachable) ends the command with its code."""
    try:
        yield
    except CodedError as exc:
        report(exc)


def require_api_key(api_key: str | None, needs: str) -> str:
    """``api_key``, or stop saying what ``needs`` it and where a key is given."""
    if not api_key:
        fail(f"{needs} (--api-key or BRIDGE_API_KEY)", field="api_key")
    return api_key


def parse_address(value: str, *, field: str) -> str:
    """An EVM address as typed, checksummed (``bridge.primitives.checked_address``); a bad one stops the command."""
    try:
        return checked_address(value)
    except ValueError as exc:
        fail(f"{value!r}: {exc}", field=field)


def parse_tonnes(value: str, *, field: str = "amount", whole: bool = False) -> int:
    """Tonnes as written (``3``, ``0.25``) in token wei, exactly; ``whole`` refuses fractions."""
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        fail(f"{value!r} is not a number of tonnes", field=field)
    if not amount.is_finite():
        fail(f"{value!r} is not a number of tonnes", field=field)
    if amount <= 0:
        fail(f"must be more than zero (got {value})", field=field)
    if amount.adjusted() > 60:  # past uint256 wei, whatever the digits: spare the arithmetic below
        fail(f"{value} is out of range", field=field)
    if amount.adjusted() < -18:
        fail(f"{value} is less than the token's smallest unit (10^-18 t)", field=field)
    with localcontext() as exact:
        exact.prec = 200  # more digits than any amount that got here: the product is exact
        wei = amount * TONNE
    if wei >= 2**256:
        fail(f"{value} is out of range", field=field)
    if wei != wei.to_integral_value():
        fail(f"{value} has more than 18 decimals (the token's smallest unit is 10^-18 t)", field=field)
    if whole and amount != amount.to_integral_value():
        fail(f"redemptions are whole tonnes only; {value} is fractional (retire fractions instead)", field=field)
    return int(wei)
