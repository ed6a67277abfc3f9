"""Whole-ledger checks and the canonical snapshot of the ledger state.

``check_integrity`` verifies, with a handful of set-based queries (no per-unit work):

1. range sanity: every block and issuance has ``1 <= start <= end`` and ``quantity = end - start + 1``;
2. no overlap: within one numbering space (``unit_space``) no two blocks, and no two issuances,
   share a unit;
3. containment: every block lies inside its issuance's range and numbering space;
4. conservation: per issuance, the blocks (over all statuses) add up to the issued quantity.

2 + 3 + 4 together mean every issued unit is in exactly one block. It also checks that each block's
status fits its account's kind, that each block's serial names exactly its own units, and that a block
carrying a lock id lies inside that lock's units.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.registry import serials
from bridge.registry.enums import STATUS_ACCOUNT_KIND
from bridge.registry.errors import RegistryError
from bridge.registry.journal import format_time
from bridge.registry.models import (
    Account,
    Base,
    Issuance,
    JournalEntry,
    LedgerHead,
    LockRecord,
    Program,
    Project,
    UnitBlock,
)
from bridge.registry.schemas import IntegrityProblem, IntegrityReport


def _overlaps(session: Session, model: type[Issuance] | type[UnitBlock]) -> list[tuple[int, int, str, int]]:
    """(id, previous id, unit space, start) of every row starting at or before its predecessor's end."""
    previous_end = func.lag(model.unit_end).over(partition_by=model.unit_space, order_by=model.unit_start)
    previous_id = func.lag(model.id).over(partition_by=model.unit_space, order_by=model.unit_start)
    ordered = select(
        model.id.label("id"),
        model.unit_space.label("unit_space"),
        model.unit_start.label("unit_start"),
        previous_end.label("previous_end"),
        previous_id.label("previous_id"),
    ).subquery()
    rows = session.execute(
        select(ordered.c.id, ordered.c.previous_id, ordered.c.unit_space, ordered.c.unit_start).where(
            ordered.c.previous_end >= ordered.c.unit_start
        )
    ).all()
    return [(int(row[0]), int(row[1]), str(row[2]), int(row[3])) for row in rows]


def _outside(
    session: Session, owner: type[Issuance] | type[LockRecord], key: Any, block_key: Any
) -> list[tuple[int, Any]]:
    """(block id, owner key) of every block joined to ``owner`` by ``block_key == key`` whose units lie outside
    the owner's units (or in another numbering space)."""
    rows = session.execute(
        select(UnitBlock.id, block_key)
        .join(owner, key == block_key)
        .where(
            (UnitBlock.unit_space != owner.unit_space)
            | (UnitBlock.unit_start < owner.unit_start)
            | (UnitBlock.unit_end > owner.unit_end)
        )
    ).all()
    return [(row[0], row[1]) for row in rows]


def check_integrity(session: Session, *, check_serials: bool = True) -> IntegrityReport:
    """Check every ledger invariant; the report lists each problem found (``ok`` when none)."""
    problems: list[IntegrityProblem] = []

    def problem(
        check: str, message: str, *, issuance_id: int | None = None, block_ids: list[int] | None = None
    ) -> None:
        problems.append(
            IntegrityProblem(check=check, message=message, issuance_id=issuance_id, block_ids=block_ids or [])
        )

    for model, label in ((UnitBlock, "block"), (Issuance, "issuance")):
        bad = session.scalars(
            select(model.id).where(
                (model.unit_start < 1)
                | (model.unit_start > model.unit_end)
                | (model.quantity != model.unit_end - model.unit_start + 1)
            )
        ).all()
        for row_id in bad:
            problem("range", f"{label} {row_id} has an invalid range or quantity", block_ids=[row_id])

    for row_id, previous, space, start in _overlaps(session, UnitBlock):
        problem(
            "overlap", f"blocks {previous} and {row_id} share unit {start} of {space}", block_ids=[previous, row_id]
        )
    for row_id, previous, space, start in _overlaps(session, Issuance):
        problem("overlap", f"issuances {previous} and {row_id} share unit {start} of {space}", issuance_id=row_id)

    for block_id, issuance_id in _outside(session, Issuance, Issuance.id, UnitBlock.issuance_id):
        problem(
            "containment",
            f"block {block_id} lies outside issuance {issuance_id}'s units",
            issuance_id=issuance_id,
            block_ids=[block_id],
        )

    sums = select(UnitBlock.issuance_id, func.sum(UnitBlock.quantity).label("units")).group_by(UnitBlock.issuance_id)
    summed = {int(issuance_id): int(units) for issuance_id, units in session.execute(sums).all()}
    issuances = session.execute(select(Issuance.id, Issuance.quantity)).all()
    for issuance_id, quantity in issuances:
        units = summed.pop(issuance_id, 0)
        if units != quantity:
            problem(
                "conservation",
                f"issuance {issuance_id} issued {quantity} units but its blocks hold {units}",
                issuance_id=issuance_id,
            )
    for issuance_id, units in summed.items():
        problem("conservation", f"{units} units belong to missing issuance {issuance_id}", issuance_id=issuance_id)

    for block_id, lock_id in _outside(session, LockRecord, LockRecord.lock_id, UnitBlock.lock_id):
        problem("lock", f"block {block_id} carries lock {lock_id} but lies outside its units", block_ids=[block_id])

    placements = session.execute(
        select(UnitBlock.id, UnitBlock.status, Account.kind).join(Account, Account.id == UnitBlock.account_id)
    ).all()
    for block_id, status, kind in placements:
        if STATUS_ACCOUNT_KIND[status] is not kind:
            problem("status", f"block {block_id} is {status} but sits in a {kind} account", block_ids=[block_id])

    if check_serials:
        refs = {row[0]: row[1] for row in session.execute(select(Issuance.id, Issuance.issuance_ref))}
        rows = session.execute(
            select(
                UnitBlock.id,
                UnitBlock.issuance_id,
                UnitBlock.serial,
                UnitBlock.unit_space,
                UnitBlock.unit_start,
                UnitBlock.unit_end,
            )
        )
        for block_id, issuance_id, text, space, start, end in rows:
            try:
                parsed = serials.parse(text)
            except RegistryError as exc:
                problem("serial", f"block {block_id} has an unreadable serial: {exc}", block_ids=[block_id])
                continue
            if (parsed.unit_space, parsed.start, parsed.end) != (space, start, end) or parsed.issuance_ref != refs.get(
                issuance_id
            ):
                problem("serial", f"block {block_id}'s serial {text} does not name its units", block_ids=[block_id])

    blocks = session.scalar(select(func.count()).select_from(UnitBlock)) or 0
    return IntegrityReport(ok=not problems, blocks=blocks, issuances=len(issuances), problems=problems)


# --- snapshot ------------------------------------------------------------------------------------

SNAPSHOT_MODELS: tuple[type[Base], ...] = (
    Program,
    Project,
    Account,
    Issuance,
    LockRecord,
    UnitBlock,
    JournalEntry,
    LedgerHead,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(session: Session) -> dict[str, Any]:
    """Every row of every ledger table, in primary-key order, as JSON-ready values."""
    state: dict[str, Any] = {}
    for model in SNAPSHOT_MODELS:
        table = model.__table__
        keys = [column.key for column in table.columns]
        order = list(table.primary_key.columns)
        rows = session.execute(select(*table.columns).order_by(*order)).all()
        state[table.name] = [{key: _plain(value) for key, value in zip(keys, row, strict=True)} for row in rows]
    return state
