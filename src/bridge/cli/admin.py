"""`carbon-bridge admin`: the admin's changes to the bridge, through its timelock, signed with the admin's key.

``propose CHANGE [VALUES]`` schedules a change; ``execute CHANGE [VALUES]`` carries it out once the
timelock's delay has passed (the same change, word for word); ``status`` says where a proposal stands. The
changes: ``add-verifier ADDRESS``, ``remove-verifier ADDRESS``, ``set-threshold N``, ``set-mint-cap TONNES
SECONDS``, ``unpause``. The bridge, its timelock and the chain come from the running bridge (``GET
/v1/network``) unless given. The admin's key is read from its file (a local home's ``keys/admin.key`` by
default); the bridge's own processes never load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.contract.contract import ContractFunction

from bridge.chain.deploy import attach_bridge
from bridge.chain.governance import CHANGES, admin_change
from bridge.chain.timelock import TimelockAdmin
from bridge.chain.tx import TxSender
from bridge.cli._app import DEFAULT_URL, UrlOption, app, client, console, fail, report
from bridge.cli._chain import load_account
from bridge.cli._options import grouped
from bridge.errors import CodedError

admin_app = typer.Typer(
    no_args_is_help=True,
    help="Timelocked changes to the bridge (verifiers, threshold, mint cap, unpause), with the admin's key.",
)
app.add_typer(admin_app, name="admin")

ChangeArgument = Annotated[str, typer.Argument(help=f"The change: {', '.join(CHANGES)}.", show_default=False)]
ValuesArgument = Annotated[list[str] | None, typer.Argument(help="Its values (an address, a number...).")]
KeyFileOption = Annotated[
    Path,
    typer.Option("--admin-key-file", envvar="BRIDGE_ADMIN_KEY_FILE", help="The admin's key (timelock proposer)."),
]
RpcOption = Annotated[
    str | None, typer.Option("--rpc-url", envvar="BRIDGE_RPC_URL", help="The chain (default: the bridge's).")
]
TimelockOption = Annotated[
    str | None, typer.Option("--timelock", help="The admin timelock (default: the bridge's, from /v1/network).")
]
BridgeOption = Annotated[str | None, typer.Option("--bridge", help="The bridge contract (default: from /v1/network).")]
DEFAULT_KEY_FILE = Path(".bridge/keys/admin.key")


def _admin_key(path: Path) -> LocalAccount:
    try:
        key = path.read_text().strip()
    except OSError as exc:
        fail(f"{path} cannot be read ({exc.strerror})", field="admin_key_file")
    return load_account(key)


def _timelock(
    url: str, key_file: Path, rpc_url: str | None, bridge: str | None, timelock: str | None
) -> tuple[TimelockAdmin, Web3, str]:
    """The admin's timelock, with the admin's key to send; the chain and the bridge's address."""
    if rpc_url is None or bridge is None or timelock is None:
        with client(url) as api:
            network = api.network()
        rpc_url = rpc_url or network.rpc_url
        bridge = bridge or network.bridge
        if timelock is None:
            if len(network.admin) != 1:
                fail(f"the bridge has {len(network.admin)} admins; name the timelock (--timelock)", field="timelock")
            timelock = network.admin[0]
    if not rpc_url:
        fail("the bridge runs on an in-process chain without JSON-RPC; give --rpc-url", field="rpc_url")
    account = _admin_key(key_file)
    w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
    if not w3.is_connected():
        fail(f"no chain answers at {rpc_url}", field="rpc_url")
    deployment = attach_bridge(w3, bridge, timelock=timelock)
    assert deployment.timelock is not None
    return TimelockAdmin(deployment.timelock, TxSender(w3, account, deployment.decoder)), w3, bridge


def _call(w3: Web3, bridge: str, change: str, values: list[str] | None) -> ContractFunction:
    try:
        return admin_change(attach_bridge(w3, bridge).bridge, change, values or [])
    except CodedError as exc:
        report(exc)


def _when(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TimelockChange:
    """A change to the bridge through the admin's timelock, and where to reach them: what every ``admin``
    command is given."""

    change: ChangeArgument
    values: ValuesArgument = None
    url: UrlOption = DEFAULT_URL
    admin_key_file: KeyFileOption = DEFAULT_KEY_FILE
    rpc_url: RpcOption = None
    bridge: BridgeOption = None
    timelock: TimelockOption = None

    @property
    def shown(self) -> str:
        return " ".join([self.change, *(self.values or [])])

    def open(self) -> tuple[TimelockAdmin, ContractFunction]:
        """The admin's timelock and the bridge call the change makes."""
        admin, w3, address = _timelock(self.url, self.admin_key_file, self.rpc_url, self.bridge, self.timelock)
        return admin, _call(w3, address, self.change, self.values)


@admin_app.command()
@grouped
def propose(target: TimelockChange) -> None:
    """Schedule CHANGE in the timelock; it may be executed once the delay has passed."""
    admin, call = target.open()
    try:
        operation = admin.schedule(call)
        _state, ready_at = admin.state(call)
    except CodedError as exc:
        report(exc)
    console.print(
        f"proposed {target.shown} (operation 0x{operation.hex()}); it may execute from {_when(ready_at)}",
        soft_wrap=True,
    )
    console.print(f"then: carbon-bridge admin execute {target.shown}", highlight=False, soft_wrap=True)


@admin_app.command()
@grouped
def execute(target: TimelockChange) -> None:
    """Carry out a proposed CHANGE whose delay has passed (the same change and values as proposed)."""
    admin, call = target.open()
    state, ready_at = admin.state(call)
    if state != "ready":
        detail = {"unknown": "it was never proposed", "done": "it was executed already"}.get(
            state, f"its delay runs until {_when(ready_at)}"
        )
        fail(f"{target.shown} cannot execute now: {detail}", field="change", code=1)
    try:
        receipt = admin.execute(call)
    except CodedError as exc:
        report(exc)
    console.print(f"executed {target.shown} in block {receipt['blockNumber']}", soft_wrap=True)


@admin_app.command()
@grouped
def status(target: TimelockChange) -> None:
    """Where the proposal of CHANGE stands: unknown, waiting (until when), ready or done."""
    admin, call = target.open()
    state, ready_at = admin.state(call)
    console.print(f"{state}" + (f" (executable from {_when(ready_at)})" if ready_at else ""), soft_wrap=True)
