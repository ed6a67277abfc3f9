"""The engine's durable state: one row per flow, its step, and what each step produced.

Token amounts (wei) can exceed 64 bits, so they are stored as fixed-width decimal strings
(``BigUint``): exact on every backend and ordered like the numbers they hold.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from bridge.engine.db import DEFAULT_ENGINE_URL, open_engine_db
from bridge.engine.request_ids import new_request_token
from bridge.registry.models import UTCDateTime

flow_log = logging.getLogger("bridge.engine.flows")


def utcnow() -> datetime:
    return datetime.now(UTC)


class BigUint(TypeDecorator[int]):
    """An unsigned integer up to 2**256, stored as a 78-digit zero-padded string."""

    impl = String(78)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value < 0 or value >= 2**256:
            raise ValueError(f"{value} does not fit in uint256")
        return f"{value:078d}"

    def process_result_value(self, value: str | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class TokenizeStep(StrEnum):
    RECEIVED = "received"  # validated and stored; nothing done in the registry yet
    IMMOBILIZED = "immobilized"  # the block is locked in the trust account (the registry's lock_id is stored)
    ATTESTED = "attested"  # in a mint batch whose root M of N verifiers signed
    SUBMITTED = "submitted"  # the mint transaction is sent
    COMPLETED = "completed"  # the mint is confirmed at the configured depth
    REJECTED = "rejected"  # refused before anything changed (error_code says why)


class RedeemStep(StrEnum):
    SEEN = "seen"  # the on-chain request is known (not yet confirmed deep enough)
    RELEASING = "releasing"  # confirmed; units are being released from trust (error_code: why it waits)
    RELEASED = "released"  # the registry released every unit to the holder's account
    COMPLETED = "completed"  # finalized on-chain (escrow burned)
    CANCELLING = "cancelling"  # the registry refused; the on-chain cancel is being sent
    CANCELLED = "cancelled"  # cancelled on-chain (tokens back to the holder)
    DROPPED = "dropped"  # the request vanished in a chain reorganization; never acted on


class SettleStep(StrEnum):
    PLANNED = "planned"  # retirements allocated to it and trust blocks chosen (error_code: why it waits)
    RETIRED = "retired"  # the units are retired in the registry
    COMPLETED = "completed"  # recorded on-chain


class RegistryFlowColumns:
    """The columns a flow that operates the registry and then the chain ends with (redemptions,
    settlements): the registry's last refusal, the request token, the chain transaction, the timeline."""

    error_code: Mapped[str | None] = mapped_column(String(64))  # the registry's last refusal, if any
    error_message: Mapped[str | None] = mapped_column(Text)
    # random, drawn at creation: part of every registry request id of this flow (bridge.engine.request_ids)
    request_token: Mapped[str | None] = mapped_column(String(32), default=new_request_token)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    history: Mapped[list[Any] | None]  # [{step, at}]: every step this flow took, when (see _record_step)


class Tokenization(Base):
    __tablename__ = "tokenizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    custodian_account: Mapped[int]
    requested_serial: Mapped[str | None] = mapped_column(String(256))
    issuance_id: Mapped[int | None]
    requested_quantity: Mapped[int | None]
    recipient: Mapped[str] = mapped_column(String(42))
    step: Mapped[TokenizeStep] = mapped_column(String(16), index=True)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    # resolved when the request is checked
    registry_code: Mapped[str | None] = mapped_column(String(32))
    source_serial: Mapped[str | None] = mapped_column(String(256))  # the custodian's block units come from
    serial: Mapped[str | None] = mapped_column(String(256))  # the block locked for this batch
    block_start: Mapped[int | None] = mapped_column(BigUint)
    block_end: Mapped[int | None] = mapped_column(BigUint)
    quantity: Mapped[int | None]
    credit_class: Mapped[dict[str, Any] | None]
    class_id: Mapped[str | None] = mapped_column(String(66))
    token_address: Mapped[str | None] = mapped_column(String(42))
    batch_key: Mapped[str | None] = mapped_column(String(66), index=True)  # one active flow per key
    lock_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # the registry's lock of the block
    # the registry request id of the immobilize_many group it is locked in (named before it is sent)
    lock_request: Mapped[str | None] = mapped_column(String(200))
    mint_batch_id: Mapped[int | None] = mapped_column(ForeignKey("mint_batches.id"), index=True)
    attested_by: Mapped[list[Any] | None]  # the signers of its mint batch
    # random, drawn at creation: part of every registry request id of this flow (bridge.engine.request_ids)
    request_token: Mapped[str | None] = mapped_column(String(32), default=new_request_token)
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    mined_block: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    history: Mapped[list[Any] | None]  # [{step, at}]: every step this flow took, when (see _record_step)


class MintBatch(Base):
    """Locks attested together: the root of their Merkle tree (leaves in ``tokenization_ids`` order) and the
    verifiers' signatures over ``LockBatch(root, deadline)``. Minted whole, or in parts with multiproofs."""

    __tablename__ = "mint_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locks_root: Mapped[str] = mapped_column(String(66))
    deadline: Mapped[int] = mapped_column(BigInteger)
    tokenization_ids: Mapped[list[Any]]  # the tree's leaves, in order
    signatures: Mapped[list[Any]]  # 0x-hex, by ascending signer
    attested_by: Mapped[list[Any]]
    send_attempted: Mapped[bool] = mapped_column(default=False)  # a mint of it may be on-chain: check its locks
    refusals: Mapped[int] = mapped_column(default=0)  # dry runs refused in a row (the backoff's exponent)
    retry_at: Mapped[float | None]  # unix seconds: no mint of it is tried before (after a refusal)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Batch(Base):
    """A bridged batch as the engine tracks it: which trust block backs it and how much is left."""

    __tablename__ = "batches"

    batch_key: Mapped[str] = mapped_column(String(66), primary_key=True)
    class_id: Mapped[str] = mapped_column(String(66), index=True)
    token_address: Mapped[str] = mapped_column(String(42))
    registry_code: Mapped[str] = mapped_column(String(32))
    original_serial: Mapped[str] = mapped_column(String(256))
    current_serial: Mapped[str | None] = mapped_column(String(256))  # the part still in trust
    remaining: Mapped[int]  # tonnes still backing tokens (on-chain: batch(batchKey).remaining)
    tokenization_id: Mapped[int] = mapped_column(ForeignKey("tokenizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redemption(RegistryFlowColumns, Base):
    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(BigUint, primary_key=True)  # the on-chain redemption id
    class_id: Mapped[str] = mapped_column(String(66))
    holder: Mapped[str] = mapped_column(String(42))
    tonnes: Mapped[int]
    registry_account: Mapped[str] = mapped_column(String(256))
    event_block: Mapped[int]
    event_block_hash: Mapped[str] = mapped_column(String(66))
    event_tx: Mapped[str] = mapped_column(String(66))
    step: Mapped[RedeemStep] = mapped_column(String(16), index=True)
    plan: Mapped[list[Any] | None]  # [{batch_key, serial, tonnes}]
    released_serials: Mapped[list[Any] | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class Retirement(Base):
    """An on-chain retirement (certificate), and how much of it the registry has settled."""

    __tablename__ = "retirements"

    certificate_id: Mapped[int] = mapped_column(BigUint, primary_key=True)
    class_id: Mapped[str] = mapped_column(String(66), index=True)
    retiree: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(BigUint)
    settled: Mapped[int] = mapped_column(BigUint, default=0)
    beneficiary: Mapped[str] = mapped_column(Text)  # the name on-chain, or the disclosed one ("" until then)
    reason: Mapped[str] = mapped_column(Text)
    event_block: Mapped[int]
    event_block_hash: Mapped[str] = mapped_column(String(66))
    event_tx: Mapped[str] = mapped_column(String(66))
    dropped: Mapped[bool] = mapped_column(default=False)  # vanished in a reorganization
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any] | None]  # the event's RetirementDetails (RecordedDetails), as recorded
    personal_data_hash: Mapped[str | None] = mapped_column(String(66))
    disclosed: Mapped[dict[str, Any] | None]  # the checked preimage: beneficiary_name, retiring_entity, at


class Settlement(RegistryFlowColumns, Base):
    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    class_id: Mapped[str] = mapped_column(String(66), index=True)
    tonnes: Mapped[int]
    allocations: Mapped[list[Any]]  # [{certificate_id, amount}] (amount in wei, as a string)
    plan: Mapped[list[Any]]  # [{batch_key, serial, tonnes}]
    registry_retirements: Mapped[list[Any] | None]  # serials retired in the registry
    step: Mapped[SettleStep] = mapped_column(String(16), index=True)


class EventRecord(Base):
    """A confirmed chain event of the bridge or of one of its class tokens (transfers made anywhere, not
    only through the bridge): the feed of ``GET /v1/events``, read in ``id`` order."""

    __tablename__ = "events"
    # ids only grow (SQLite: AUTOINCREMENT), so a feed cursor never skips rows written after a reorganization
    __table_args__ = (UniqueConstraint("tx_hash", "log_index", name="one_row_per_log"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    block_number: Mapped[int] = mapped_column(index=True)
    block_hash: Mapped[str] = mapped_column(String(66))
    tx_hash: Mapped[str] = mapped_column(String(66))
    log_index: Mapped[int]
    contract: Mapped[str] = mapped_column(String(42))
    name: Mapped[str] = mapped_column(String(64), index=True)
    class_id: Mapped[str | None] = mapped_column(String(66), index=True)
    args: Mapped[dict[str, Any]]  # integers as decimal strings, addresses checksummed, bytes as 0x-hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cursor(Base):
    """How far the chain watcher has read, per event stream."""

    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    block: Mapped[int]


def _record_step(target: Any, value: Any, old: Any, _initiator: Any) -> None:
    """Append each new step of a flow to its ``history``, with the time (the timeline a page shows), and
    log it: the one place every flow step of every flow is told (at info)."""
    if value != old:
        entry = {"step": str(value), "at": utcnow().isoformat(timespec="seconds")}
        target.history = [*(target.history or []), entry]
        number = target.id if target.id is not None else "(new)"
        extra = f" ({target.error_code})" if getattr(target, "error_code", None) else ""
        flow_log.info("%s %s: %s%s", type(target).__name__.lower(), number, value, extra)


for _flow in (Tokenization, Redemption, Settlement):
    event.listen(_flow.step, "set", _record_step)


class EngineStore:
    """Sessions on the engine database (SQLite file by default, PostgreSQL by URL), its schema upgraded to
    the newest migration when opened (``bridge.engine.db``)."""

    def __init__(self, url: str = DEFAULT_ENGINE_URL) -> None:
        self.engine = open_engine_db(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any exception."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


class Claim(Base):
    """A piece of work one worker may hold at a time (``bridge.engine.claims``): a flow row by kind and id,
    or a whole-engine chore (``watch``, ``settle-plan``). The row is only ever locked, never changed."""

    __tablename__ = "claims"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    item: Mapped[str] = mapped_column(String(80), primary_key=True)
