"""Developer commands: compile the contracts into the packaged artifacts."""

from __future__ import annotations

import typer

from bridge.cli._app import app, console, fail


@app.command()
def compile(force: bool = typer.Option(False, "--force", help="Recompile even if the cache is warm.")) -> None:
    """Compile contracts/ into the packaged artifacts (skipped when nothing changed)."""
    from bridge.chain.compiler import compile_contracts, find_project_root

    root = find_project_root()
    if root is None:
        fail("compile needs a source checkout (foundry.toml and contracts/)")
    artifacts = compile_contracts(root, force=force)
    console.print(f"{len(artifacts.contracts)} contracts, solc {artifacts.compiler}, key {artifacts.key[:12]}")
