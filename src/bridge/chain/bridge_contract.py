"""The bridge contract as the engine sees it: typed calls, transactions, and events at a depth.

Events are read only up to ``head - confirmations``; every event carries the hash of the block it
was seen in, so a later step can check that the chain still shows it before acting on it. The newest
head read is kept (``last_head``) for whoever must answer without calling the chain (``/health``).
Inside ``one_round()`` the head is read once: every step of an engine round sees the same head, at the
cost of one call. Logs are read through a ``LogScanner`` (pieces the node will serve).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eth_utils import event_abi_to_log_topic, to_checksum_address
from hexbytes import HexBytes
from web3.types import TxReceipt

from bridge.chain.attestation import Attestation, CreditClass
from bridge.chain.deploy import BridgeDeployment
from bridge.chain.logs import LogScanner
from bridge.chain.tx import TxSender

MINT_GAS_BASE = 100_000
MINT_GAS_PER_ATTESTATION = 400_000  # a new class costs ~270k, an existing one ~135k
REDEMPTION_STATUS = {0: "none", 1: "pending", 2: "finalized", 3: "cancelled"}
BATCH_STATUS = {0: "none", 1: "active", 2: "released"}


@dataclass(frozen=True)
class ChainEvent:
    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    address: str = ""


def _hex(value: bytes | HexBytes | str) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


class BridgeChain:
    def __init__(self, deployment: BridgeDeployment, sender: TxSender, *, confirmations: int = 2) -> None:
        self.deployment = deployment
        self.sender = sender
        self.confirmations = confirmations
        self.w3 = deployment.w3
        self.bridge = deployment.bridge
        self._predicted: dict[str, str] = {}
        self.last_head = -1  # the newest head read: written by one thread, read by any (an int: atomic)
        self.scanner = LogScanner(self.w3, sender.policy.log_max_span)
        self._round: tuple[int, int | None] | None = None  # (thread in a round, the head it read)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    # --- reads ---------------------------------------------------------------------------------

    @contextmanager
    def one_round(self) -> Iterator[None]:
        """Within it, this thread reads the head once (the first ``head()``) and sees that one after."""
        self._round = (threading.get_ident(), None)
        try:
            yield
        finally:
            self._round = None

    def head(self) -> int:
        current = self._round
        in_round = current is not None and current[0] == threading.get_ident()
        if in_round and current is not None and current[1] is not None:
            return current[1]
        self.last_head = int(self.w3.eth.block_number)
        if in_round:
            self._round = (threading.get_ident(), self.last_head)
        return self.last_head

    def safe_head(self) -> int:
        """The newest block deep enough to act on."""
        return self.head() - self.confirmations

    def block_hash(self, number: int) -> str | None:
        try:
            block = self.w3.eth.get_block(number)
        except Exception:
            return None
        return _hex(block["hash"])

    def is_canonical(self, block_number: int, block_hash: str) -> bool:
        return self.block_hash(block_number) == block_hash

    def is_confirmed(self, block_number: int, block_hash: str) -> bool:
        return self.is_canonical(block_number, block_hash) and block_number <= self.safe_head()

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except Exception:
            return None

    def predict_token(self, credit_class: CreditClass) -> str:
        """The class token's address (deterministic: remembered once asked)."""
        key = credit_class.model_dump_json()
        if key not in self._predicted:
            self._predicted[key] = str(self.bridge.functions.predictClassToken(credit_class.as_tuple()).call())
        return self._predicted[key]

    def is_nonce_used(self, nonce: int) -> bool:
        return bool(self.bridge.functions.isNonceUsed(nonce).call())

    def batch(self, batch_key: str) -> tuple[str, int, str]:
        token, remaining, status = self.bridge.functions.batch(HexBytes(batch_key)).call()
        return str(token), int(remaining), BATCH_STATUS[int(status)]

    def redemption_status(self, redemption_id: int) -> str:
        return REDEMPTION_STATUS[int(self.bridge.functions.redemption(redemption_id).call()[3])]

    def is_settlement_recorded(self, settlement_id: bytes) -> bool:
        return bool(self.bridge.functions.isSettlementRecorded(settlement_id).call())

    def class_token(self, class_id: str) -> str | None:
        address = str(self.bridge.functions.classToken(HexBytes(class_id)).call())
        return None if int(address, 16) == 0 else address

    def total_supply(self, token: str) -> int:
        return int(self.deployment.token_at(token).functions.totalSupply().call())

    def escrowed(self, class_id: str) -> int:
        return int(self.bridge.functions.escrowed(HexBytes(class_id)).call())

    def retired_unsettled(self, class_id: str) -> int:
        return int(self.bridge.functions.retiredUnsettled(HexBytes(class_id)).call())

    def class_reserve(self, class_id: str) -> int:
        return int(self.bridge.functions.classReserve(HexBytes(class_id)).call())

    def is_verifier(self, address: str) -> bool:
        return bool(self.bridge.functions.isVerifier(address).call())

    def paused(self) -> bool:
        return bool(self.bridge.functions.paused().call())

    # --- transactions --------------------------------------------------------------------------

    def mint_batch(self, attestations: list[Attestation], signatures: list[list[bytes]]) -> TxReceipt:
        call = self.bridge.functions.mintBatch([a.as_tuple() for a in attestations], signatures)
        # A generous fixed budget (unused gas is not charged) saves estimating a large batch, and the engine's
        # attestations rarely fail, so no dry run either: a failure is replayed to name its error.
        gas = MINT_GAS_BASE + MINT_GAS_PER_ATTESTATION * len(attestations)
        return self.sender.transact(call, gas=gas, dry_run=False)

    def finalize_redemption(
        self, redemption_id: int, batch_keys: list[str], tonnes: list[int], released_serials: str
    ) -> TxReceipt:
        call = self.bridge.functions.finalizeRedemption(
            redemption_id, [HexBytes(k) for k in batch_keys], tonnes, released_serials
        )
        return self.sender.transact(call)

    def cancel_redemption(self, redemption_id: int, reason: str) -> TxReceipt:
        return self.sender.transact(self.bridge.functions.cancelRedemption(redemption_id, reason))

    def settle_retirements(
        self, settlement_id: bytes, class_id: str, batch_keys: list[str], tonnes: list[int], registry_retirement: str
    ) -> TxReceipt:
        call = self.bridge.functions.settleRetirements(
            settlement_id, HexBytes(class_id), [HexBytes(k) for k in batch_keys], tonnes, registry_retirement
        )
        return self.sender.transact(call)

    def pause(self) -> TxReceipt:
        return self.sender.transact(self.bridge.functions.pause())

    # --- events --------------------------------------------------------------------------------

    def all_logs(self, from_block: int, to_block: int, tokens: list[str]) -> list[ChainEvent]:
        """Every event of the bridge contract, and the ``Transfer`` events of ``tokens`` (class tokens), in
        the blocks ``from_block..to_block``, in chain order. Arguments as web3 decodes them."""
        if to_block < from_block:
            return []
        bridge_logs = self.scanner.get_logs({"address": self.bridge.address}, from_block, to_block)
        found = self._decoded(self.bridge, bridge_logs)
        if tokens:
            token = self.deployment.token_at(tokens[0])
            # a 0x-hex topic: eth-tester matches no log on a HexBytes one
            transfer = "0x" + event_abi_to_log_topic(token.events.Transfer().abi).hex()
            logs = self.scanner.get_logs({"address": tokens, "topics": [transfer]}, from_block, to_block)
            found += self._decoded(token, logs)
        return sorted(found, key=lambda e: (e.block_number, e.log_index))

    @staticmethod
    def _decoded(contract: Any, logs: Any) -> list[ChainEvent]:
        by_topic = {
            bytes(event_abi_to_log_topic(abi)): abi["name"] for abi in contract.abi if abi.get("type") == "event"
        }
        decoded = []
        for log in logs:
            name = by_topic.get(bytes(log["topics"][0])) if log["topics"] else None
            if name is None:
                continue  # not an event of this ABI
            data = getattr(contract.events, name)().process_log(log)
            decoded.append(
                ChainEvent(
                    name=name,
                    args=dict(data["args"]),
                    block_number=int(log["blockNumber"]),
                    block_hash=_hex(log["blockHash"]),
                    tx_hash=_hex(log["transactionHash"]),
                    log_index=int(log["logIndex"]),
                    address=to_checksum_address(log["address"]),
                )
            )
        return decoded

    def events(self, name: str, from_block: int, to_block: int) -> list[ChainEvent]:
        if to_block < from_block:
            return []
        event = getattr(self.bridge.events, name)()
        topic = "0x" + event_abi_to_log_topic(event.abi).hex()
        found = self.scanner.get_logs({"address": self.bridge.address, "topics": [topic]}, from_block, to_block)
        logs = [event.process_log(entry) for entry in found]
        return [
            ChainEvent(
                name=name,
                args={k: (to_checksum_address(v) if k in ("holder", "retiree") else v) for k, v in log["args"].items()},
                block_number=int(log["blockNumber"]),
                block_hash=_hex(log["blockHash"]),
                tx_hash=_hex(log["transactionHash"]),
                log_index=int(log["logIndex"]),
            )
            for log in logs
        ]
