"""What every flow and step of one engine works with: its database, chain, registry, trust account, crash
points and clock, declared once.

The engine builds one ``FlowContext`` and hands it to each flow (``bridge.engine.tokenize``, ``redeem``,
``settle``) and step (``immobilize``, ``mint``); a flow's constructor takes only what is its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.chain.bridge_contract import BridgeChain, ChainEvent
from bridge.engine.allocation import completed, frozen_in_trust, reserve_next
from bridge.engine.faults import NO_FAULTS, Faults
from bridge.engine.ports import RegistryOperator
from bridge.engine.request_ids import registry_request_id
from bridge.engine.store import Base, EngineStore, Redemption, Settlement
from bridge.errors import CodedError
from bridge.registry.schemas import BlockOperationResult
from bridge.registry.serials import SerialBlock


@dataclass(frozen=True)
class FlowContext:
    store: EngineStore
    chain: BridgeChain
    registry: RegistryOperator  # acting as the trust account's holder
    trust_account: int
    faults: Faults = NO_FAULTS
    clock: Callable[[], float] = time.time


class Flow:
    """Base of a flow or step: the context's parts as its own attributes (read at every step)."""

    def __init__(self, context: FlowContext) -> None:
        self.context = context
        self.store = context.store
        self.chain = context.chain
        self.registry = context.registry
        self.trust_account = context.trust_account
        self.faults = context.faults
        self.clock = context.clock

    def add_once(self, row: Base, key: int) -> bool:
        """Store ``row``, made from a confirmed chain event, unless the event is stored already (a block
        range read again after a restart or a reorganization); whether it was stored now."""
        with self.store.session() as session:
            if session.get(type(row), key) is not None:
                return False
            session.add(row)
            return True

    def run_plan(
        self,
        flow: str,
        step: str,
        row: Redemption | Settlement,
        plan: list[dict[str, Any]],
        operate: Callable[..., BlockOperationResult],
    ) -> tuple[int, CodedError] | None:
        """Carry out the row's plan in the registry: operate on each item not done yet, then reserve more
        items (``reserve_next``: oldest batches first, unfrozen trust blocks before frozen ones) and operate
        on each, until the row's tonnes are covered; the plan is saved after each reservation and each result.
        ``operate`` is the registry operation with the flow's own fields; each item adds its serial, quantity,
        the trust account and its own request id (``registry_request_id``), so a repeat after a crash returns
        the first result. Returns the first refusal and its item's index (transient errors raise). Crash
        points: ``<flow>.<step>.before|done|saved`` around each operation."""

        def run(index: int) -> CodedError | None:
            item = plan[index]
            self.faults.reached(f"{flow}.{step}.before")
            try:
                result = operate(
                    serial=item["serial"],
                    quantity=item["tonnes"],
                    from_account=self.trust_account,
                    request_id=registry_request_id(flow, row.id, row.request_token, index),
                )
            except CodedError as exc:
                if exc.http_status >= 500:
                    raise  # transient (the registry is unreachable): the next round retries the same item
                return exc
            self.faults.reached(f"{flow}.{step}.done")
            plan[index] = completed(item, result)
            with self.store.session() as session:
                session.get_one(type(row), row.id).plan = [dict(p) for p in plan]
            self.faults.reached(f"{flow}.{step}.saved")
            return None

        for index, item in enumerate(plan):
            if not item["done"] and (refusal := run(index)) is not None:
                return index, refusal
        frozen: list[SerialBlock] | None = None
        while sum(int(item["tonnes"]) for item in plan) < row.tonnes:
            if frozen is None:
                frozen = frozen_in_trust(self.registry, self.trust_account)
            with self.store.session() as session:
                needed = row.tonnes - sum(int(item["tonnes"]) for item in plan)
                plan.append(reserve_next(session, row.class_id, needed, frozen))
                session.get_one(type(row), row.id).plan = plan
            if (refusal := run(len(plan) - 1)) is not None:
                return len(plan) - 1, refusal
        return None


def event_columns(event: ChainEvent) -> dict[str, Any]:
    """What a row made from a bridge event about a class keeps of the event: the class, where the event is."""
    return {
        "class_id": "0x" + bytes(event.args["classId"]).hex(),
        "event_block": event.block_number,
        "event_block_hash": event.block_hash,
        "event_tx": event.tx_hash,
    }
