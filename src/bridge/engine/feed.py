"""The event feed: every confirmed event of the bridge contract and of its class tokens, recorded in chain
order by the watcher, so that ``GET /v1/events`` shows what happened on-chain, transfers and retirements
made directly with the contracts included, not only what went through the bridge's API.

Rows are written only for blocks ``confirmations`` deep. A reorganization deeper than that (or a local
chain that lost blocks in a crash) is caught by checking the newest recorded block against the chain: the
rows from there on are deleted and the watcher reads those blocks again.
"""

from __future__ import annotations

from typing import Any

from eth_utils import is_address, to_checksum_address
from sqlalchemy import delete, insert, select

from bridge.chain.bridge_contract import BridgeChain, ChainEvent
from bridge.engine.store import Batch, EngineStore, EventRecord, Tokenization


def jsonable(value: Any) -> Any:
    """An event argument as the feed stores it: integers as decimal strings (no JSON number loses
    precision), addresses checksummed, bytes as 0x-hex, structs as objects."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return to_checksum_address(value) if len(value) == 42 and is_address(value) else value
    if hasattr(value, "keys"):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


class EventFeed:
    def __init__(self, store: EngineStore, chain: BridgeChain) -> None:
        self.store = store
        self.chain = chain

    def _tokens(self) -> dict[str, str]:
        """Class token -> class id, for every class token the bridge has created or minted."""
        with self.store.session() as session:
            known = {t: c for t, c in session.execute(select(Batch.token_address, Batch.class_id)).all()}
            for token, class_id in session.execute(
                select(Tokenization.token_address, Tokenization.class_id)
                .where(Tokenization.token_address.is_not(None))
                .distinct()
            ).all():
                known.setdefault(token, class_id)
            for args in session.scalars(select(EventRecord.args).where(EventRecord.name == "ClassCreated")):
                known.setdefault(args["token"], args["classId"])
        return {to_checksum_address(t): c for t, c in known.items() if t and c}

    def record(self, start: int, end: int) -> int:
        """Record the events of blocks ``start..end`` (once each); how many were new."""
        tokens = self._tokens()
        bridge_events = self.chain.bridge_logs(start, end)
        for event in bridge_events:  # a class created in this range: its first mint is in it too
            if event.name == "ClassCreated":
                tokens[to_checksum_address(event.args["token"])] = "0x" + bytes(event.args["classId"]).hex()
        token_events = self.chain.token_transfers(start, end, sorted(tokens))
        events = {(e.tx_hash, e.log_index): e for e in [*bridge_events, *token_events]}
        with self.store.session() as session:
            seen = set(
                session.execute(
                    select(EventRecord.tx_hash, EventRecord.log_index).where(
                        EventRecord.block_number.between(start, end)
                    )
                ).all()
            )
            rows = [
                self._row(event, tokens)
                for key, event in sorted(events.items(), key=lambda item: (item[1].block_number, item[1].log_index))
                if key not in seen
            ]
            if rows:  # one multi-row INSERT, in chain order (ids only grow: the feed's order)
                session.execute(insert(EventRecord), rows)
        return len(rows)

    @staticmethod
    def _row(event: ChainEvent, tokens: dict[str, str]) -> dict[str, Any]:
        args = jsonable(event.args)
        class_id = args.get("classId") if isinstance(args.get("classId"), str) else tokens.get(event.address)
        return {
            "block_number": event.block_number,
            "block_hash": event.block_hash,
            "tx_hash": event.tx_hash,
            "log_index": event.log_index,
            "contract": event.address,
            "name": event.name,
            "class_id": class_id,
            "args": args,
        }

    def forked_at(self) -> int | None:
        """The block of the newest recorded event, if the chain no longer has that block: where to read again."""
        with self.store.session() as session:
            newest = session.execute(
                select(EventRecord.block_number, EventRecord.block_hash).order_by(EventRecord.id.desc()).limit(1)
            ).first()
        if newest is None or self.chain.is_canonical(newest[0], newest[1]):
            return None
        return int(newest[0])

    def forget_after(self, block: int) -> None:
        with self.store.session() as session:
            session.execute(delete(EventRecord).where(EventRecord.block_number > block))
