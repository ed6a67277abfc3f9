"""The append-only, hash-chained journal of ledger operations.

Every operation appends one entry: ``seq`` (1, 2, 3, ... without gaps), ``recorded_at`` (the
operation's clock reading, which is also the time every row it touched records), ``operation``,
the optional idempotency ``request_id``, and ``payload`` -- canonical JSON of ``{"actor_account": ...,
"request": ..., "result": ...}`` (see ``Recorded``) -- with

    hash = sha256(prev_hash || canonical_json({seq, recorded_at, operation, request_id}) || payload)

(UTF-8; ``payload`` as stored, which is canonical) and ``prev_hash`` the previous entry's hash (64
zeros before the first). An entry with a ``request_id`` also stores its ``actor_scope`` (``actor_scope()``
of the payload's acting account): idempotency keys are scoped per principal, so the same key used by
another account, or by the operator, is another request. The scope follows from the payload, which
the hash covers. ``registry_ledger_head`` points at the newest entry, so entries removed from
the end are noticed too. Rewriting the whole tail
of the chain *and* the head is only noticed against a checkpoint kept elsewhere (``verify_journal(
checkpoint=...)``); publish ``Registry.journal_head()`` to make that possible.

The database refuses UPDATE and DELETE on the journal table (triggers installed by the migrations).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.registry.models import GENESIS_HASH, JournalEntry, LedgerHead
from bridge.registry.schemas import JournalCheckpoint, JournalEntryPublic, JournalReport

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_json(value: Any) -> str:
    """One fixed text for a JSON value: sorted keys, no whitespace, UTF-8 (no floats in payloads)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def format_time(moment: datetime) -> str:
    """``2024-05-01T12:00:00.000000Z``: the journal's fixed UTC form, microseconds included."""
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def entry_hash(entry: JournalEntry | JournalEntryPublic) -> str:
    """The hash of one journal entry from its fields and ``prev_hash``: what ``append`` stores and
    ``verify_entries`` recomputes. A stored payload is hashed as stored (canonical JSON text); a read one
    (a dict) as its canonical JSON."""
    header = canonical_json(
        {
            "seq": entry.seq,
            "recorded_at": format_time(entry.recorded_at),
            "operation": entry.operation,
            "request_id": entry.request_id,
        }
    )
    payload = entry.payload if isinstance(entry.payload, str) else canonical_json(entry.payload)
    return hashlib.sha256((entry.prev_hash + header + payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """What one entry's payload records: the request (the operation's request model as JSON), the account
    that acted (None: the registry operator) and the result.

    Entries written before the acting account was taken out of the request models carry it inside the
    request (``{"request": {..., "actor_account": 4}, "result": ...}``); both forms read the same here,
    so such journals still replay, and their request ids still answer retries.
    """

    request: dict[str, Any]
    actor_account: int | None
    result: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The payload of a new entry."""
        return {"actor_account": self.actor_account, "request": self.request, "result": self.result}

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Recorded:
        request = dict(payload.get("request") or {})
        actor = request.pop("actor_account") if "actor_account" in request else payload.get("actor_account")
        result = payload.get("result")
        return cls(
            request=request,
            actor_account=actor if isinstance(actor, int) and not isinstance(actor, bool) else None,
            result=result if isinstance(result, dict) else {},
        )


def agrees(recorded: Any, replayed: Any) -> bool:
    """Whether ``replayed`` holds every value ``recorded`` holds, at the same place and of the same type.

    A model may gain fields after an entry was written (with a default, so old records still load): the
    entry's record does not have them, so they are not compared. Everything it does have must match.
    """
    if isinstance(recorded, dict):
        return isinstance(replayed, dict) and all(
            key in replayed and agrees(value, replayed[key]) for key, value in recorded.items()
        )
    if isinstance(recorded, list):
        return (
            isinstance(replayed, list)
            and len(recorded) == len(replayed)
            and all(agrees(a, b) for a, b in zip(recorded, replayed, strict=True))
        )
    return type(recorded) is type(replayed) and recorded == replayed


OPERATOR_SCOPE = "operator"


def actor_scope(actor_account: int | None) -> str:
    """The principal an idempotency key belongs to: an account (``account:4``) or the operator."""
    return OPERATOR_SCOPE if actor_account is None else f"account:{actor_account}"


def find_request(session: Session, request_id: str, actor_account: int | None) -> JournalEntry | None:
    """The entry recorded under idempotency key ``request_id`` by this principal, if any."""
    return session.scalars(
        select(JournalEntry).where(
            JournalEntry.actor_scope == actor_scope(actor_account), JournalEntry.request_id == request_id
        )
    ).one_or_none()


def lock_head(session: Session) -> LedgerHead:
    """Lock the journal head for this transaction (``FOR UPDATE``; SQLite holds its write lock)."""
    return session.execute(select(LedgerHead).where(LedgerHead.id == 1).with_for_update()).scalar_one()


def append(
    session: Session,
    head: LedgerHead,
    *,
    recorded_at: datetime,
    operation: str,
    request_id: str | None,
    payload: dict[str, Any],
) -> JournalEntry:
    """Append one entry after ``head`` (which the caller has locked) and move the head."""
    entry = JournalEntry(
        seq=head.last_seq + 1,
        recorded_at=recorded_at,
        operation=operation,
        request_id=request_id,
        actor_scope=None if request_id is None else actor_scope(Recorded.of(payload).actor_account),
        payload=canonical_json(payload),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    head.last_seq = entry.seq
    head.last_hash = entry.hash
    return entry


def to_public(entry: JournalEntry) -> JournalEntryPublic:
    return JournalEntryPublic(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        operation=entry.operation,
        request_id=entry.request_id,
        payload=json.loads(entry.payload),
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def iter_entries(session: Session, *, after_seq: int = 0, chunk: int = 500) -> Iterator[JournalEntry]:
    """All entries with ``seq > after_seq`` in ``seq`` order, read ``chunk`` rows at a time."""
    last = after_seq
    while True:
        rows = session.scalars(
            select(JournalEntry).where(JournalEntry.seq > last).order_by(JournalEntry.seq).limit(chunk)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_entries(
    entries: Iterable[JournalEntry | JournalEntryPublic],
    *,
    head: JournalCheckpoint | None = None,
    checkpoint: JournalCheckpoint | None = None,
) -> JournalReport:
    """Check a journal's hash chain from its first entry.

    Finds the first entry that was edited (its hash no longer matches), removed (a gap in ``seq``),
    reordered (``seq`` or ``prev_hash`` out of line) or cut off the end (``head`` points further),
    and, given a ``checkpoint`` kept elsewhere, whether the chain still passes through it.
    """
    expected_seq, prev = 1, GENESIS_HASH
    count = 0

    def bad(seq: int, problem: str) -> JournalReport:
        return JournalReport(
            ok=False,
            entries=count,
            head=JournalCheckpoint(seq=expected_seq - 1, hash=prev),
            first_bad_seq=seq,
            problem=problem,
        )

    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return bad(expected_seq, f"entry {expected_seq} is missing (next entry is {entry.seq})")
            return bad(entry.seq, f"entry {entry.seq} is out of order (expected {expected_seq})")
        if entry.prev_hash != prev:
            return bad(entry.seq, "prev_hash does not match the previous entry's hash (an entry was changed)")
        if entry_hash(entry) != entry.hash:  # its prev_hash is ``prev``: checked above
            return bad(entry.seq, "hash does not match the entry's contents (the entry was edited)")
        if checkpoint is not None and entry.seq == checkpoint.seq and entry.hash != checkpoint.hash:
            return bad(entry.seq, "the chain no longer passes through the checkpoint (history was rewritten)")
        prev = entry.hash
        expected_seq += 1
        count += 1

    last = JournalCheckpoint(seq=expected_seq - 1, hash=prev)
    if head is not None and (head.seq, head.hash) != (last.seq, last.hash):
        if head.seq > last.seq:
            return bad(last.seq + 1, f"entries {last.seq + 1}..{head.seq} were removed from the end")
        return bad(head.seq, "the journal head does not point at the last entry")
    if checkpoint is not None and checkpoint.seq > last.seq:
        return bad(last.seq + 1, f"the journal ends before checkpoint entry {checkpoint.seq}")
    return JournalReport(ok=True, entries=count, head=last)


def verify_journal(session: Session, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport:
    """Verify the journal stored in the database the session is bound to."""
    head_row = session.get(LedgerHead, 1)
    head = None if head_row is None else JournalCheckpoint(seq=head_row.last_seq, hash=head_row.last_hash)
    return verify_entries(iter_entries(session), head=head, checkpoint=checkpoint)


def write_jsonl(entries: Iterable[JournalEntryPublic], out: IO[str]) -> int:
    """Export entries as JSON lines (one entry per line); returns how many were written."""
    count = 0
    for entry in entries:
        out.write(entry.model_dump_json() + "\n")
        count += 1
    return count


def read_jsonl(source: IO[str]) -> Iterator[JournalEntryPublic]:
    """Entries from a JSON-lines export, in file order (give them to ``replay`` or ``verify_entries``)."""
    for line in source:
        if line.strip():
            yield JournalEntryPublic.model_validate_json(line)
