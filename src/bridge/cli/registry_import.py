"""`carbon-bridge registry import`: the registries' own exports into the simulated registry.

``--home DIR`` imports in this process into the registry of a local bridge's home (``DIR/registry.db``,
made when missing; default ``.bridge``); ``--registry-url URL`` imports over HTTP with the registry
operator's key (``--registry-key``). Each file's format is recognised by its header (``--format`` names it).
Exit code 0 when every row was imported or already there, 1 when a row or a file was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bridge.cli._app import JsonOption, console, echo_json, err_console, fail, report
from bridge.cli.registry import RegistryKeyOption, RegistryUrlOption, registry_app
from bridge.errors import CodedError
from bridge.registry.client import HttpRegistryClient
from bridge.registry.imports import FORMATS, Importer, ImportReport, RegistryPort
from bridge.registry.ledger import Registry
from bridge.registry.units import unit_symbol

SHOWN_REFUSALS: Final = 20
"""Refused rows listed per file in the table view (``--json`` lists them all)."""


@registry_app.command("import")
def import_exports(
    files: Annotated[list[Path], typer.Argument(help="Registry export files (CSV).", show_default=False)],
    home: Annotated[
        Path | None,
        typer.Option("--home", envvar="BRIDGE_HOME", help="Import into the registry of this local bridge home."),
    ] = None,
    registry_url: RegistryUrlOption = None,
    registry_key: RegistryKeyOption = None,
    export_format: Annotated[
        str | None, typer.Option("--format", help=f"The files' format: {', '.join(FORMATS)} (default: by header).")
    ] = None,
    to_account: Annotated[
        int | None,
        typer.Option("--to-account", min=1, help="Holding account for every imported issuance (default: per holder)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load projects, issuances, retirements and cancellations from registries' exports (idempotent)."""
    if export_format is not None and export_format.strip().lower() not in FORMATS:
        fail(f"{export_format!r} is none of {', '.join(FORMATS)}", field="format")
    try:
        registry, close = _registry(home, registry_url, registry_key)
        try:
            result = _run(Importer(registry, to_account=to_account), files, export_format, quiet=as_json)
        finally:
            close()
    except CodedError as exc:
        report(exc)
    if as_json:
        echo_json(result)
    else:
        _show(result)
    if result.refused:
        raise typer.Exit(1)


def _registry(home: Path | None, url: str | None, key: str | None) -> tuple[RegistryPort, object]:
    """The registry to import into, and how to let go of it."""
    if home is not None and url is not None:
        fail("give either --home or --registry-url", field="home")
    if url is not None:
        if not key:
            fail("importing over HTTP needs the registry operator's key (--registry-key)", field="registry_key")
        client = HttpRegistryClient(url, key)
        return client, client.close
    folder = home or Path(".bridge")
    if folder.exists() and not folder.is_dir():
        fail(f"{folder} is not a folder", field="home")
    registry = Registry.open(f"sqlite:///{folder / 'registry.db'}")
    return registry, registry.close


def _run(importer: Importer, files: list[Path], export_format: str | None, *, quiet: bool) -> ImportReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        reports = []
        for path in files:
            task = progress.add_task(f"importing {path.name}", total=None)

            def advance(done: int, total: int, task: int = task) -> None:
                progress.update(task, completed=done, total=total)

            reports.append(importer.import_file(path, format_name=export_format, progress=advance))
            progress.remove_task(task)
    return ImportReport(files=reports)


def _show(result: ImportReport) -> None:
    table = Table(title="registry import")
    for column in ("file", "format", "rows", "imported", "unchanged", "refused", "units imported"):
        table.add_column(column, justify="left" if column in ("file", "format") else "right")
    for file in result.files:
        export = FORMATS.get(file.format or "")
        unit = "" if export is None else f" {unit_symbol(export.program.unit_decimals)}"
        table.add_row(
            Path(file.file).name,
            file.format or "?",
            f"{file.rows:,}",
            f"{file.imported:,}",
            f"{file.unchanged:,}",
            f"{len(file.refused):,}",
            f"{file.units_imported:,}{unit}",
        )
    console.print(table)
    for file in result.files:
        for refusal in file.refused[:SHOWN_REFUSALS]:
            where = f"row {refusal.row}" + (f", {refusal.column}" if refusal.column else "")
            console.print(f"[red]refused[/] {file.file} {where}: [bold]{refusal.code}[/] {refusal.message}")
        if len(file.refused) > SHOWN_REFUSALS:
            console.print(f"  ... and {len(file.refused) - SHOWN_REFUSALS} more refused rows (--json lists them all)")
