"""Send transactions signed locally (works the same on the in-process EVM, anvil and any RPC node).

Signing raw transactions and keeping the nonce here avoids a round trip per transaction; a call that
would revert is caught at gas estimation and raised as ``ContractRevert`` with its custom error, so
bad input never reaches the chain.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from bridge.chain.compiler import ContractArtifact
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.reverts import ErrorDecoder

GAS_HEADROOM = 1.25


class TxSender:
    def __init__(self, w3: Web3, account: LocalAccount, decoder: ErrorDecoder) -> None:
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self._nonce: int | None = None
        self._chain_id = int(w3.eth.chain_id)

    @property
    def address(self) -> str:
        return str(self.account.address)

    def resync(self) -> None:
        """Forget the cached nonce (after a reorg, a revert to snapshot, or another sender's use)."""
        self._nonce = None

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = int(self.w3.eth.get_transaction_count(self.account.address, "pending"))
        return self._nonce

    def _fees(self) -> dict[str, int]:
        base = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        tip = 10**9
        return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}

    def _send(self, tx: dict[str, Any], *, gas: int | None, dry_run: bool = True) -> TxReceipt:
        tx = {"from": self.account.address, "chainId": self._chain_id, "value": 0, **self._fees(), **tx}
        if gas is None:
            estimate = self.decoder.call(lambda: self.w3.eth.estimate_gas(tx))  # type: ignore[arg-type]
            gas = int(estimate * GAS_HEADROOM)
        elif dry_run:
            # one dry run instead of estimation's binary search; it still names a revert's custom error
            self.decoder.call(lambda: self.w3.eth.call(tx))  # type: ignore[arg-type]
        tx["gas"] = gas
        tx["nonce"] = self._next_nonce()
        signed = self.account.sign_transaction(tx)
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception:
            self.resync()
            raise
        self._nonce = tx["nonce"] + 1
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            # Replay as a call at the same state to recover the custom error.
            call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
            self.decoder.call(lambda: self.w3.eth.call(call, receipt["blockNumber"] - 1))  # type: ignore[arg-type]
            raise ChainError(f"transaction {tx_hash.hex()} reverted", code=ChainErrorCode.CONTRACT_REVERTED)
        return receipt

    def transact(self, call: ContractFunction, *, gas: int | None = None, dry_run: bool = True) -> TxReceipt:
        """Send ``call``. With ``gas`` given, one dry run replaces gas estimation (much faster in py-evm);
        without the dry run a failing call is mined as a failure, then replayed to name its error."""
        tx = {"to": call.address, "data": call._encode_transaction_data()}
        return self._send(tx, gas=gas, dry_run=dry_run)

    def send_prepared(self, to: str, data: str, *, gas: int | None = None, dry_run: bool = True) -> TxReceipt:
        """Sign and send a transaction someone else prepared (e.g. the pools API's unsigned trades); see
        ``transact`` for ``gas`` and ``dry_run``."""
        return self._send({"to": to, "data": data}, gas=gas, dry_run=dry_run)

    def deploy(self, artifact: ContractArtifact, *args: Any, gas: int | None = None) -> Contract:
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        receipt = self._send({"data": data}, gas=gas)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
