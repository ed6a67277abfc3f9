"""Any JSON-RPC node as the bridge's chain (a public network, a rollup, someone else's anvil), acting with
the configured keys. Unlike a development chain it mines on its own and has no snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from bridge.chain.errors import ChainError, ChainErrorCode


@dataclass
class RpcChain:
    """The node at ``url``; ``accounts`` are the keys the bridge sends with (operator first, then verifiers)."""

    url: str
    accounts: list[LocalAccount]
    _w3: Web3 | None = None
    _chain_id: int | None = None

    @property
    def w3(self) -> Web3:
        if self._w3 is None:
            self._w3 = Web3(HTTPProvider(self.url))
        return self._w3

    @property
    def chain_id(self) -> int:
        """Asked once: a node does not change chains."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def mine(self, blocks: int = 1) -> None:
        raise ChainError("this chain mines on its own", code=ChainErrorCode.NOT_A_DEV_CHAIN)

    def snapshot(self) -> int:
        raise ChainError("this chain has no snapshots", code=ChainErrorCode.NOT_A_DEV_CHAIN)

    def revert(self, snapshot_id: int) -> None:
        raise ChainError("this chain has no snapshots", code=ChainErrorCode.NOT_A_DEV_CHAIN)
