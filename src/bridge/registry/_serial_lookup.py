"""Finding the block a serial names, for the ledger's operations and its reads alike.

A serial names a block exactly as the ledger prints it; a bare batch id (Cercarbono, Isometric) names the
block that still holds every unit of its batch. The ledger's operations also take a serial naming units
inside one block (``containing_block``: the block is then split around them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.registry import serials
from bridge.registry.models import Issuance, UnitBlock


def is_whole_batch(parsed: serials.SerialBlock) -> bool:
    """Whether ``parsed`` is a bare batch id (the whole batch, its size not printed)."""
    return isinstance(parsed, serials.BatchSerial) and parsed.whole


def find_block(
    session: Session, text: str, *, for_update: bool = False
) -> tuple[serials.SerialBlock, UnitBlock | None]:
    """The parsed serial and the block it names exactly (None: no such block). A malformed serial raises
    ``serial_malformed`` (or ``unknown_program``)."""
    parsed = serials.parse(text)
    query = select(UnitBlock)
    if is_whole_batch(parsed):
        query = query.join(Issuance, Issuance.id == UnitBlock.issuance_id).where(
            UnitBlock.unit_space == parsed.unit_space,
            UnitBlock.unit_start == Issuance.unit_start,
            UnitBlock.unit_end == Issuance.unit_end,
        )
    else:
        query = query.where(UnitBlock.serial == text)
    if for_update:
        query = query.with_for_update()
    return parsed, session.execute(query).scalar_one_or_none()


def containing_block(session: Session, parsed: serials.SerialBlock, *, for_update: bool = False) -> UnitBlock | None:
    """The block holding unit ``parsed.start`` of its numbering space (None: no block holds it)."""
    query = (
        select(UnitBlock)
        .where(UnitBlock.unit_space == parsed.unit_space, UnitBlock.unit_start <= parsed.start)
        .order_by(UnitBlock.unit_start.desc())
        .limit(1)
    )
    if for_update:
        query = query.with_for_update()
    block = session.execute(query).scalar_one_or_none()
    return block if block is not None and block.unit_end >= parsed.start else None


def names_part_of(block: UnitBlock, parsed: serials.SerialBlock) -> bool:
    """Whether ``parsed`` names units inside ``block``, with every other serial field the block's."""
    if parsed.start < block.unit_start or parsed.last_unit > block.unit_end:
        return False
    own = serials.parse(block.serial)
    return own.with_range(parsed.start, parsed.last_unit) == parsed


@dataclass(frozen=True)
class Named:
    """The units a serial names: ``block`` holds them (None: no block does), units ``start``..``end`` of it;
    ``near`` is the block holding the serial's first unit when that block holds other units (for hints)."""

    parsed: serials.SerialBlock
    block: UnitBlock | None
    start: int = 0
    end: int = 0
    near: UnitBlock | None = None


def find_units(session: Session, text: str, *, for_update: bool = False) -> Named:
    """The units serial ``text`` names: a whole block, a batch held whole, or units inside one block."""
    parsed, block = find_block(session, text, for_update=for_update)
    if block is not None:
        return Named(parsed, block, block.unit_start, block.unit_end)
    holder = None if is_whole_batch(parsed) else containing_block(session, parsed, for_update=for_update)
    if holder is None or not names_part_of(holder, parsed):
        return Named(parsed, None, near=holder)
    return Named(parsed, holder, parsed.start, parsed.last_unit)
