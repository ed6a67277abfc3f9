"""Chain backends: the in-process EVM (eth-tester + py-evm) and any JSON-RPC node (anvil, a public network).

Everything above this module talks to a ``web3.Web3``; only tests and the local tools need the extra
controls of ``InProcessChain`` (funded keys, snapshots, mining).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from bridge.chain.errors import ChainError, ChainErrorCode

# The fork the gas targets in DESIGN.md were measured on; solc's evmVersion is pinned to match.
DEFAULT_FORK = "cancun"


def _vm_class(fork: str) -> type:
    from eth.vm.forks import CancunVM, PragueVM, ShanghaiVM

    forks: dict[str, type] = {"shanghai": ShanghaiVM, "cancun": CancunVM, "prague": PragueVM}
    try:
        return forks[fork.lower()]
    except KeyError:
        raise ChainError(
            f"unknown fork {fork!r}; choose one of {', '.join(forks)}",
            code=ChainErrorCode.INVALID_CHAIN_CONFIG,
            field="fork",
        ) from None


@dataclass
class InProcessChain:
    """A fresh py-evm chain in this process, with ten funded accounts whose keys are known."""

    fork: str = DEFAULT_FORK
    w3: Web3 = field(init=False)
    tester: Any = field(init=False)
    accounts: list[LocalAccount] = field(init=False)

    def __post_init__(self) -> None:
        from eth_tester import EthereumTester, PyEVMBackend
        from web3.providers.eth_tester import EthereumTesterProvider

        backend = PyEVMBackend(vm_configuration=((0, _vm_class(self.fork)),))
        self.tester = EthereumTester(backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts = [Account.from_key(key.to_bytes()) for key in backend.account_keys]

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def snapshot(self) -> int:
        return int(self.tester.take_snapshot())

    def revert(self, snapshot_id: int) -> None:
        self.tester.revert_to_snapshot(snapshot_id)

    def mine(self, blocks: int = 1) -> None:
        self.tester.mine_blocks(blocks)

    def time_travel(self, seconds: int) -> None:
        """Move the next block's timestamp forward (for deadline tests)."""
        latest = self.w3.eth.get_block("latest")["timestamp"]
        self.tester.time_travel(int(latest) + seconds)


def connect_rpc(url: str, *, timeout: float = 30.0) -> Web3:
    """A ``Web3`` on a JSON-RPC endpoint (anvil, a node, a provider), checked to be reachable."""
    if not url.startswith(("http://", "https://")):
        raise ChainError(
            f"chain URL {url!r} must start with http:// or https://",
            code=ChainErrorCode.INVALID_CHAIN_CONFIG,
            field="chain_url",
        )
    w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
    try:
        w3.eth.chain_id  # noqa: B018 - a cheap round trip proves the node answers
    except Exception as exc:
        raise ChainError(f"cannot reach the chain at {url}: {exc}", code=ChainErrorCode.CHAIN_UNAVAILABLE) from exc
    return w3
