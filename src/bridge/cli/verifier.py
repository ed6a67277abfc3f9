"""`carbon-bridge verifier serve`: one verifier as a service of its own (its key, its registry read key, its
node, its memory), answering the engine's attestation requests over HTTP."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from bridge.cli._app import app, console, fail, report
from bridge.cli._logging import LEVELS, LogJsonOption, start_logging
from bridge.cli.serve import settings_from_env
from bridge.errors import CodedError
from bridge.heap import settle_heap
from bridge.primitives import is_loopback
from bridge.verifier.api import create_verifier_app
from bridge.verifier.build import build_verifier
from bridge.verifier.settings import VerifierSettings

verifier_app = typer.Typer(no_args_is_help=True, help="A verifier service: attests batches of registry locks.")
app.add_typer(verifier_app, name="verifier")
log = logging.getLogger(__name__)


def _stop_with_parent(server: uvicorn.Server) -> None:
    """Stop ``server`` when the process that started this one goes away (a supervisor killed hard)."""
    parent = os.getppid()

    def watch() -> None:
        while not server.should_exit:
            if os.getppid() != parent:
                log.warning("the process that started this verifier is gone: stopping")
                server.should_exit = True
                return
            time.sleep(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@verifier_app.command("serve")
def serve(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="BRIDGE_VERIFIER_CONFIG",
            help="A JSON file of the settings (else BRIDGE_VERIFIER_* variables).",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", envvar="BRIDGE_LOG_LEVEL", help=", ".join(LEVELS))] = "info",
    log_json: LogJsonOption = False,
    exit_with_parent: Annotated[
        bool, typer.Option("--exit-with-parent", hidden=True, help="Stop when the starting process is gone.")
    ] = False,
) -> None:
    """Serve one verifier: POST /v1/attestations (the engine's key), GET /v1/identity, GET /health.

    It re-reads every lock from the registry's HTTP API and signs a batch only if each lock is in the
    bridge's trust account exactly as the leaf says; it never signs two leaves for one lock id.
    """
    os.umask(0o077)  # what a verifier writes (its memory) is its own: nobody else reads it
    start_logging(log_level, json_lines=log_json)
    try:
        settings = (
            VerifierSettings.from_file(config) if config else settings_from_env(VerifierSettings, "BRIDGE_VERIFIER_")
        )
        if settings.environment == "local" and not is_loopback(settings.host):
            fail(
                f"{settings.host} is not a loopback address: a local verifier listens on this machine only",
                field="host",
            )
        service = build_verifier(settings)
    except CodedError as exc:
        report(exc)
    try:
        verifier = create_verifier_app(service, api_key=settings.api_key.get_secret_value(), limits=settings.http)
        config_ = uvicorn.Config(
            verifier,
            host=settings.host,
            port=settings.port,
            log_level=log_level.lower(),
            lifespan="off",
            log_config=None,
        )
        server = uvicorn.Server(config_)
        if exit_with_parent:
            _stop_with_parent(server)
        console.print(
            f"verifier {settings.name} ({service.address}) serving http://{settings.host}:{settings.port}",
            highlight=False,
            soft_wrap=True,
        )
        settle_heap()
        server.run()
    finally:
        service.close()
