"""`carbon-bridge demo`: the end-to-end scenario with progress and a summary table with the reserve check."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bridge.cli._app import DEFAULT_URL, app, console, report
from bridge.errors import CodedError
from bridge.local.scenario import DemoActors, DemoResult, rounded_tonnes, run_demo
from bridge.ports import free_port


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _throwaway_bridge() -> Iterator[str]:
    """A local bridge on anvil in a temporary folder (its verifiers in processes of their own), served on
    free ports, gone afterwards."""
    from bridge.local.home import LocalHome
    from bridge.local.serving import serving_home

    with tempfile.TemporaryDirectory(prefix="carbon-bridge-demo-") as folder:
        home = LocalHome(Path(folder) / "home")
        from bridge.local.verifiers import COUNT

        verifier_ports = [free_port() for _ in range(COUNT)]
        with serving_home(
            home, port=free_port(), chain_port=free_port(), verifier_ports=verifier_ports, interval=0.1
        ) as running:
            yield running.url


def summary(result: DemoResult) -> Table:
    table = Table(title="Reserve after the demo (per class)")
    for column in ("class", "units in trust", "supply t", "escrowed t", "retired unsettled t", "ok"):
        table.add_column(column, justify="left" if column == "class" else "right", overflow="fold")
    assert result.reserves is not None
    for row in result.reserves.classes:
        table.add_row(
            row.name or row.class_id,
            f"{row.units_in_trust:,}",
            rounded_tonnes(row.total_supply),
            rounded_tonnes(row.escrowed),
            rounded_tonnes(row.retired_unsettled),
            "[green]yes[/]" if row.ok else "[red]NO[/]",
        )
    return table


@app.command()
def demo(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="BRIDGE_URL",
            help=f"A running local bridge (`make run`); default {DEFAULT_URL} if it answers, else a throwaway one.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Tokenize blocks of several programs, transfer, retire a fraction, redeem, swap in a pool, settle,
    and print the reserve check."""
    target = url or DEFAULT_URL
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("connecting", total=None)

        def step(description: str) -> None:
            progress.console.print(f"[green]✓[/] {progress.tasks[task].description}")
            progress.update(task, description=description)

        try:
            if url is None and not _answers(target):
                progress.update(task, description="no bridge at the default URL: starting a throwaway one")
                with _throwaway_bridge() as throwaway:
                    result = run_demo(DemoActors.connect(throwaway), step=step)
            else:
                result = run_demo(DemoActors.connect(target), step=step)
        except CodedError as exc:
            progress.stop()
            report(exc)
        step("done")
    _print_result(result)
    assert result.reserves is not None
    if not result.reserves.ok:
        raise typer.Exit(1)


def _print_result(result: DemoResult) -> None:
    for tokenization in result.tokenizations:
        console.print(
            f"tokenized {tokenization.quantity} t of {tokenization.registry} -> token {tokenization.token_address}"
        )
    console.print(f"transferred {rounded_tonnes(result.transferred_wei)} t to the trader")
    console.print(f"retirement certificates {result.certificates}; settled in the registry: {result.settled_tonnes} t")
    console.print("see them in the explorer: /retirements (each one printable, with a PDF)")
    console.print(f"redemption {result.redemption_id}: 3 t back in the custodian's registry account")
    if result.swap:
        console.print(
            f"swapped {result.swap['amount_in']} t of one class for {result.swap['amount_out']} t of another "
            f"through pool {result.swap['pool']}"
        )
    console.print(summary(result))
    assert result.reserves is not None
    verdict = "[green]OK[/]" if result.reserves.ok else "[red]MISMATCH[/]"
    console.print(f"reserve check: units in trust x 10^18 == supply + retired-but-unsettled ... {verdict}")
