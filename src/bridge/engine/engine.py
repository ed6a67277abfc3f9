"""The bridge engine: wires the flows together, watches the chain, and checks the reserve."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy import select

from bridge.chain.bridge_contract import BridgeChain
from bridge.chain.retirement import PersonalData
from bridge.engine import claims, queries
from bridge.engine.attest import VerifierPanel
from bridge.engine.certificates import check_disclosure, disclosed_now
from bridge.engine.context import FlowContext
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.faults import NO_FAULTS, Faults
from bridge.engine.feed import EventFeed
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.ports import RegistryOperator
from bridge.engine.redeem import RedeemFlow, rewind_cursor
from bridge.engine.reserve import proof_of_reserve
from bridge.engine.schemas import (
    RedemptionPublic,
    ReserveReport,
    SettlementPublic,
    TokenizationPublic,
    TokenizationRequest,
)
from bridge.engine.settle import SettleFlow
from bridge.engine.store import (
    Batch,
    Cursor,
    EngineStore,
    RedeemStep,
    Redemption,
    Retirement,
    Settlement,
    Tokenization,
    TokenizeStep,
)
from bridge.engine.tokenize import TokenizeFlow
from bridge.verifier.client import VerifierClient

log = logging.getLogger(__name__)
EVENT_CURSOR = "bridge-events"
WATCHED_EVENTS = ("RedemptionRequested", "Retired")


class BridgeEngine:
    def __init__(
        self,
        *,
        store: EngineStore,
        chain: BridgeChain,
        registry: RegistryOperator,
        custodian_registry: Callable[[int], RegistryOperator],
        verifiers: Sequence[VerifierClient],
        trust_account: int,
        policy: EligibilityPolicy,
        faults: Faults = NO_FAULTS,
        start_block: int = 0,
        max_batch: int = 50,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.chain = chain
        self.start_block = start_block
        self.context = FlowContext(
            store=store, chain=chain, registry=registry, trust_account=trust_account, faults=faults, clock=clock
        )
        self.verifiers = VerifierPanel(verifiers, chain)
        self.tokenize = TokenizeFlow(
            self.context,
            custodian_registry=custodian_registry,
            verifiers=self.verifiers,
            policy=policy,
            max_batch=max_batch,
            start_block=start_block,
        )
        self.redeem = RedeemFlow(self.context, rewind=self._rewind)
        self.settle = SettleFlow(self.context, rewind=self._rewind)
        self.feed = EventFeed(store, chain)

    # --- requests ------------------------------------------------------------------------------

    def request_tokenization(self, request: TokenizationRequest) -> TokenizationPublic:
        return self.tokenize.submit(request)

    def request_tokenizations(self, requests: Sequence[TokenizationRequest]) -> list[TokenizationPublic]:
        """Record many tokenization requests at once, all or none (``bridge.engine.intake``)."""
        return self.tokenize.submit_many(requests)

    def get_tokenization(self, tokenization_id: int) -> TokenizationPublic:
        return queries.tokenization(self.store, tokenization_id)

    def get_redemption(self, redemption_id: int) -> RedemptionPublic:
        return queries.redemption(self.store, redemption_id)

    def list_settlements(self) -> list[SettlementPublic]:
        """Every settlement, oldest first."""
        with self.store.session() as session:
            return [
                SettlementPublic.model_validate(s) for s in session.scalars(select(Settlement).order_by(Settlement.id))
            ]

    def disclose(self, certificate_id: int, data: PersonalData) -> None:
        """Take the names a retirement keeps off-chain, once their hash is the on-chain one: the settlement
        then names the beneficiary (and the certificate shows it). Repeating it changes nothing."""
        names = [data.beneficiary_name, data.retiring_entity]
        with self.store.session() as session:
            row = session.get(Retirement, certificate_id)
            check_disclosure(row, certificate_id, data.digest(), names)
            assert row is not None
            if row.disclosed is None:
                row.disclosed = disclosed_now(*names)
                row.beneficiary = data.beneficiary_name
                log.info("certificate %s: personal data disclosed and checked against its hash", certificate_id)

    # --- the work loop -------------------------------------------------------------------------

    def _cursor(self) -> int:
        with self.store.session() as session:
            cursor = session.get(Cursor, EVENT_CURSOR)
            return cursor.block if cursor is not None else self.start_block - 1

    def _rewind(self, block: int) -> None:
        rewind_cursor(self.store, EVENT_CURSOR, block)
        self.feed.forget_after(block)

    def watch(self) -> int:
        """Record redemption requests and retirements that are now deep enough to act on. Blocks are read in
        pieces the node serves (``log_max_span``), the cursor saved after each: a restart resumes there."""
        forked = self.feed.forked_at()
        if forked is not None:  # the feed's newest blocks left the chain: read them again
            log.warning("chain reorganization: events from block %s on are read again", forked)
            self._rewind(forked - 1)
        recorded = 0
        for start, end in self.chain.scanner.spans(self._cursor() + 1, self.chain.safe_head()):
            for event in self.chain.events("RedemptionRequested", start, end):
                recorded += self.redeem.record(event)
            for event in self.chain.events("Retired", start, end):
                recorded += self.settle.record(event)
            self.feed.record(start, end)
            with self.store.session() as session:
                cursor = session.get(Cursor, EVENT_CURSOR)
                if cursor is None:
                    session.add(Cursor(name=EVENT_CURSOR, block=end))
                else:
                    cursor.block = end
        return recorded

    def tick(self) -> int:
        """One round over every flow (the chain's head read once); returns how many steps moved."""
        with self.chain.one_round():
            moved = self.tokenize.drive()
            with claims.chore(self.store, "watch") as watching:  # one worker reads the chain's events at a time
                moved += self.watch() if watching else 0
            moved += self.redeem.drive() + self.settle.drive()
        if moved:
            log.debug("engine round: %s steps moved", moved)
        return moved

    def run_until_idle(self, max_rounds: int = 50) -> int:
        total = 0
        for _ in range(max_rounds):
            moved = self.tick()
            total += moved
            if moved == 0:
                break
        return total

    def resume(self) -> None:
        """On start: re-check recent work against the chain, which may have lost blocks (a crash of a
        local chain, a deep reorganization), and re-drive what it no longer shows."""
        head = self.chain.head()
        with self.store.session() as session:
            cursor = session.get(Cursor, EVENT_CURSOR)
            if cursor is not None and cursor.block > head - self.chain.confirmations:
                cursor.block = max(self.start_block - 1, head - self.chain.confirmations)
            rewound_to = cursor.block if cursor is not None else None
            for row in session.scalars(
                select(Tokenization).where(Tokenization.step.in_((TokenizeStep.SUBMITTED, TokenizeStep.COMPLETED)))
            ):
                if (
                    row.registry_code
                    and row.lock_id is not None
                    and not self.chain.is_lock_used(row.registry_code, row.lock_id)
                ):
                    log.warning("mint of tokenization %s is not on-chain any more: minting it again", row.id)
                    row.step = TokenizeStep.ATTESTED if row.mint_batch_id is not None else TokenizeStep.IMMOBILIZED
                    row.tx_hash = None
                    batch = session.get(Batch, row.batch_key)
                    if batch is not None and batch.tokenization_id == row.id:
                        session.delete(batch)
            for redemption in session.scalars(select(Redemption).where(Redemption.step == RedeemStep.COMPLETED)):
                if self.chain.redemption_status(redemption.id) == "pending":
                    redemption.step = RedeemStep.RELEASED
        if rewound_to is not None:
            self.feed.forget_after(rewound_to)  # events the chain may no longer show are read again

    # --- reserve -------------------------------------------------------------------------------

    def proof_of_reserve(self) -> ReserveReport:
        context = self.context
        return proof_of_reserve(
            store=context.store, chain=context.chain, registry=context.registry, trust_account=context.trust_account
        )

    def enforce_reserve(self) -> ReserveReport:
        """Check the reserve; when a class is under-backed (claims above backing) pause minting on-chain and
        say which class, by how much. A surplus or foreign units in trust are reported, never paused on:
        anyone can put units into the trust account, and pausing on them would let anyone stop the bridge."""
        report = self.proof_of_reserve()
        if not report.under_backed:
            if not report.ok or report.foreign_units or any(c.foreign_units for c in report.classes):
                log.warning("reserve: a surplus or foreign units in trust (reported, not paused on): %s", report)
            return report
        if not self.chain.paused():
            self.chain.pause()
        bad = ", ".join(f"{c.class_id or c.token}: {c.difference_wei:+d} wei" for c in report.classes if c.under_backed)
        raise BridgeError(
            f"reserve mismatch, minting paused: {bad}",
            code=BridgeErrorCode.RESERVE_MISMATCH,
            details={"report": report.model_dump(mode="json")},
        )
