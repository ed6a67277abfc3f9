"""Send transactions signed locally, and wait for them, on any chain (in-process EVM, anvil, a public node).

Sending and waiting are separate: ``send`` signs with the next nonce and EIP-1559 fees from the node
(``bridge.chain.fees``, within the chain policy's cap) and returns the transaction hash; ``wait(hash)``
polls for the receipt (at once, then less and less often). No lock is held while waiting: only choosing a
nonce and handing the transaction to the node are serialized, so the caller decides what waits for what.
``transact`` is both, for callers that want the receipt now.

A transaction that is not mined after ``replace_after_s`` is replaced: the same nonce, both fees raised by
``bump_percent`` (at least the 10% nodes require, and at least what the market asks now), up to
``max_replacements`` times and never past the fee cap. Whichever version lands first is the one mined:
``wait`` returns its receipt, whatever hash it was given. Sending another version once one has landed
fails with ``nonce too low`` (or ``already known`` for a duplicate): that is expected, not an error.

A call that would revert is caught before sending (gas estimation, or one dry run) and raised as
``ContractRevert`` with its custom error, so bad input never reaches the chain; a mined failure is replayed
as a call to name its error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import MethodUnavailable, TransactionNotFound
from web3.types import TxReceipt

from bridge.chain import node_errors
from bridge.chain.compiler import ContractArtifact
from bridge.chain.errors import ChainError, ChainErrorCode
from bridge.chain.fees import Fees, replacement_fees, suggest_fees
from bridge.chain.policy import ChainPolicy
from bridge.chain.reverts import ErrorDecoder

GAS_HEADROOM = 1.25
FEE_REFRESH_S = 1.0  # fees suggested for one transaction serve the next ones sent within this long
log = logging.getLogger(__name__)


def _hex(value: bytes | str) -> str:
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


@dataclass
class SentTx:
    """One transaction in flight: every version sent with its nonce (the first, then replacements)."""

    nonce: int
    tx: dict[str, Any]  # the transaction without its fees
    fees: Fees
    hashes: list[str]
    last_sent: float
    replacements: int = 0
    nonce_taken: bool = False  # the node said the nonce is spent (maybe not by a version we sent)


class TxSender:
    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        decoder: ErrorDecoder,
        policy: ChainPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self.policy = policy or ChainPolicy()
        self._clock = clock
        self._sleep = sleep
        self._nonce: int | None = None
        self._chain_id = int(w3.eth.chain_id)
        self._sending = threading.Lock()  # held only while choosing a nonce and handing a transaction over
        self._in_flight: dict[int, SentTx] = {}  # by nonce
        self._nonce_of: dict[str, int] = {}  # hash of every version sent -> its nonce
        self._fees: tuple[float, Fees] | None = None

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

    def fees(self, *, fresh: bool = False) -> Fees:
        """What a transaction sent now offers per gas (``fresh``: asked of the node now)."""
        now = self._clock()
        if fresh or self._fees is None or now - self._fees[0] > FEE_REFRESH_S:
            self._fees = (now, suggest_fees(self.w3, self.policy))
        return self._fees[1]

    # --- sending -------------------------------------------------------------------------------

    def send(self, tx: dict[str, Any], *, gas: int | None = None, dry_run: bool = True) -> str:
        """Sign ``tx`` with the next nonce and current fees and hand it to the node; its hash. With ``gas``
        given, one dry run replaces gas estimation (much faster in py-evm); without the dry run a failing
        call is mined as a failure (``wait`` names its error)."""
        fees = self.fees()
        tx = {"from": self.account.address, "chainId": self._chain_id, "value": 0, **tx}
        priced = {**tx, **fees.fields()}
        if gas is None:
            # on the pending state: a transaction another process sent that no block holds yet counts (a
            # worker taking over a killed one's step does not send what that one already sent)
            estimate = self.decoder.call(lambda: self._estimate_pending(priced))
            gas = int(estimate * GAS_HEADROOM)
        elif dry_run:
            # one dry run instead of estimation's binary search; it still names a revert's custom error
            self.decoder.call(lambda: self.w3.eth.call(priced, "pending"))  # type: ignore[arg-type]
        tx["gas"] = gas
        with self._sending:
            nonce = self._next_nonce()
            try:
                tx_hash = self._broadcast(tx, fees, nonce)
            except Exception as exc:
                self.resync()
                if not node_errors.nonce_too_low(exc):
                    raise
                nonce = self._next_nonce()  # the cached nonce was stale (another sender used the key)
                tx_hash = self._broadcast(tx, fees, nonce)
            self._nonce = nonce + 1
            self._in_flight[nonce] = SentTx(nonce=nonce, tx=tx, fees=fees, hashes=[tx_hash], last_sent=self._clock())
            self._nonce_of[tx_hash] = nonce
        return tx_hash

    def _estimate_pending(self, tx: dict[str, Any]) -> int:
        try:
            return int(self.w3.eth.estimate_gas(tx, "pending"))  # type: ignore[arg-type]
        except MethodUnavailable:  # the in-process EVM estimates on its newest block only
            return int(self.w3.eth.estimate_gas(tx))  # type: ignore[arg-type]

    def _broadcast(self, tx: dict[str, Any], fees: Fees, nonce: int) -> str:
        signed = self.account.sign_transaction({**tx, **fees.fields(), "nonce": nonce})
        return _hex(self.w3.eth.send_raw_transaction(signed.raw_transaction))

    # --- waiting -------------------------------------------------------------------------------

    def wait(self, tx_hash: str | bytes, *, timeout: float | None = None) -> TxReceipt:
        """The receipt of ``tx_hash``, or of whichever replacement of it was mined; raises the decoded error
        of a mined failure, ``tx_not_mined`` after ``timeout`` seconds (default: the policy's), and
        ``tx_dropped`` when it will never be mined."""
        tx_hash = _hex(tx_hash)
        limit = self.policy.receipt_timeout_s if timeout is None else timeout
        started = self._clock()
        sent = self._tracked(tx_hash)
        looked_up = sent is not None
        interval = self.policy.poll_min_s
        while True:
            for candidate in reversed(sent.hashes) if sent else [tx_hash]:
                receipt = self._receipt(candidate)
                if receipt is not None:
                    return self._mined(receipt, sent)
            now = self._clock()
            if not looked_up:  # not sent by this sender (an earlier process?): replaceable if it is ours
                sent, looked_up = self._adopt(tx_hash), True
            if sent is not None and self._due_for_replacement(sent, now):
                self._replace(sent)
                interval = self.policy.poll_min_s
                continue
            if now - (sent.last_sent if sent else started) >= self.policy.replace_after_s:
                self._check_alive(tx_hash, sent)
            if now - started >= limit:
                raise ChainError(
                    f"transaction {tx_hash} was not mined within {limit:g}s; it may still be: wait again",
                    code=ChainErrorCode.TX_NOT_MINED,
                )
            self._sleep(min(interval, max(started + limit - now, 0.0)))
            interval = min(interval * 2, self.policy.poll_max_s)

    def _check_alive(self, tx_hash: str, sent: SentTx | None) -> None:
        """Raise ``tx_dropped`` for a transaction that can no longer be mined: its nonce went to another
        transaction, or (one this sender cannot replace) the node forgot it."""
        if sent is not None and sent.nonce_taken:
            self._forget(sent)
            raise ChainError(
                f"nonce {sent.nonce} of {self.address} went to a transaction other than {tx_hash} and its "
                "replacements: it will not be mined",
                code=ChainErrorCode.TX_DROPPED,
            )
        if sent is None and self._node_has(tx_hash) is False:
            raise ChainError(
                f"the node knows no transaction {tx_hash} and has no receipt of it: it will not be mined",
                code=ChainErrorCode.TX_DROPPED,
            )

    def _node_has(self, tx_hash: str) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return False
        return True

    def _receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def _tracked(self, tx_hash: str) -> SentTx | None:
        nonce = self._nonce_of.get(tx_hash)
        return None if nonce is None else self._in_flight.get(nonce)

    def _adopt(self, tx_hash: str) -> SentTx | None:
        """A transaction of this key sent before (by an earlier process, say) as the node has it, to replace it
        when it is stuck; None if the node does not know it, or it is not ours to replace."""
        try:
            found = self.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None
        if str(found["from"]).lower() != self.address.lower() or found.get("maxFeePerGas") is None:
            return None
        tx = {"from": self.address, "chainId": self._chain_id, "value": int(found["value"]), "gas": int(found["gas"])}
        tx["data"] = _hex(HexBytes(found["input"]))
        if found.get("to"):
            tx["to"] = found["to"]
        sent = SentTx(
            nonce=int(found["nonce"]),
            tx=tx,
            fees=Fees(max_fee=int(found["maxFeePerGas"]), tip=int(found["maxPriorityFeePerGas"])),
            hashes=[tx_hash],
            last_sent=self._clock(),
        )
        with self._sending:
            sent = self._in_flight.setdefault(sent.nonce, sent)
            self._nonce_of[tx_hash] = sent.nonce
        return sent

    def _due_for_replacement(self, sent: SentTx, now: float) -> bool:
        return (
            not sent.nonce_taken
            and sent.replacements < self.policy.max_replacements
            and now - sent.last_sent >= self.policy.replace_after_s
        )

    def _replace(self, sent: SentTx) -> None:
        """Send ``sent`` again with the same nonce and higher fees (a version may land meanwhile: fine)."""
        sent.replacements += 1
        sent.last_sent = self._clock()
        try:
            market: Fees | None = self.fees(fresh=True)
        except ChainError:
            market = None  # the base fee passed the cap: a bump alone may still fit under it
        fees = replacement_fees(sent.fees, market, self.policy)
        if fees is None:
            sent.replacements = self.policy.max_replacements  # any further bump passes the cap as well
            log.warning("transaction %s (nonce %s): not replaced, the fee cap is reached", sent.hashes[0], sent.nonce)
            return
        try:
            with self._sending:
                tx_hash = self._broadcast(sent.tx, fees, sent.nonce)
        except Exception as exc:
            if node_errors.nonce_too_low(exc):
                sent.nonce_taken = True  # a version landed (its receipt shows up next poll) or someone else's
            elif not node_errors.already_known(exc):
                log.warning("replacement of %s (nonce %s) refused: %s", sent.hashes[0], sent.nonce, exc)
            return
        log.info(
            "transaction %s (nonce %s) not mined after %.0fs: replaced by %s at %s wei max fee, %s wei tip",
            sent.hashes[0],
            sent.nonce,
            self.policy.replace_after_s,
            tx_hash,
            fees.max_fee,
            fees.tip,
        )
        with self._sending:
            sent.hashes.append(tx_hash)
            sent.fees = fees
            self._nonce_of[tx_hash] = sent.nonce

    def _forget(self, sent: SentTx) -> None:
        with self._sending:
            self._in_flight.pop(sent.nonce, None)
            for tx_hash in sent.hashes:
                self._nonce_of.pop(tx_hash, None)

    def _mined(self, receipt: TxReceipt, sent: SentTx | None) -> TxReceipt:
        if sent is not None:
            self._forget(sent)
        if receipt["status"] != 1:
            # Replay as a call at the same state to recover the custom error.
            mined = self.w3.eth.get_transaction(receipt["transactionHash"])
            call = {"from": mined["from"], "to": mined.get("to"), "data": mined["input"], "value": mined["value"]}
            self.decoder.call(lambda: self.w3.eth.call(call, receipt["blockNumber"] - 1))  # type: ignore[arg-type]
            raise ChainError(
                f"transaction {_hex(receipt['transactionHash'])} reverted", code=ChainErrorCode.CONTRACT_REVERTED
            )
        return receipt

    # --- both ----------------------------------------------------------------------------------

    def transact(self, call: ContractFunction, *, gas: int | None = None, dry_run: bool = True) -> TxReceipt:
        """Send ``call`` and wait for its receipt (see ``send`` for ``gas`` and ``dry_run``)."""
        tx = {"to": call.address, "data": call._encode_transaction_data()}
        return self.wait(self.send(tx, gas=gas, dry_run=dry_run))

    def send_prepared(self, to: str, data: str, *, gas: int | None = None, dry_run: bool = True) -> TxReceipt:
        """Sign and send a transaction someone else prepared (e.g. the pools API's unsigned trades) and wait
        for its receipt; see ``send`` for ``gas`` and ``dry_run``."""
        return self.wait(self.send({"to": to, "data": data}, gas=gas, dry_run=dry_run))

    def deploy(self, artifact: ContractArtifact, *args: Any, gas: int | None = None) -> Contract:
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        receipt = self.wait(self.send({"data": data}, gas=gas))
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
