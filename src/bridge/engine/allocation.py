"""Which trust blocks a release or a registry retirement takes units from.

Units are taken from the class's batches oldest first, and from each batch's trust block lowest unit
numbers first (the registry's split convention). An item is reserved right before its registry
operation, in one transaction that also moves the batch's expected remainder, so the next item of any
flow sees the block as it will be; a refused first item is handed back with ``unreserve``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.store import Batch
from bridge.registry import serials
from bridge.registry.schemas import BlockOperationResult


def reserve_next(session: Session, class_id: str, needed: int) -> dict[str, Any]:
    """Reserve up to ``needed`` tonnes from the oldest batch of the class that has units left."""
    batch = session.scalars(
        select(Batch)
        .where(Batch.class_id == class_id, Batch.remaining > 0)
        .order_by(Batch.created_at, Batch.batch_key)
        .limit(1)
        .with_for_update()
    ).first()
    if batch is None or batch.current_serial is None:
        raise BridgeError(
            f"class {class_id} has no units left in trust for {needed} more tonnes",
            code=BridgeErrorCode.RESERVE_MISMATCH,
        )
    take = min(needed, batch.remaining)
    block = serials.parse(batch.current_serial)
    item = {"batch_key": batch.batch_key, "serial": batch.current_serial, "tonnes": take, "done": False}
    batch.remaining -= take
    batch.current_serial = (
        None if take == block.quantity else serials.format(block.with_range(block.start + take, block.end))
    )
    return item


def unreserve(session: Session, item: dict[str, Any]) -> None:
    batch = session.get_one(Batch, item["batch_key"])
    batch.remaining += int(item["tonnes"])
    batch.current_serial = item["serial"]


def completed(item: dict[str, Any], result: BlockOperationResult) -> dict[str, Any]:
    """The item marked done, with the serials the registry operated on."""
    return {**item, "done": True, "result_serials": [block.serial for block in result.blocks]}
