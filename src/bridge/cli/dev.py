"""Developer commands: compile the contracts into the packaged artifacts; ``dev keys`` lists a local
bridge's demo accounts with their keys (local mode only: demo keys are not secrets, and a bridge
configured from the environment has none)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bridge.cli._app import JsonOption, app, console, fail, report
from bridge.errors import CodedError

dev_app = typer.Typer(no_args_is_help=True, help="Developer commands for a local bridge.")
app.add_typer(dev_app, name="dev")


@app.command()
def compile(force: bool = typer.Option(False, "--force", help="Recompile even if the cache is warm.")) -> None:
    """Compile contracts/ into the packaged artifacts (skipped when nothing changed)."""
    from bridge.chain.compiler import compile_contracts, find_project_root

    root = find_project_root()
    if root is None:
        fail("compile needs a source checkout (foundry.toml and contracts/)")
    artifacts = compile_contracts(root, force=force)
    console.print(f"{len(artifacts.contracts)} contracts, solc {artifacts.compiler}, key {artifacts.key[:12]}")


@dev_app.command("keys")
def keys(
    home: Annotated[
        Path, typer.Option(envvar="BRIDGE_HOME", help="The local bridge's folder (`serve --home`).")
    ] = Path(".bridge"),
    as_json: JsonOption = False,
) -> None:
    """The demo accounts of a local bridge: registry account and key (crk_, for `registry transfer`), bridge
    API key (bak_, for `tokenize`), and the funded dev wallet that plays each (for --key)."""
    from bridge.chain.anvil import dev_accounts
    from bridge.local.home import LocalHome
    from bridge.local.settings import LOCAL_HOLDERS, local_api_key

    local = LocalHome(home)
    if not local.is_initialized():
        fail(
            f"{home} is not a local bridge home (start one with `carbon-bridge serve`); keys exist only there",
            field="home",
        )
    try:
        manifest = local.read_manifest()
    except CodedError as exc:
        report(exc)
    wallets = dev_accounts(4 + len(LOCAL_HOLDERS))[4:]  # after the operator and three verifiers, as `serve` deals them
    rows = [
        {
            "holder": name,
            "registry_account": manifest.accounts[name],
            "registry_key": manifest.registry_keys[name],
            "api_key": local_api_key(manifest.seed, name),
            "wallet": wallet.address,
            "wallet_key": "0x" + wallet.key.hex().removeprefix("0x"),
        }
        for name, wallet in zip(LOCAL_HOLDERS, wallets, strict=True)
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"demo accounts of the local bridge in {home} (demo keys: not secrets)")
    for column in ("holder", "registry account", "registry key", "bridge API key", "wallet", "wallet key"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    console.print(table)
