"""`carbon-bridge worker`: the engine alone, driving the flows of a shared engine database (no API).

Start as many as the work needs, each with its own sending key (``BRIDGE_OPERATOR_KEY``); they share the
flows through the engine database (``bridge.engine.claims``) and API processes (`serve --no-worker`)
answer from the same database. See docs/deploy.md.
"""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from bridge.cli._app import app, console, report
from bridge.cli._logging import LogJsonOption, LogLevelOption, start_logging
from bridge.cli.serve import settings_from_env
from bridge.errors import CodedError
from bridge.heap import settle_heap
from bridge.runtime import EngineWorker
from bridge.service import BridgeService
from bridge.settings import BridgeSettings


@app.command()
def worker(
    interval: Annotated[float, typer.Option(min=0.05, help="Seconds between engine rounds when idle.")] = 0.5,
    log_level: LogLevelOption = "info",
    log_json: LogJsonOption = False,
) -> None:
    """Drive the bridge's flows (settings from BRIDGE_* variables) until stopped; no API."""
    start_logging(log_level, json_lines=log_json)
    settings = settings_from_env(BridgeSettings, "BRIDGE_")
    try:
        service = BridgeService.from_settings(settings, worker=True)
    except CodedError as exc:
        report(exc)
        return
    engine = EngineWorker(service, interval=interval)
    stop = lambda *_: engine.stop(timeout=0)  # noqa: E731  (a signal handler: the round in progress finishes)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    settle_heap()
    console.print(f"worker sending as {service.engine.chain.sender.address} on {settings.engine_db_url}")
    try:
        engine.start()
        while engine.is_alive():
            engine.join(0.5)
    finally:
        service.close()
    console.print(f"[green]worker stopped[/] after {engine.rounds} rounds")
