"""The bridge contract as the engine sees it: typed calls, transactions, and events at a depth.

Events are read only up to ``head - confirmations``; every event carries the hash of the block it
was seen in, so a later step can check that the chain still shows it before acting on it. The newest
head read is kept (``last_head``) for whoever must answer without calling the chain (``/health``).
Inside ``one_round()`` the head is read once: every step of an engine round sees the same head, at the
cost of one call. Logs are read through a ``LogScanner`` (pieces the node will serve).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from eth_utils import event_abi_to_log_topic, to_checksum_address
from hexbytes import HexBytes
from web3.types import TxReceipt

from bridge.chain.attestation import CreditClass
from bridge.chain.deploy import BridgeDeployment
from bridge.chain.errors import ChainError, ContractRevert
from bridge.chain.lock_batch import MintLocksArgs
from bridge.chain.log_decoder import EventDecoder, decoders_by_topic
from bridge.chain.logs import LogScanner
from bridge.chain.tx import TxSender
from bridge.primitives import checksummed

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

    @classmethod
    def of(cls, log: Mapping[str, Any], name: str, args: Mapping[str, Any], *, address: str = "") -> ChainEvent:
        """Event ``name`` with ``args``, where ``log`` (as the node or web3 gives it) places it in the chain."""
        return cls(
            name=name,
            args=dict(args),
            block_number=int(log["blockNumber"]),
            block_hash=_hex(log["blockHash"]),
            tx_hash=_hex(log["transactionHash"]),
            log_index=int(log["logIndex"]),
            address=address,
        )


def _hex(value: bytes | HexBytes | str) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def _quantity(value: int | str | None) -> int | None:
    """A JSON-RPC quantity (``0x1a``; a node in process may answer an int)."""
    if value is None:
        return None
    return value if isinstance(value, int) else int(value, 16)


class Rollback(Protocol):
    """A chain this process alone drives, which can take back what it just did (the in-process EVM)."""

    def snapshot(self) -> int: ...

    def revert(self, snapshot_id: int) -> None: ...


class BridgeChain:
    def __init__(
        self,
        deployment: BridgeDeployment,
        sender: TxSender,
        *,
        confirmations: int = 2,
        rollback: Rollback | None = None,
    ) -> None:
        self.deployment = deployment
        self.rollback = rollback
        self._kept_mint: tuple[bytes, TxReceipt] | None = None  # a passing dry run kept as the mint (rollback)
        self.sender = sender
        self.confirmations = confirmations
        self.w3 = deployment.w3
        self.bridge = deployment.bridge
        self._predicted: dict[str, str] = {}
        self._event_decoders: dict[str, dict[bytes, EventDecoder]] = {}  # contract -> event topic -> decoder
        self._wei_per_unit: dict[str, int] = {}  # class id -> its unit's wei: fixed once the class exists
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

    def block_gas_limit(self) -> int:
        """The gas one block holds now (the newest block's limit): no transaction may budget more."""
        return int(self.w3.eth.get_block("latest")["gasLimit"])

    def latest_timestamp(self) -> int:
        """The newest block's timestamp: the clock the contract checks deadlines against."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

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

    def mined_in(self, tx_hash: str) -> int | None:
        """The block a transaction succeeded in, or None (not mined, failed, or gone in a reorganization); a node
        that cannot be asked raises ``chain_unavailable``. The receipt is read raw: web3 would format each of a
        batch mint's hundreds of logs, unused here."""
        try:
            answer = self.w3.provider.make_request("eth_getTransactionReceipt", [tx_hash])  # type: ignore[arg-type]
        except Exception as exc:  # the node cannot be asked: that says nothing of the mint, so not None
            raise ChainError(f"the receipt of {tx_hash} cannot be read: {exc}") from exc
        if not isinstance(answer, dict) or "error" in answer:
            raise ChainError(f"the node refused to answer the receipt of {tx_hash}: {answer}")
        receipt = answer.get("result")
        if not receipt:
            return None
        # JSON-RPC spells it blockNumber (0x-hex); eth-tester's provider answers block_number (an int)
        block = _quantity(receipt.get("blockNumber", receipt.get("block_number")))
        return block if _quantity(receipt.get("status")) == 1 else None

    def predict_token(self, credit_class: CreditClass) -> str:
        """The class token's address (deterministic: remembered once asked)."""
        key = credit_class.model_dump_json()
        if key not in self._predicted:
            self._predicted[key] = str(self.bridge.functions.predictClassToken(credit_class.as_tuple()).call())
        return self._predicted[key]

    def is_lock_used(self, registry: str, lock_id: int) -> bool:
        """Whether registry lock ``lock_id`` of ``registry`` was bridged (by anyone, ever)."""
        return bool(self.bridge.functions.isLockUsed(registry, lock_id).call())

    def verifier_set(self) -> tuple[list[str], int]:
        """The verifiers the contract counts now (checksummed) and its threshold."""
        verifiers = [to_checksum_address(v) for v in self.bridge.functions.verifiers().call()]
        return verifiers, int(self.bridge.functions.threshold().call())

    def role_holders(self, role: str, from_block: int = 0) -> list[str]:
        """Who holds the bridge's role named ``role`` (e.g. "DEFAULT_ADMIN_ROLE") now: granted, not revoked
        since (from the ``RoleGranted``/``RoleRevoked`` events from ``from_block`` on), checked on-chain."""
        role_id = getattr(self.bridge.functions, role)().call()
        head = self.head()
        granted = self.bridge.events.RoleGranted().get_logs(
            from_block=from_block, to_block=head, argument_filters={"role": role_id}
        )
        candidates = dict.fromkeys(to_checksum_address(log["args"]["account"]) for log in granted)
        return [a for a in candidates if self.bridge.functions.hasRole(role_id, a).call()]

    def lock_bridged(self, registry: str, lock_id: int, from_block: int) -> ChainEvent | None:
        """The ``BatchBridged`` event that bridged lock ``lock_id`` of ``registry`` (its lock id is an indexed
        topic), or None when the chain shows none from ``from_block`` on."""
        head = self.head()
        if head < from_block:
            return None
        logs = self.bridge.events.BatchBridged().get_logs(
            from_block=from_block, to_block=head, argument_filters={"lockId": lock_id}
        )
        for log in logs:
            if log["args"]["registry"] == registry and int(log["args"]["lockId"]) == lock_id:
                return ChainEvent.of(log, "BatchBridged", log["args"])
        return None

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

    def wei_per_unit(self, class_id: str) -> int:
        """Token wei per registry unit of the class (10**18 for tonnes, 10**15 for kilograms); 0 for a class the
        chain does not have. A class id fixes the class's unit, so a known answer is asked once."""
        known = self._wei_per_unit.get(class_id)
        if known is None:
            known = int(self.bridge.functions.weiPerUnit(HexBytes(class_id)).call())
            if known:
                self._wei_per_unit[class_id] = known
        return known

    def is_verifier(self, address: str) -> bool:
        return bool(self.bridge.functions.isVerifier(address).call())

    def paused(self) -> bool:
        return bool(self.bridge.functions.paused().call())

    # --- transactions --------------------------------------------------------------------------

    def dry_run_mint(self, args: MintLocksArgs) -> ContractRevert | None:
        """What ``mintLocks(args)`` would do if sent now by the engine's key: None (it would pass), or the
        contract's refusal, named. Costs nothing: an ``eth_call``, on the pending state: a mint another worker
        sent just before it was killed, not yet in a block, already makes its locks used there, so it is not
        sent twice (a second one would revert)."""
        self._kept_mint = None
        if self.rollback is not None:
            return self._mint_unless_refused(args)
        call = {"from": self.sender.address, "to": self.bridge.address, "data": "0x" + args.calldata().hex()}
        try:
            self.deployment.decoder.call(lambda: self.w3.eth.call(call, "pending"))  # type: ignore[arg-type]
        except ContractRevert as refusal:
            return refusal
        return None

    def _mint_unless_refused(self, args: MintLocksArgs) -> ContractRevert | None:
        """The dry run on a chain with ``rollback`` (the in-process EVM, driven by this process alone): the
        mint itself, taken back if it fails, so a failing mint is still never kept and a passing one is
        executed once, not twice (py-evm takes ~4 ms per lock of a batch). ``mint_locks(args)`` then answers
        with the kept receipt."""
        assert self.rollback is not None
        calldata = args.calldata()
        snapshot = self.rollback.snapshot()
        try:
            receipt = self.sender.send_prepared(
                str(self.bridge.address), "0x" + calldata.hex(), gas=args.gas_budget(), dry_run=False
            )
        except ContractRevert as refusal:  # replayed at the state it failed on: the contract's own error
            self._take_back(snapshot)
            return refusal
        except ChainError:  # failed without a custom error (out of gas...): the plain dry run says what now
            self._take_back(snapshot)
            call = {"from": self.sender.address, "to": self.bridge.address, "data": "0x" + calldata.hex()}
            try:
                self.deployment.decoder.call(lambda: self.w3.eth.call(call))  # type: ignore[arg-type]
            except ContractRevert as refusal:
                return refusal
            return None
        self._kept_mint = (calldata, receipt)
        return None

    def _take_back(self, snapshot: int) -> None:
        assert self.rollback is not None
        self.rollback.revert(snapshot)
        self.sender.resync()

    def mint_locks(self, args: MintLocksArgs) -> TxReceipt:
        """Sends ``mintLocks(args)`` (after a dry run of the caller's: no second one) with a fixed gas budget
        (unused gas is not charged; estimating a large batch costs a binary search). After a dry run that kept
        this very mint (``rollback``), its receipt: nothing is sent again."""
        kept, self._kept_mint = self._kept_mint, None
        if kept is not None and kept[0] == args.calldata():
            return kept[1]
        return self.sender.send_prepared(
            str(self.bridge.address), "0x" + args.calldata().hex(), gas=args.gas_budget(), dry_run=False
        )

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
        found = self.bridge_logs(from_block, to_block) + self.token_transfers(from_block, to_block, tokens)
        return sorted(found, key=lambda e: (e.block_number, e.log_index))

    def bridge_logs(self, from_block: int, to_block: int) -> list[ChainEvent]:
        """Every event of the bridge contract in the blocks ``from_block..to_block``, in chain order."""
        if to_block < from_block:
            return []
        logs = self.scanner.get_logs({"address": self.bridge.address}, from_block, to_block)
        return self._decoded("bridge", self.bridge.abi, logs)

    def token_transfers(self, from_block: int, to_block: int, tokens: list[str]) -> list[ChainEvent]:
        """The ``Transfer`` events of ``tokens`` (class tokens) in the blocks ``from_block..to_block``."""
        if to_block < from_block or not tokens:
            return []
        token_abi = self.deployment.token_abi
        # a 0x-hex topic: eth-tester matches no log on a HexBytes one
        transfer = next(abi for abi in token_abi if abi.get("type") == "event" and abi["name"] == "Transfer")
        topic = "0x" + event_abi_to_log_topic(transfer).hex()
        logs = self.scanner.get_logs({"address": tokens, "topics": [topic]}, from_block, to_block)
        return self._decoded("class token", token_abi, logs)

    def _decoded(self, contract: str, abi: list[dict[str, Any]], logs: Any) -> list[ChainEvent]:
        """``logs`` of ``contract`` (the bridge, or a class token: one ABI each) decoded by their topic."""
        by_topic = self._event_decoders.get(contract)
        if by_topic is None:
            by_topic = self._event_decoders[contract] = decoders_by_topic(abi)
        decoded = []
        for log in logs:
            decoder = by_topic.get(bytes(log["topics"][0])) if log["topics"] else None
            if decoder is None:
                continue  # not an event of this ABI
            args = decoder.decode(self.w3.codec, log)
            decoded.append(ChainEvent.of(log, decoder.name, args, address=checksummed(log["address"])))
        return decoded

    def events(self, name: str, from_block: int, to_block: int) -> list[ChainEvent]:
        if to_block < from_block:
            return []
        event = getattr(self.bridge.events, name)()
        topic = "0x" + event_abi_to_log_topic(event.abi).hex()
        found = self.scanner.get_logs({"address": self.bridge.address, "topics": [topic]}, from_block, to_block)
        logs = [event.process_log(entry) for entry in found]
        return [
            ChainEvent.of(
                log,
                name,
                {k: (to_checksum_address(v) if k in ("holder", "retiree") else v) for k, v in log["args"].items()},
            )
            for log in logs
        ]
