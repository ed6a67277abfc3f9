"""`carbon-bridge serve`: the whole bridge on one machine, resumable (what `make run` starts)."""

from __future__ import annotations

import ipaddress
import signal
import socket
import time
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from pydantic import ValidationError

from bridge.cli._app import app, console, fail, report
from bridge.cli._logging import LEVELS, configure_logging
from bridge.errors import CodedError
from bridge.local.home import (
    DEFAULT_CHAIN_PORT,
    DEFAULT_HOME,
    OPERATOR_KEY,
    TRUST_KEY,
    WALLET_KEY,
    LocalHome,
    fingerprint,
)
from bridge.runtime import ServedBridge
from bridge.service import BridgeService
from bridge.settings import BridgeSettings


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C


def next_steps(served: ServedBridge, home: LocalHome | None) -> str:
    """What to try against a freshly served bridge (every line works as printed). Keys the bridge holds
    are never printed: a local home's are named by file and fingerprint."""
    service, url = served.service, served.url
    lines = [
        f"[bold]explorer[/] {url}/   (reserve, classes, certificates, redemptions, pools)",
        f"[bold]API[/]      {url}/v1   docs: {url}/docs   registry: {url}/registry",
        f"[bold]chain[/]    {service.rpc_url} (anvil, chain id {service.chain_id})",
        f"[bold]bridge[/]   {service.bridge_address}   trust account: {service.trust_account}",
        "",
        "[bold]Try next[/] (in another terminal):",
        f"  curl -s {url}/health",
        f"  curl -s {url}/v1/reserves",
        f"  .venv/bin/carbon-bridge demo --url {url}         [dim]# tokenize, trade, retire, redeem, swap[/]",
        f"  .venv/bin/carbon-bridge reserves --url {url}",
        f"  .venv/bin/carbon-bridge classes list --url {url}",
        f"  .venv/bin/carbon-bridge retirements list --url {url}",
        f"  .venv/bin/carbon-bridge pools list --url {url}",
        f"  .venv/bin/carbon-bridge verify-reserves --rpc-url {service.rpc_url} "
        f"--registry-url {url}/registry --bridge {service.onchain.deployment.address}",
    ]
    if home is not None:
        wallet = home.key_file(WALLET_KEY)
        operator = home.key_file(OPERATOR_KEY)
        lines += [
            "",
            "[bold]Demo keys[/] (derived from the demo seed, not secrets): custodian API key "
            f"{service.api_key('custodian')}",
            f"  a funded dev wallet: {service.onchain.users[1].address}, its key in {wallet} "
            f"({fingerprint(home.read_key(WALLET_KEY))})",
            f"[bold]This home's keys[/] (random, 0600): registry operator {operator} "
            f"({fingerprint(home.read_key(OPERATOR_KEY))}), trust account {home.key_file(TRUST_KEY)}",
            f"  every demo account's registry key, API key and wallet: "
            f".venv/bin/carbon-bridge dev keys --home {home.path}",
        ]
    lines.append("Ctrl-C stops cleanly; the next `make run` resumes where this one stopped.")
    return "\n".join(lines)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings_from_env() -> BridgeSettings:
    """The settings the ``BRIDGE_*`` variables give; none assumed (``BRIDGE_ENVIRONMENT`` included)."""
    try:
        return BridgeSettings()
    except ValidationError as exc:
        problem = exc.errors()[0]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not problem["loc"]:  # a check across settings: its message names the setting
            fail(message, field="settings")
        field = ".".join(str(part) for part in problem["loc"])
        variable = "BRIDGE_" + str(problem["loc"][0]).upper()
        if problem["type"] == "missing":
            message = "is not set (no default is assumed)"
        fail(f"{variable} {message}", field=field)


@app.command()
def serve(
    home: Annotated[Path, typer.Option(envvar="BRIDGE_HOME", help="Folder of the local bridge's state.")] = Path(
        DEFAULT_HOME
    ),
    host: Annotated[str, typer.Option(help="Interface the API listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="API port.")] = 8000,
    chain_port: Annotated[int, typer.Option(min=1, max=65535, help="anvil's JSON-RPC port.")] = DEFAULT_CHAIN_PORT,
    from_env: Annotated[
        bool, typer.Option("--from-env", help="Take every setting from BRIDGE_* variables (no local defaults).")
    ] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the local bridge's state and start afresh.")] = False,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level", envvar="BRIDGE_LOG_LEVEL", help=f"{', '.join(LEVELS)}: info tells every flow step."
        ),
    ] = "info",
    log_json: Annotated[bool, typer.Option("--log-json", help="Log one JSON object per line.")] = False,
) -> None:
    """Serve the bridge: API and docs, engine and verifiers, on a local chain that survives restarts.

    On embedded defaults (no --from-env) the first start builds the demo registry, starts anvil and
    deploys the contracts and preset pools into HOME; later starts resume from there.
    """
    if log_level.lower() not in LEVELS:
        fail(f"{log_level!r} is not a log level; one of: {', '.join(LEVELS)}", field="log_level")
    configure_logging(log_level, json_lines=log_json)
    settings = _settings_from_env() if from_env else None
    if (settings is None or settings.environment == "local") and not _is_loopback(host):
        # a local bridge runs on demo keys anyone can derive: it must not be reachable from elsewhere
        fail(f"{host} is not a loopback address: a local bridge listens on this machine only", field="host")
    if not _port_is_free(host, port):
        fail(f"{host}:{port} is taken (another bridge running?); stop it or pick --port", field="port")
    if not from_env and not _port_is_free("127.0.0.1", chain_port):
        fail(f"127.0.0.1:{chain_port} is taken; stop what listens there or pick --chain-port", field="chain_port")
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even where a launcher started us with SIGINT ignored
    started = time.perf_counter()
    service: BridgeService | None = None
    served: ServedBridge | None = None
    try:
        local_home: LocalHome | None = None
        if settings is not None:
            with console.status("connecting the bridge (settings from BRIDGE_*)"):
                service = BridgeService.from_settings(settings)
            created = False
        else:
            local_home = LocalHome(home)
            if reset:
                local_home.reset()
            first = not local_home.is_initialized()
            doing = "first start: demo registry, anvil, contracts and pools" if first else "resuming"
            with console.status(f"{doing} ({home})"):
                service, created = local_home.open(chain_port=chain_port)
        served = ServedBridge(service, host=host, port=port, log_level=log_level.lower(), own_logging=True).start()
        state = "created" if created else "resumed"
        console.rule(f"carbon bridge {state} and serving ({time.perf_counter() - started:.1f}s)")
        console.print(next_steps(served, local_home), soft_wrap=True)  # no wrapping: command lines stay copyable
        console.rule()
        served.wait()
    except KeyboardInterrupt:
        console.print("stopping: API, engine, then the chain (state saved)")
    except CodedError as exc:
        report(exc)
    finally:
        if served is not None:
            served.stop()
        if service is not None:
            service.close()
    console.print("[green]stopped cleanly[/]")
