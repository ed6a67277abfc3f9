"""A wallet for CLI commands that act on-chain: the holder's own key signs, the bridge never sees it.

The chain and the bridge contract come from the running bridge (``GET /v1/network``) unless given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from bridge.api.schemas import NetworkInfo
from bridge.chain.deploy import BridgeDeployment, attach_bridge
from bridge.chain.tx import TxSender
from bridge.cli._app import ChainKeyOption, JsonOption, UrlOption, client, fail

RpcUrlOption = Annotated[
    str | None,
    typer.Option("--rpc-url", envvar="BRIDGE_RPC_URL", help="Chain JSON-RPC (default: the bridge's own)."),
]


@dataclass(frozen=True)
class Signer:
    """The options of every command that signs on-chain with the holder's key: the bridge (its chain and
    contract), the key, the chain's JSON-RPC when not the bridge's, and how the result is printed."""

    url: UrlOption = "http://127.0.0.1:8000"
    key: ChainKeyOption = None
    rpc_url: RpcUrlOption = None
    as_json: JsonOption = False

    def wallet(self) -> Wallet:
        return open_wallet(self.url, self.key, rpc_url=self.rpc_url)


@dataclass(frozen=True)
class Wallet:
    """A signing account on the bridge's chain, with the deployed bridge attached."""

    account: LocalAccount
    w3: Web3
    deployment: BridgeDeployment
    sender: TxSender
    network: NetworkInfo


def load_account(key: str | None) -> LocalAccount:
    if not key:
        fail("a private key is needed to sign (--key or BRIDGE_KEY)", field="key")
    try:
        return Account.from_key(key)
    except (ValueError, TypeError) as exc:
        fail(f"not a private key ({exc})", field="key")


def open_wallet(url: str, key: str | None, *, rpc_url: str | None = None) -> Wallet:
    """The wallet of ``key`` on the chain of the bridge at ``url`` (its RPC, or ``rpc_url`` when given)."""
    account = load_account(key)
    with client(url) as bridge_api:
        network = bridge_api.network()
    rpc = rpc_url or network.rpc_url
    if not rpc:
        fail("the bridge runs on an in-process chain without JSON-RPC; give --rpc-url", field="rpc_url")
    w3 = Web3(HTTPProvider(rpc, request_kwargs={"timeout": 30}))
    if not w3.is_connected():
        fail(f"no chain answers at {rpc}", field="rpc_url")
    deployment = attach_bridge(w3, network.bridge)
    return Wallet(account, w3, deployment, TxSender(w3, account, deployment.decoder), network)
