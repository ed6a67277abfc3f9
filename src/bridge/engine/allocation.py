"""Which trust blocks a release or a registry retirement takes units from.

Units are taken from the class's batches oldest first, and from each batch's trust block lowest unit
numbers first (the registry's split convention). A batch whose next units the registry operator has
frozen comes last: the registry would refuse to move them. An item is reserved right before its
registry operation, in one transaction that also moves the batch's expected remainder, so the next
item of any flow sees the block as it will be; a refused item is handed back with ``unreserve``.

An item names exactly the units it takes (``serial``: a range inside the trust block, which the
registry finds in whatever block holds them now) and the block it was cut from (``block``): items of
several workers may reach the registry in another order than they were reserved in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.ports import RegistryReader
from bridge.engine.store import Batch
from bridge.registry import serials
from bridge.registry.enums import BlockStatus
from bridge.registry.schemas import BlockOperationResult


def frozen_in_trust(registry: RegistryReader, trust_account: int) -> list[serials.SerialBlock]:
    """The trust account's frozen blocks (usually none): units that cannot move until unfrozen."""
    blocks = registry.list_blocks(account_id=trust_account, status=BlockStatus.IMMOBILIZED.value, frozen=True)
    return [serials.parse(block.serial) for block in blocks]


def _is_frozen(batch: Batch, frozen: Sequence[serials.SerialBlock]) -> bool:
    if batch.current_serial is None:
        return False
    current = serials.parse(batch.current_serial)
    return any(block.overlaps(current) for block in frozen)


def reserve_next(
    session: Session, class_id: str, needed: int, frozen: Sequence[serials.SerialBlock] = ()
) -> dict[str, Any]:
    """Reserve up to ``needed`` tonnes from the oldest batch of the class that has units left,
    preferring batches whose trust block overlaps none of the ``frozen`` blocks."""
    query = (
        select(Batch)
        .where(Batch.class_id == class_id, Batch.remaining > 0)
        .order_by(Batch.created_at, Batch.batch_key)
        .with_for_update()
    )
    candidates = list(session.scalars(query if frozen else query.limit(1)))
    # When only frozen units are left the oldest is taken anyway: the registry's refusal then says
    # why on the flow, and a later round takes it again once the operator unfreezes it.
    batch = next((b for b in candidates if not _is_frozen(b, frozen)), candidates[0] if candidates else None)
    if batch is None or batch.current_serial is None:
        raise BridgeError(
            f"class {class_id} has no units left in trust for {needed} more tonnes",
            code=BridgeErrorCode.RESERVE_MISMATCH,
        )
    take = min(needed, batch.remaining)
    block = serials.parse(batch.current_serial)
    units = serials.format(block.with_range(block.start, block.start + take - 1))
    item = {"batch_key": batch.batch_key, "serial": units, "block": batch.current_serial, "tonnes": take, "done": False}
    batch.remaining -= take
    batch.current_serial = (
        None if take == block.quantity else serials.format(block.with_range(block.start + take, block.end))
    )
    return item


def unreserve(session: Session, item: dict[str, Any]) -> bool:
    """Hand a reserved, not executed item back to its batch; False (nothing changed) when a later
    reservation took the batch's next units meanwhile, so the item's units cannot be put back
    without overlapping it: the item then stays reserved and is tried again."""
    batch = session.get_one(Batch, item["batch_key"])
    cut_from = item.get("block", item["serial"])  # items reserved before ``block`` named the whole block
    block = serials.parse(cut_from)
    take = int(item["tonnes"])
    left = None if take == block.quantity else serials.format(block.with_range(block.start + take, block.end))
    if batch.current_serial != left:
        return False
    batch.remaining += take
    batch.current_serial = cut_from
    return True


def completed(item: dict[str, Any], result: BlockOperationResult) -> dict[str, Any]:
    """The item marked done, with the serials the registry operated on."""
    return {**item, "done": True, "result_serials": [block.serial for block in result.blocks]}
