"""Rebuild a registry from its journal alone.

``replay(entries, into=url)`` re-executes every journaled operation, in order, on an empty (freshly
migrated) database: with the entry's own timestamp as the clock and its request id, through the very
handlers the live ledger uses, acting for the account the entry records. It writes each entry's payload
back as recorded, checks that the operation's result equals the recorded result and that the rebuilt
entry's hash equals the original's, so the rebuilt database is the original one (``Registry.snapshot()``
compares equal) or replay stops with ``ReplayError`` naming the first entry that diverged. Journals
written before the acting account moved out of the request models replay too (``journal.Recorded``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bridge.registry import journal
from bridge.registry._convert import validate
from bridge.registry.errors import RegistryErrorCode, ReplayError
from bridge.registry.ledger import Registry
from bridge.registry.ledger.operations import OPERATIONS
from bridge.registry.models import JournalEntry
from bridge.registry.schemas import JournalEntryPublic

_CHUNK: Final = 500


def replay(
    entries: Iterable[JournalEntryPublic | JournalEntry],
    *,
    into: Registry | str | Engine,
) -> Registry:
    """Replay ``entries`` (a whole journal, from seq 1) into an empty registry database.

    ``into`` is a ``Registry`` or a database URL / engine (migrated here, without a genesis entry).
    Entries are applied ``_CHUNK`` at a time, each chunk in one transaction.
    """
    target = into if isinstance(into, Registry) else Registry.open(into, initialize=False)
    head = target.journal_head()
    if head.seq != 0:
        raise ReplayError(
            f"the target registry already has {head.seq} journal entries",
            code=RegistryErrorCode.REPLAY_TARGET_NOT_EMPTY,
        )
    chunk: list[JournalEntryPublic | JournalEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= _CHUNK:
            target._write(lambda session, batch=chunk: _apply(target, session, batch))
            chunk = []
    if chunk:
        target._write(lambda session: _apply(target, session, chunk))
    return target


def _apply(target: Registry, session: Session, entries: list[JournalEntryPublic | JournalEntry]) -> None:
    head = journal.lock_head(session)
    for entry in entries:
        if entry.seq != head.last_seq + 1:
            raise ReplayError(
                f"journal entry {head.last_seq + 1} is missing (got entry {entry.seq})",
                details={"seq": head.last_seq + 1},
            )
        op = OPERATIONS.get(entry.operation)
        if op is None:
            raise ReplayError(f"entry {entry.seq}: unknown operation {entry.operation!r}", details={"seq": entry.seq})
        payload: dict[str, Any] = json.loads(entry.payload) if isinstance(entry.payload, str) else entry.payload
        recorded = journal.Recorded.of(payload)
        try:
            request = validate(op.request, recorded.request)
            result = target._apply(
                session,
                head,
                op,
                request,
                actor_account=recorded.actor_account,
                now=entry.recorded_at,
                request_id=entry.request_id,
                payload=payload,
            )
        except ReplayError:
            raise
        except Exception as exc:
            raise ReplayError(
                f"entry {entry.seq} ({entry.operation}) failed on replay: {exc}", details={"seq": entry.seq}
            ) from exc
        if not journal.agrees(recorded.result, result.model_dump(mode="json")):
            raise ReplayError(
                f"entry {entry.seq} ({entry.operation}) gave a different result on replay",
                details={"seq": entry.seq},
            )
        if head.last_hash != entry.hash:
            raise ReplayError(
                f"entry {entry.seq} ({entry.operation}) hashes differently on replay: the entry was altered",
                details={"seq": entry.seq},
            )
