"""Tokenize: check, lock in trust (the registry's lock id), attest batches of locks (M of N signatures
over a Merkle root), mint (``bridge.engine.mint``), confirm.

Steps and why each is safe to repeat:
- immobilize: see ``bridge.engine.immobilize``: one ``immobilize_many`` request per group of custodian
  blocks, its request id saved on the rows before it is sent, so a retry after a crash returns the first
  result (and its lock ids) instead of locking twice; each lock names its recipient;
- attest: ready locks are grouped into batches (by class and recipient, at most ``max_batch``); the
  on-chain verifiers each sign the batch's root once. A verifier signs one leaf per lock id, ever, so
  asking again after a crash gets the same leaves signed (under a new root, which is fine: the contract
  mints each lock id once, whatever root proves it);
- mint: see ``bridge.engine.mint``: used locks are completed from their ``BatchBridged`` event, the rest
  dry-run before sending;
- confirm: the mint counts once its block is ``confirmations`` deep and still canonical; a mint that
  a reorganization removed goes back to be minted again (its lock is unused on-chain again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bridge.engine import claims
from bridge.engine.attest import VerifierPanel
from bridge.engine.context import Flow, FlowContext
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.immobilize import LockStep
from bridge.engine.intake import ACTIVE_STEPS, TokenizeIntake
from bridge.engine.locks import batch_key_of, lock_of, mint_order
from bridge.engine.mint import MintStep, backoff
from bridge.engine.policy import EligibilityPolicy
from bridge.engine.ports import RegistryOperator
from bridge.engine.schemas import TokenizationPublic, TokenizationRequest
from bridge.engine.store import Batch, MintBatch, Tokenization, TokenizeStep
from bridge.verifier.schemas import AttestationRequest

log = logging.getLogger(__name__)
ATTESTATION_TTL = 3600
__all__ = ["ACTIVE_STEPS", "TokenizeFlow", "batch_key_of"]


class TokenizeFlow(Flow):
    def __init__(
        self,
        context: FlowContext,
        *,
        custodian_registry: Callable[[int], RegistryOperator],
        verifiers: VerifierPanel,
        policy: EligibilityPolicy,
        max_batch: int = 50,
        start_block: int = 0,
    ) -> None:
        super().__init__(context)
        self.custodian_registry = custodian_registry
        self.verifiers = verifiers
        self.policy = policy
        self.max_batch = max_batch
        self.intake = TokenizeIntake(context, policy=policy)
        self.locking = LockStep(context, custodian_registry=custodian_registry, max_batch=max_batch)
        self.minting = MintStep(context, start_block=start_block, reattest=self.reattest)
        # attestations that could not be gathered wait (in this process: verifiers are asked, nothing is paid)
        self._attest_failures = 0
        self._attest_retry_at = 0.0
        self._lock_retry: dict[int, tuple[int, float]] = {}  # tokenization id -> (refusals, retry at)

    # --- intake (``bridge.engine.intake``) ------------------------------------------------------

    def submit(self, request: TokenizationRequest) -> TokenizationPublic:
        """Check one request and record it (a repeated idempotency key returns the first tokenization)."""
        return self.intake.submit(request)

    def submit_many(self, requests: Sequence[TokenizationRequest]) -> list[TokenizationPublic]:
        """Check many requests and record them all in one transaction, or refuse them all."""
        return self.intake.submit_many(requests)

    # --- driving -------------------------------------------------------------------------------

    def pending_ids(self, *steps: TokenizeStep) -> list[int]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(Tokenization.id)
                    .where(Tokenization.step.in_(steps or ACTIVE_STEPS))
                    .order_by(Tokenization.id)
                )
            )

    def drive(self) -> int:
        """Move every tokenization as far as it can go now, each step for all its rows at once; returns how
        many steps were taken. Grouping rows for the registry and confirming mints are whole-engine chores:
        two workers must never name one row into two lock groups (two registry locks of one block)."""
        return (
            self._chore("tokenize-lock", self.locking.drive)
            + self.attest_ready()
            + self.minting.drive()
            + self._chore("tokenize-confirm", self.confirm_submitted)
        )

    def _chore(self, name: str, step: Callable[[], int]) -> int:
        """``step`` if this worker holds the chore ``name`` now (another worker doing it: nothing to do)."""
        with claims.chore(self.store, name) as mine:
            return step() if mine else 0

    def _load(self, tokenization_id: int) -> Tokenization:
        with self.store.session() as session:
            row = session.get(Tokenization, tokenization_id)
            if row is None:
                raise BridgeError(f"no tokenization {tokenization_id}", code=BridgeErrorCode.NOT_FOUND)
            session.expunge(row)
            return row

    def _immobilize(self, tokenization_id: int) -> int:
        """Lock one tokenization's block now (tests drive one step of one row with it)."""
        return self.locking.lock_now(tokenization_id)

    # --- attesting -----------------------------------------------------------------------------

    def attest_ready(self) -> int:
        """Group the locked tokenizations not yet in a batch (by class and recipient, ``max_batch`` at most)
        and gather M signatures for each batch; how many tokenizations were attested."""
        now = self.clock()
        if now < self._attest_retry_at:
            return 0
        unbatched = (Tokenization.step == TokenizeStep.IMMOBILIZED, Tokenization.mint_batch_id.is_(None))
        with self.store.session() as session:
            candidates = list(session.scalars(select(Tokenization.id).where(*unbatched)))
        with claims.held(self.store, claims.TOKENIZATION, candidates) as mine:
            with self.store.session() as session:  # read again under the claims: another worker may have batched
                claimed = [int(i) for i in mine]
                rows = list(session.scalars(select(Tokenization).where(*unbatched, Tokenization.id.in_(claimed))))
                session.expunge_all()
            waiting = {i for i, (_, at) in self._lock_retry.items() if now < at}
            ready = mint_order(row for row in rows if row.id not in waiting)
            moved = 0
            for start in range(0, len(ready), self.max_batch):
                moved += self._attest_batch(ready[start : start + self.max_batch])
            return moved

    def _attest_batch(self, rows: list[Tokenization]) -> int:
        while rows:
            # the contract checks the deadline against block time, which may run ahead of this clock
            deadline = max(int(self.clock()), self.chain.latest_timestamp()) + ATTESTATION_TTL
            request = AttestationRequest.of([lock_of(row) for row in rows], deadline=deadline)
            tree = request.tree()
            lock_batch = tree.lock_batch(deadline)
            gathered = self.verifiers.gather(request, lock_batch)
            if gathered.enough:
                break
            named = [row for row in rows if row.lock_id in gathered.refused_locks]
            if named and len(named) < len(rows):  # set the refused locks aside; ask for the rest again
                self._wait(named, BridgeErrorCode.ATTESTATION_REFUSED, "; ".join(gathered.refusals), per_lock=True)
                rows = [row for row in rows if row not in named]
                continue
            reason = "; ".join(gathered.refusals) or "no on-chain verifier is configured here"
            message = (
                f"{len(gathered.signed)} of the {gathered.threshold} signatures the contract needs "
                f"({gathered.reachable} on-chain verifiers reached): {reason}"
            )
            code = BridgeErrorCode.ATTESTATION_REFUSED if named else BridgeErrorCode.NOT_ENOUGH_ATTESTATIONS
            self._wait(rows, code, message, per_lock=bool(named))
            return 0
        if not rows:
            return 0
        self.faults.reached("tokenize.attest.done")
        signers = gathered.signers()
        with self.store.session() as session:
            batch = MintBatch(
                locks_root="0x" + tree.root.hex(),
                deadline=deadline,
                tokenization_ids=[row.id for row in rows],
                signatures=["0x" + signature.hex() for signature in gathered.signatures()],
                attested_by=signers,
            )
            session.add(batch)
            session.flush()
            for stored in session.scalars(select(Tokenization).where(Tokenization.id.in_([row.id for row in rows]))):
                stored.step = TokenizeStep.ATTESTED
                stored.mint_batch_id = batch.id
                stored.attested_by = signers
                stored.error_code = stored.error_message = None
        for row in rows:
            self._lock_retry.pop(row.id, None)
        self._attest_failures, self._attest_retry_at = 0, 0.0
        self.faults.reached("tokenize.attest.saved")
        return len(rows)

    def _wait(self, rows: Sequence[Tokenization], code: BridgeErrorCode, message: str, *, per_lock: bool) -> None:
        """Rows that could not be attested wait with ``code``: the ones a verifier refused by name each on
        their own, the others (too few verifiers answered) all together; backing off either way."""
        now = self.clock()
        if per_lock:
            for row in rows:
                refusals = self._lock_retry.get(row.id, (0, 0.0))[0] + 1
                self._lock_retry[row.id] = (refusals, now + backoff(refusals))
        else:
            self._attest_failures += 1
            self._attest_retry_at = now + backoff(self._attest_failures)
        with self.store.session() as session:
            for row in rows:
                stored = session.get_one(Tokenization, row.id)
                if stored.error_code != str(code):
                    log.warning("tokenization %s waits for attestations (%s): %s", row.id, code, message)
                stored.error_code, stored.error_message = str(code), message

    def reattest(self, rows: list[Tokenization], reason: str) -> None:
        """Take ``rows`` out of their signed batch: the attest step asks the verifiers again."""
        with self.store.session() as session:
            for row in rows:
                stored = session.get_one(Tokenization, row.id)
                stored.step = TokenizeStep.IMMOBILIZED
                stored.mint_batch_id = None
                stored.attested_by = None
                stored.error_code, stored.error_message = "mint_refused", reason
        log.warning("tokenizations %s: %s", [row.id for row in rows], reason)

    def confirm_submitted(self) -> int:
        """Complete the sent mints that are ``confirmations`` deep, and send back to be minted again those a
        reorganization removed, all in one transaction; one receipt lookup per transaction (a batch shares
        one)."""
        with self.store.session() as session:  # ids and transactions only: most rounds find them not yet deep
            rows = session.execute(submitted().with_only_columns(Tokenization.id, Tokenization.tx_hash)).all()
        if not rows:
            return 0
        mined = {tx_hash: self.chain.mined_in(tx_hash) for tx_hash in dict.fromkeys(r.tx_hash for r in rows)}
        safe_head = self.chain.safe_head()
        gone: list[int] = []
        deep: dict[int, int] = {}  # tokenization id -> the block of its mint
        for row in rows:
            block = mined.get(row.tx_hash)
            if block is None:
                gone.append(row.id)  # the mint is gone: mint it again, unless its lock shows it minted elsewhere
            elif block <= safe_head:
                deep[row.id] = block
        if not gone and not deep:
            return 0
        with self.store.session() as session:
            found = list(session.scalars(select(Tokenization).where(Tokenization.id.in_([*gone, *deep]))))
            keys = [row.batch_key for row in found if row.id in deep and row.batch_key]
            batches = {b.batch_key: b for b in session.scalars(select(Batch).where(Batch.batch_key.in_(keys)))}
            for stored in found:
                if stored.id in deep:
                    _complete(session, stored, deep[stored.id], batches)
                else:
                    stored.step, stored.tx_hash, stored.mined_block = TokenizeStep.ATTESTED, None, None
        self.faults.reached("tokenize.confirm.saved")
        return len(gone) + len(deep)


def submitted() -> Select[tuple[Tokenization]]:
    """The rows the confirm step takes (the one place it selects them)."""
    return select(Tokenization).where(Tokenization.step == TokenizeStep.SUBMITTED).order_by(Tokenization.id)


def _complete(session: Session, row: Tokenization, mined_block: int, batches: dict[str, Batch]) -> None:
    """``row``'s mint is confirmed: the tokenization is complete and its batch is tracked (``batches``: the
    tracked batches of the rows completed together, by key, read at once)."""
    assert row.batch_key and row.class_id and row.token_address
    row.step = TokenizeStep.COMPLETED
    row.mined_block = mined_block
    batch = batches.get(row.batch_key)
    if batch is None:
        batch = batches[row.batch_key] = Batch(batch_key=row.batch_key)
        session.add(batch)
    if batch.tokenization_id != row.id:  # new, or the same serial bridged again after a redemption
        batch.class_id = row.class_id
        batch.token_address = row.token_address
        batch.registry_code = row.registry_code or ""
        batch.original_serial = row.serial or ""
        batch.current_serial = row.serial
        batch.remaining = int(row.quantity or 0)
        batch.tokenization_id = row.id
