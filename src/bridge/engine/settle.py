"""Settle: on-chain retirements (fractions included) become whole-unit registry retirements.

Retirements are recorded once they are ``confirmations`` deep. Whenever a class's unsettled retired
amount reaches whole tonnes, a settlement takes that many tonnes from the oldest retirements (a
fraction of the last one stays for later), retires the units from trust in the registry, naming the
certificates it settles (``request_id = settle-<id>-<token>-<n>``, see ``bridge.engine.request_ids``), and
then records the settlement on-chain under an id derived from its own, which the contract accepts only once.
The tokens are already burned, so a settlement cannot be cancelled: when the registry refuses a retirement
(a frozen trust block, say), the settlement records the refusal, hands the item's units back and waits,
trying again every round; other flows go on meanwhile. Unfrozen trust blocks are chosen before frozen ones.

A retirement whose names are on-chain only as a hash waits for the retiree to disclose them (checked
against the hash) before it is settled, so that the registry retirement names the beneficiary; after
``disclosure_wait`` seconds it is settled anyway, naming the hash. Other retirements are not held up.
Everything the retiree stated goes into the registry retirement's details, one line per certificate.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC
from functools import partial
from typing import Any, Final

from eth_utils import keccak
from sqlalchemy import select

from bridge.chain.bridge_contract import BridgeChain, ChainEvent
from bridge.chain.retirement import RecordedDetails
from bridge.engine import claims
from bridge.engine.allocation import unreserve
from bridge.engine.certificates import awaiting_disclosure, beneficiary_of, settlement_line
from bridge.engine.context import Flow, FlowContext, event_columns
from bridge.engine.request_ids import is_request_conflict, raise_alarm
from bridge.engine.store import Retirement, Settlement, SettleStep
from bridge.errors import CodedError

log = logging.getLogger(__name__)
SETTLEMENT_REASON = "Settlement of on-chain retirements of tokenized credits"
DISCLOSURE_WAIT: Final = 86_400.0
"""Seconds a retirement with hashed names waits for their disclosure before it is settled without them."""


def settlement_id(chain: BridgeChain, settlement: int) -> bytes:
    """The on-chain id of a settlement: unique per chain, bridge and engine settlement number."""
    return keccak(text=f"{chain.chain_id}:{chain.bridge.address}:settlement:{settlement}")


class SettleFlow(Flow):
    def __init__(
        self, context: FlowContext, *, rewind: Callable[[int], None], disclosure_wait: float = DISCLOSURE_WAIT
    ) -> None:
        super().__init__(context)
        self.rewind = rewind
        self.disclosure_wait = disclosure_wait

    def settlement_id(self, settlement: int) -> bytes:
        return settlement_id(self.chain, settlement)

    def record(self, event: ChainEvent) -> bool:
        """Store a confirmed Retired event (once)."""
        certificate_id = int(event.args["certificateId"])
        details = RecordedDetails.from_event(event.args["details"])
        row = Retirement(
            certificate_id=certificate_id,
            retiree=event.args["retiree"],
            amount=int(event.args["amount"]),
            settled=0,
            beneficiary=details.beneficiary_name,
            reason=details.reason,
            details=details.model_dump(mode="json"),
            personal_data_hash=details.personal_data_hash,
            **event_columns(event),
        )
        if not self.add_once(row, certificate_id):
            return False
        log.info(
            "retirement recorded: certificate %s, %s wei of class %s for %s",
            certificate_id,
            event.args["amount"],
            row.class_id[:14],
            details.beneficiary_name or "a hashed beneficiary",
        )
        return True

    def drive(self) -> int:
        with claims.chore(self.store, "settle-plan") as mine:
            progressed = self._plan() if mine else 0
        with self.store.session() as session:
            active = list(
                session.scalars(
                    select(Settlement.id).where(Settlement.step != SettleStep.COMPLETED).order_by(Settlement.id)
                )
            )
        for settlement in claims.settlements(self.store, active):
            progressed += self._advance(settlement)
        return progressed

    def _unsettled(self) -> list[Retirement]:
        with self.store.session() as session:
            rows = list(
                session.scalars(
                    select(Retirement)
                    .where(Retirement.dropped.is_(False), Retirement.settled < Retirement.amount)
                    .order_by(Retirement.certificate_id)
                )
            )
            for row in rows:
                session.expunge(row)
            return rows

    def _plan(self) -> int:
        """Open a settlement for every class whose unsettled retirements add up to whole tonnes."""
        rows = self._unsettled()
        vanished = [
            r for r in rows if r.settled == 0 and not self.chain.is_canonical(r.event_block, r.event_block_hash)
        ]
        if vanished:
            # retirements a reorganization removed: forget them and read those blocks again
            with self.store.session() as session:
                for row in vanished:
                    session.delete(session.get_one(Retirement, row.certificate_id))
            self.rewind(min(r.event_block for r in vanished) - 1)
            return len(vanished)
        by_class: dict[str, list[Retirement]] = defaultdict(list)
        for row in rows:
            if row.settled == 0 and awaiting_disclosure(row) and not self._waited_long_enough(row):
                continue  # the registry retirement should name the beneficiary: wait for the names
            by_class[row.class_id].append(row)
        opened = 0
        for class_id, retirements in sorted(by_class.items()):
            # whole registry units (a tonne, or a kilogram for a class counted in them)
            wei_per_unit = self.chain.wei_per_unit(class_id)
            if wei_per_unit == 0:
                continue  # the chain no longer shows the class (a reorganization): its retirements are read again
            tonnes = sum(r.amount - r.settled for r in retirements) // wei_per_unit
            if tonnes == 0:
                continue
            remaining = tonnes * wei_per_unit
            allocations = []
            with self.store.session() as session:
                for retirement in retirements:
                    if remaining == 0:
                        break
                    stored = session.get_one(Retirement, retirement.certificate_id)
                    take = min(remaining, stored.amount - stored.settled)
                    stored.settled += take
                    remaining -= take
                    allocations.append(
                        {
                            "certificate_id": stored.certificate_id,
                            "amount": str(take),
                            "beneficiary": beneficiary_of(stored),
                            "reason": stored.reason,
                            "details": settlement_line(stored, take),
                        }
                    )
                session.add(
                    Settlement(
                        class_id=class_id, tonnes=tonnes, allocations=allocations, plan=[], step=SettleStep.PLANNED
                    )
                )
            self.faults.reached("settle.plan.saved")
            log.info(
                "settlement planned: %s t of class %s for %s certificates", tonnes, class_id[:14], len(allocations)
            )
            opened += 1
        return opened

    def _waited_long_enough(self, row: Retirement) -> bool:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return self.clock() - created.timestamp() >= self.disclosure_wait

    def _load(self, settlement: int) -> Settlement:
        with self.store.session() as session:
            row = session.get_one(Settlement, settlement)
            session.expunge(row)
            return row

    def _advance(self, settlement: int) -> int:
        row = self._load(settlement)
        if row.step == SettleStep.PLANNED:
            if not self._retire_in_registry(row):
                return 0  # the registry refused: recorded on the settlement, tried again next round
            row = self._load(settlement)
        if row.step == SettleStep.RETIRED:
            self._record_on_chain(row)
        return 1

    def _retire_in_registry(self, row: Settlement) -> bool:
        """Retire the settlement's units from trust; False when the registry refused one (recorded)."""
        plan: list[dict[str, Any]] = [dict(item) for item in row.plan]
        certificates = [
            f"{self.chain.chain_id}:{self.chain.bridge.address}:certificate:{a['certificate_id']}"
            for a in row.allocations
        ]
        beneficiaries = sorted({a["beneficiary"] for a in row.allocations})
        beneficiary = beneficiaries[0] if len(beneficiaries) == 1 else "Holders of the settled on-chain retirements"
        details = "\n".join(
            a.get("details") or f"certificate {a['certificate_id']}: {a['amount']} wei for {a['beneficiary']}"
            for a in row.allocations
        )[:4000]

        retire = partial(
            self.registry.retire_from_trust,
            beneficiary=beneficiary[:300],
            reason=SETTLEMENT_REASON,
            settles=certificates,
            details=details,
        )
        refused = self.run_plan("settle", "retire", row, plan, retire)
        if refused is not None:
            self._refused(row, plan, *refused)
            return False
        with self.store.session() as session:
            stored = session.get_one(Settlement, row.id)
            stored.registry_retirements = [s for item in plan for s in item["result_serials"]]
            stored.step = SettleStep.RETIRED
            stored.error_code = stored.error_message = None
        log.info(
            "settlement %s: %s t retired in the registry (%s)",
            row.id,
            row.tonnes,
            ", ".join(s for item in plan for s in item["result_serials"]),
        )
        return True

    def _refused(self, row: Settlement, plan: list[dict[str, Any]], index: int, refusal: CodedError) -> None:
        """Record the registry's refusal of item ``index`` and hand its units back to their batch, so
        the next round chooses again (an unfrozen block, or the same one once it is unfrozen). A conflict on
        the engine's own request id is an alarm: the item stays as it is and the settlement waits."""
        if is_request_conflict(refusal):
            code, message = raise_alarm("settlement", row.id, refusal, current_code=row.error_code)
            with self.store.session() as session:
                stored = session.get_one(Settlement, row.id)
                stored.error_code, stored.error_message = code, message
            return
        with self.store.session() as session:
            # a refused operation changed nothing in the registry; a later reservation of the same
            # batch keeps the item reserved instead (it is then retried as it is)
            if unreserve(session, plan[index]):
                session.get_one(Settlement, row.id).plan = plan[:index]
            stored = session.get_one(Settlement, row.id)
            stored.error_code = str(refusal.code)
            stored.error_message = refusal.message
        log.warning("settlement %s waits: the registry refused a retirement: %s", row.id, refusal.message)

    def _record_on_chain(self, row: Settlement) -> None:
        settlement_id = self.settlement_id(row.id)
        tx_hash = row.tx_hash
        if not self.chain.is_settlement_recorded(settlement_id):
            self.faults.reached("settle.record.before")
            receipt = self.chain.settle_retirements(
                settlement_id,
                row.class_id,
                [item["batch_key"] for item in row.plan],
                [int(item["tonnes"]) for item in row.plan],
                ",".join(row.registry_retirements or []),
            )
            self.faults.reached("settle.record.done")
            tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        with self.store.session() as session:
            stored = session.get_one(Settlement, row.id)
            stored.step = SettleStep.COMPLETED
            stored.tx_hash = tx_hash
        self.faults.reached("settle.record.saved")
        log.info("settlement %s recorded on-chain (tx %s)", row.id, tx_hash)
