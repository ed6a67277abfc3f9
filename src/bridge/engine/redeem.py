"""Redeem: a holder's on-chain request for whole tonnes becomes units released to their registry account.

The request is acted on only once it is ``confirmations`` deep and still canonical. Units are taken
from the class's batches oldest first, unfrozen trust blocks before frozen ones; each registry
release carries ``request_id = redeem-<id>-<token>-<n>`` (``bridge.engine.request_ids``) so a retry never
releases twice. If the registry
refuses the first release (the account, a frozen trust block), the escrow is cancelled on-chain and
the tokens go back, the refusal's code kept on the redemption. If it refuses a later one, units have
already left the trust and a cancel would leave tokens unbacked: the redemption records the refusal
and waits, trying again every round (after an unfreeze, say). Once the units are out, the escrow is
burned on-chain (``finalizeRedemption`` names the batches and the serials that left the trust).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import select

from bridge.chain.bridge_contract import ChainEvent
from bridge.engine import claims
from bridge.engine.allocation import unreserve
from bridge.engine.context import Flow, FlowContext, event_columns
from bridge.engine.request_ids import is_request_conflict, raise_alarm
from bridge.engine.store import Cursor, EngineStore, RedeemStep, Redemption
from bridge.errors import CodedError
from bridge.registry.enums import AccountKind, AccountStatus

log = logging.getLogger(__name__)
ACTIVE = (RedeemStep.SEEN, RedeemStep.RELEASING, RedeemStep.RELEASED, RedeemStep.CANCELLING)


class RedeemFlow(Flow):
    def __init__(self, context: FlowContext, *, rewind: Callable[[int], None]) -> None:
        super().__init__(context)
        self.rewind = rewind

    def record(self, event: ChainEvent) -> bool:
        """Store a confirmed RedemptionRequested event (once)."""
        redemption_id = int(event.args["redemptionId"])
        row = Redemption(
            id=redemption_id,
            holder=event.args["holder"],
            tonnes=int(event.args["units"]),
            registry_account=event.args["registryAccount"],
            step=RedeemStep.SEEN,
            **event_columns(event),
        )
        return self.add_once(row, redemption_id)

    def pending_ids(self, *steps: RedeemStep) -> list[int]:
        with self.store.session() as session:
            query = select(Redemption.id).where(Redemption.step.in_(steps or ACTIVE)).order_by(Redemption.id)
            return list(session.scalars(query))

    def drive(self) -> int:
        progressed = 0
        for redemption_id in claims.redemptions(self.store, self.pending_ids(RedeemStep.SEEN), RedeemStep.SEEN):
            progressed += self._plan(redemption_id)
        for redemption_id in claims.redemptions(
            self.store, self.pending_ids(RedeemStep.RELEASING), RedeemStep.RELEASING
        ):
            progressed += self._release(redemption_id)
        for redemption_id in claims.redemptions(self.store, self.pending_ids(RedeemStep.RELEASED), RedeemStep.RELEASED):
            progressed += self._finalize(redemption_id)
        for redemption_id in claims.redemptions(
            self.store, self.pending_ids(RedeemStep.CANCELLING), RedeemStep.CANCELLING
        ):
            progressed += self._cancel(redemption_id)
        return progressed

    def _load(self, redemption_id: int) -> Redemption:
        with self.store.session() as session:
            row = session.get_one(Redemption, redemption_id)
            session.expunge(row)
            return row

    def _account_problem(self, reference: str) -> str | None:
        """Why the registry account named in the request cannot receive units (None if it can)."""
        if not reference.isdigit():
            return f"registry account {reference!r} is not an account number"
        try:
            account = self.registry.get_account(int(reference))
        except CodedError as exc:
            if exc.http_status >= 500:
                raise
            return f"registry account {reference} does not exist"
        if account.status != AccountStatus.OPEN:
            return f"registry account {reference} is closed"
        if account.kind != AccountKind.HOLDING:
            return f"registry account {reference} is a {account.kind} account, not a holding account"
        return None

    def _plan(self, redemption_id: int) -> int:
        row = self._load(redemption_id)
        if not self.chain.is_canonical(row.event_block, row.event_block_hash):
            # the request vanished in a reorganization: forget it and read that range again
            with self.store.session() as session:
                session.delete(session.get_one(Redemption, redemption_id))
            self.rewind(row.event_block - 1)
            return 1
        problem = self._account_problem(row.registry_account)
        with self.store.session() as session:
            stored = session.get_one(Redemption, redemption_id)
            if problem is not None:
                stored.step = RedeemStep.CANCELLING
                stored.cancel_reason = problem
            else:
                stored.plan = []
                stored.step = RedeemStep.RELEASING
        self.faults.reached("redeem.plan.saved")
        return 1

    def _release(self, redemption_id: int) -> int:
        row = self._load(redemption_id)
        plan: list[dict[str, Any]] = [dict(item) for item in row.plan or []]

        release = partial(self.registry.release, to_account=int(row.registry_account))
        refused = self.run_plan("redeem", "release", row, plan, release)
        if refused is not None:
            return self._refused(row, plan, *refused)
        with self.store.session() as session:
            stored = session.get_one(Redemption, redemption_id)
            stored.released_serials = [s for item in plan for s in item["result_serials"]]
            stored.step = RedeemStep.RELEASED
            stored.error_code = stored.error_message = None
        return 1

    def _refused(self, row: Redemption, plan: list[dict[str, Any]], index: int, refusal: CodedError) -> int:
        """Record the registry's refusal of item ``index``: cancel if nothing has left the trust yet,
        otherwise wait (the item goes back to its batch and is chosen again next round). A conflict on the
        engine's own request id is no refusal: an alarm, and the redemption waits with the item kept."""
        if is_request_conflict(refusal):
            code, message = raise_alarm("redemption", row.id, refusal, current_code=row.error_code)
            with self.store.session() as session:
                stored = session.get_one(Redemption, row.id)
                stored.error_code, stored.error_message = code, message
            return 0
        with self.store.session() as session:
            # a refused operation changed nothing in the registry, so its units can be handed back
            returned = unreserve(session, plan[index])
            stored = session.get_one(Redemption, row.id)
            stored.error_code = str(refusal.code)
            stored.error_message = refusal.message
            if returned and index == 0:
                stored.plan = []
                stored.step = RedeemStep.CANCELLING
                stored.cancel_reason = f"the registry refused the release: {refusal.message}"
                return 1
            if returned:
                stored.plan = plan[:index]
        # Units already left the trust (a cancel would give back tokens they no longer back), or the
        # item could not be handed back: keep the escrow and try again next round.
        log.warning("redemption %s waits: the registry refused a release: %s", row.id, refusal.message)
        return 0

    def _finalize(self, redemption_id: int) -> int:
        row = self._load(redemption_id)
        status = self.chain.redemption_status(redemption_id)
        if status not in ("pending", "finalized"):
            raise RuntimeError(f"redemption {redemption_id} is {status} on-chain but released in the registry")
        plan = row.plan or []
        batch_keys, tonnes = [p["batch_key"] for p in plan], [p["tonnes"] for p in plan]
        send = partial(
            self.chain.finalize_redemption, redemption_id, batch_keys, tonnes, ",".join(row.released_serials or [])
        )
        return self._close_escrow(row, status, "finalize", RedeemStep.COMPLETED, send)

    def _cancel(self, redemption_id: int) -> int:
        row = self._load(redemption_id)
        status = self.chain.redemption_status(redemption_id)
        send = partial(self.chain.cancel_redemption, redemption_id, row.cancel_reason or "refused by the registry")
        return self._close_escrow(row, status, "cancel", RedeemStep.CANCELLED, send)

    def _close_escrow(
        self, row: Redemption, status: str, action: str, done: RedeemStep, send: Callable[[], Any]
    ) -> int:
        """Send the escrow's closing transaction (``send``) while the chain shows it ``pending`` (after a crash
        it may have gone through already: then the row's own tx hash stays), then record the step ``done``.
        Crash points: ``redeem.<action>.before|done|saved``."""
        tx_hash = row.tx_hash
        if status == "pending":
            self.faults.reached(f"redeem.{action}.before")
            receipt = send()
            self.faults.reached(f"redeem.{action}.done")
            tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        with self.store.session() as session:
            stored = session.get_one(Redemption, row.id)
            stored.step = done
            stored.tx_hash = tx_hash
        self.faults.reached(f"redeem.{action}.saved")
        return 1


def rewind_cursor(store: EngineStore, name: str, block: int) -> None:
    with store.session() as session:
        cursor = session.get(Cursor, name)
        if cursor is not None and cursor.block > block:
            cursor.block = max(block, -1)
