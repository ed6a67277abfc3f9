"""`carbon-bridge serve`: the whole bridge on one machine, resumable (what `make run` starts)."""

from __future__ import annotations

import signal
import time
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from bridge.cli._app import app, console, fail, report
from bridge.cli._logging import LogJsonOption, LogLevelOption, start_logging
from bridge.errors import CodedError
from bridge.heap import settle_heap
from bridge.local.home import (
    ADMIN_KEY,
    DEFAULT_CHAIN_PORT,
    DEFAULT_HOME,
    OPERATOR_KEY,
    TRUST_KEY,
    WALLET_KEY,
    LocalHome,
    fingerprint,
)
from bridge.local.serving import serving_home
from bridge.local.verifiers import COUNT as VERIFIER_COUNT
from bridge.ports import port_is_free
from bridge.primitives import is_loopback
from bridge.runtime import ServedBridge
from bridge.service import BridgeService
from bridge.settings import BridgeSettings

S = TypeVar("S", bound=BaseSettings)


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
        *_verifier_lines(service),
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
        admin = home.key_file(ADMIN_KEY)
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
            f"  the admin's key (timelock proposer and executor; never loaded by serve): {admin}",
            f"  used by: .venv/bin/carbon-bridge admin propose set-threshold 2 --admin-key-file {admin}",
            f"  each verifier's key, settings, memory and log: {home.path}/keys/verifier-N.key, {home.path}/verifiers/",
        ]
    lines.append("Ctrl-C stops cleanly; the next `make run` resumes where this one stopped.")
    return "\n".join(lines)


def _verifier_lines(service: BridgeService) -> list[str]:
    governance = service.governance()
    asked = "   ".join(url or address for address, url in governance.verifiers)
    return [
        f"[bold]verifiers[/] {asked}   ({governance.threshold} of {len(governance.verifiers)} sign each batch)",
        f"[bold]admin[/]    {', '.join(governance.admin)} (timelock, {governance.admin_delay_seconds} s)   "
        f"engine sends as {governance.engine}",
    ]


def settings_from_env(kind: type[S], prefix: str) -> S:
    """The settings the ``<prefix>*`` variables give; none assumed (the environment included): a missing or
    refused one stops the command naming its variable."""
    try:
        return kind()
    except ValidationError as exc:
        problem = exc.errors()[0]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not problem["loc"]:  # a check across settings: its message names the setting
            fail(message, field="settings")
        field = ".".join(str(part) for part in problem["loc"])
        variable = prefix + str(problem["loc"][0]).upper()
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
    verifier_port: Annotated[
        int | None,
        typer.Option(
            min=1, max=65535, help="The first local verifier's port (the others the next ones); default: --port + 1."
        ),
    ] = None,
    from_env: Annotated[
        bool, typer.Option("--from-env", help="Take every setting from BRIDGE_* variables (no local defaults).")
    ] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the local bridge's state and start afresh.")] = False,
    no_worker: Annotated[
        bool,
        typer.Option(
            "--no-worker",
            help="Serve the API only (with --from-env): `carbon-bridge worker` processes drive the flows.",
        ),
    ] = False,
    log_level: LogLevelOption = "info",
    log_json: LogJsonOption = False,
) -> None:
    """Serve the bridge: API and docs and the engine, on a local chain that survives restarts, with its
    verifiers as processes of their own.

    On embedded defaults (no --from-env) the first start builds the demo registry, draws the admin's and
    the verifiers' keys, starts anvil and deploys the timelock, the contracts and preset pools into HOME;
    later starts resume from there. With --from-env the engine asks the verifier services BRIDGE_VERIFIERS
    names.
    """
    start_logging(log_level, json_lines=log_json)
    settings = settings_from_env(BridgeSettings, "BRIDGE_") if from_env else None
    if no_worker and settings is None:
        fail("--no-worker needs --from-env: a local home runs its engine in this process", field="no_worker")
    if (settings is None or settings.environment == "local") and not is_loopback(host):
        # a local bridge runs on demo keys anyone can derive: it must not be reachable from elsewhere
        fail(f"{host} is not a loopback address: a local bridge listens on this machine only", field="host")
    if not port_is_free(host, port):
        fail(f"{host}:{port} is taken (another bridge running?); stop it or pick --port", field="port")
    if not from_env:  # a node or verifiers left running by a start that was killed: stop them first
        LocalHome(home).stop_orphans()
    if not from_env and not port_is_free("127.0.0.1", chain_port):
        fail(f"127.0.0.1:{chain_port} is taken; stop what listens there or pick --chain-port", field="chain_port")
    verifiers = range(verifier_port or port + 1, (verifier_port or port + 1) + VERIFIER_COUNT)
    if not from_env:
        for taken in (p for p in verifiers if not port_is_free("127.0.0.1", p)):
            fail(f"127.0.0.1:{taken} is taken; stop what listens there or pick --verifier-port", field="verifier_port")
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even where a launcher started us with SIGINT ignored
    started = time.perf_counter()
    with ExitStack() as running:
        try:
            local_home: LocalHome | None = None
            if settings is not None:
                with console.status("connecting the bridge (settings from BRIDGE_*)"):
                    service = BridgeService.from_settings(settings, worker=not no_worker)
                running.callback(service.close)
                served = ServedBridge(
                    service, host=host, port=port, log_level=log_level.lower(), own_logging=True, drive=not no_worker
                )
                running.callback(served.start().stop)
                created = False
            else:
                local_home = LocalHome(home)
                if reset:
                    local_home.reset()
                first = not local_home.is_initialized()
                doing = "first start: demo registry, anvil, contracts, pools" if first else "resuming"
                with console.status(f"{doing}, then the API, the engine and {VERIFIER_COUNT} verifiers ({home})"):
                    served_home = running.enter_context(
                        serving_home(
                            local_home,
                            port=port,
                            chain_port=chain_port,
                            verifier_ports=verifiers,
                            host=host,
                            log_level=log_level.lower(),
                            own_logging=True,
                        )
                    )
                served, created = served_home.served, served_home.created
            state = "created" if created else "resumed"
            console.rule(f"carbon bridge {state} and serving ({time.perf_counter() - started:.1f}s)")
            console.print(next_steps(served, local_home), soft_wrap=True)  # no wrapping: commands stay copyable
            console.rule()
            settle_heap()
            served.wait()
        except KeyboardInterrupt:
            console.print("stopping: API, engine, verifiers, then the chain (state saved)")
        except CodedError as exc:
            running.close()
            report(exc)
    console.print("[green]stopped cleanly[/]")
