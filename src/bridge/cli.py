"""`carbon-bridge`: the one command-line entry point."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from bridge.errors import CodedError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Carbon-credit tokenization bridge.")
console = Console()
err_console = Console(stderr=True)


@app.command()
def run() -> None:
    """Bridge a demo credit batch on an in-process EVM and print balances and the reserve check."""
    from bridge.quickstart import run_quickstart

    result = run_quickstart(console)
    if not result.reserve_ok:
        raise typer.Exit(1)


@app.command()
def compile(force: bool = typer.Option(False, "--force", help="Recompile even if the cache is warm.")) -> None:
    """Compile contracts/ into the packaged artifacts (skipped when nothing changed)."""
    from bridge.chain.compiler import compile_contracts, find_project_root

    root = find_project_root()
    if root is None:
        err_console.print("[red]compile needs a source checkout (foundry.toml and contracts/)[/]")
        raise typer.Exit(2)
    artifacts = compile_contracts(root, force=force)
    console.print(f"{len(artifacts.contracts)} contracts, solc {artifacts.compiler}, key {artifacts.key[:12]}")


def main() -> None:
    try:
        app()
    except CodedError as exc:
        err_console.print(f"[red]error[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
