"""Minting attested batches: never a transaction the contract would refuse, never a lock twice.

For each batch of attested tokenizations (``MintBatch``: its root, deadline and the verifiers' signatures):

1. a batch that may have been sent before (``send_attempted``) first asks the chain which of its locks are
   used: those were minted, by the engine before a crash or by anyone who relayed the signed batch, and are
   completed from their ``BatchBridged`` event, never sent again;
2. the rest are minted with a multiproof of just them against the signed root, in parts that fit a block's
   gas (``MINT_GAS_CAP``), each part dry-run first (an ``eth_call``: free). A refusal is classified:
   - ``BridgeLockUsed``: someone minted a lock meanwhile: complete it from its event, dry-run the rest;
   - ``BridgeAttestationExpired``, or a signer/threshold refusal (a verifier removed or the threshold raised
     on-chain): the rows go back to be attested again (the attest step reads the on-chain set first);
   - ``EnforcedPause``: wait;
   - anything else (a mint cap reached, a class mismatch, ...): the rows that fail alone are set aside with
     the coded alarm ``mint_blocked`` and the batch backs off exponentially (``BACKOFF_BASE`` seconds,
     doubling to ``BACKOFF_MAX``); the others are sent.
   So no failing transaction is paid for in a loop: only a dry run that passed is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final

from sqlalchemy import select

from bridge.chain.attestation import LockBatch
from bridge.chain.errors import ChainError, ContractRevert
from bridge.chain.lock_batch import MINT_GAS_BASE, MINT_GAS_PER_CLASS, MINT_GAS_PER_LOCK, LockTree, SignedLockBatch
from bridge.engine import claims
from bridge.engine.context import Flow, FlowContext
from bridge.engine.errors import BridgeErrorCode
from bridge.engine.locks import lock_of
from bridge.engine.store import MintBatch, Tokenization, TokenizeStep

log = logging.getLogger(__name__)

MINT_GAS_CAP: Final = 15_000_000
"""The most gas budget one mint transaction may have (half of a 30M block): larger batches mint in parts."""
EXPIRY_MARGIN: Final = 60
"""A signed batch this close to its deadline is attested again rather than sent."""
BACKOFF_BASE: Final = 5.0
BACKOFF_MAX: Final = 3600.0
SIGNER_REFUSALS: Final = frozenset(
    {"BridgeUnknownSigner", "BridgeInsufficientSignatures", "BridgeDuplicateSigner", "BridgeSignersNotSorted"}
)
MINT_BLOCKED: Final = str(BridgeErrorCode.MINT_BLOCKED)


def backoff(refusals: int) -> float:
    """Seconds to wait after ``refusals`` refused dry runs in a row."""
    return min(BACKOFF_BASE * 2 ** max(refusals - 1, 0), BACKOFF_MAX)


def gas_parts(rows: Sequence[Tokenization], cap: int = MINT_GAS_CAP) -> list[list[Tokenization]]:
    """``rows`` cut (in order) into parts whose mint's gas budget stays under ``cap`` (``MINT_GAS_CAP``, or
    less on a chain whose blocks hold less: a budget above the block's limit is refused by the node)."""
    parts: list[list[Tokenization]] = []
    current: list[Tokenization] = []
    classes: set[str] = set()
    for row in rows:
        more = {row.class_id or ""} - classes
        budget = MINT_GAS_BASE + MINT_GAS_PER_CLASS * len(classes | more) + MINT_GAS_PER_LOCK * (len(current) + 1)
        if current and budget > cap:
            parts.append(current)
            current, classes = [], set()
        current.append(row)
        classes.add(row.class_id or "")
    if current:
        parts.append(current)
    return parts


class MintStep(Flow):
    def __init__(
        self, context: FlowContext, *, start_block: int, reattest: Callable[[list[Tokenization], str], None]
    ) -> None:
        super().__init__(context)
        self.start_block = start_block
        self.reattest = reattest

    # --- reading -------------------------------------------------------------------------------

    def ready_batches(self) -> list[int]:
        with self.store.session() as session:
            rows = session.query(Tokenization.mint_batch_id).filter(
                Tokenization.step == TokenizeStep.ATTESTED, Tokenization.mint_batch_id.is_not(None)
            )
            return sorted({int(batch_id) for (batch_id,) in rows})

    def _batch(self, batch_id: int) -> tuple[MintBatch, list[Tokenization]]:
        """The batch and every tokenization of its tree, in the tree's order."""
        with self.store.session() as session:
            batch = session.get_one(MintBatch, batch_id)
            by_id = {
                row.id: row for row in session.query(Tokenization).filter(Tokenization.id.in_(batch.tokenization_ids))
            }
            rows = [by_id[int(i)] for i in batch.tokenization_ids]
            session.expunge_all()
            return batch, rows

    # --- driving -------------------------------------------------------------------------------

    def drive(self) -> int:
        """Mint what is attested (see the module doc); how many tokenizations moved."""
        batches = self.ready_batches()
        if not batches or self.chain.paused():
            return 0  # minting is stopped on-chain: wait rather than pay for refused transactions
        return sum(self._mint_batch(batch_id) for batch_id in claims.mint_batches(self.store, batches))

    def _mint_batch(self, batch_id: int) -> int:
        batch, rows = self._batch(batch_id)
        if batch.retry_at is not None and self.clock() < batch.retry_at:
            return 0  # backing off after a refusal
        moved = 0
        ready = [row for row in rows if row.step == TokenizeStep.ATTESTED and row.mint_batch_id == batch.id]
        if batch.send_attempted:  # sent before a crash, or relayed by anyone: complete, never send again
            used = [row for row in ready if self._lock_used(row)]
            moved += sum(self.complete_from_event(row) for row in used)
            ready = [row for row in ready if row not in used]
        if not ready:
            return moved
        if batch.deadline <= max(self.clock(), self.chain.latest_timestamp()) + EXPIRY_MARGIN:
            self.reattest(ready, "the signed batch expires: attesting it again")
            return moved + len(ready)
        tree = LockTree.of((lock_of(row) for row in rows), sort_leaves=False)
        if "0x" + tree.root.hex() != batch.locks_root:
            raise ChainError(f"mint batch {batch.id}'s rows no longer make its signed root")
        signed = SignedLockBatch(
            tree,
            LockBatch(locks_root=tree.root, deadline=batch.deadline),
            tuple(bytes.fromhex(s[2:]) for s in batch.signatures),
        )
        for part in gas_parts(ready, min(MINT_GAS_CAP, self.chain.block_gas_limit())):
            moved += self._mint_part(batch, signed, part)
        return moved

    def _lock_used(self, row: Tokenization) -> bool:
        assert row.registry_code and row.lock_id is not None
        return self.chain.is_lock_used(row.registry_code, row.lock_id)

    def _mint_part(self, batch: MintBatch, signed: SignedLockBatch, rows: list[Tokenization]) -> int:
        pending = list(rows)
        moved = 0
        while pending:
            args = signed.mint_args([lock_of(row) for row in pending])
            refusal = self.chain.dry_run_mint(args)
            if refusal is None:
                return moved + self._send(batch, args, pending)
            name = refusal.error_name
            if name == "BridgeLockUsed":
                used = [row for row in pending if self._lock_used(row)]
                if used:
                    moved += sum(self.complete_from_event(row) for row in used)
                    pending = [row for row in pending if row not in used]
                    continue
            elif name == "BridgeAttestationExpired":
                self.reattest(pending, f"the signed batch expired ({refusal})")
                return moved + len(pending)
            elif name in SIGNER_REFUSALS:
                self.reattest(pending, f"the verifier set or threshold changed on-chain ({refusal})")
                return moved + len(pending)
            elif name == "EnforcedPause":
                return moved
            if len(pending) == 1:
                self._block(batch, pending, refusal)
                return moved
            # one refused lock must not hold back the others: find the ones the contract refuses alone
            refused = [row for row in pending if self.chain.dry_run_mint(signed.mint_args([lock_of(row)]))]
            if not refused or len(refused) == len(pending):
                self._block(batch, pending, refusal)
                return moved
            self._block(batch, refused, refusal, backoff_batch=False)
            pending = [row for row in pending if row not in refused]
        return moved

    def _send(self, batch: MintBatch, args: object, rows: list[Tokenization]) -> int:
        with self.store.session() as session:  # from now on a crash may leave the mint sent but unrecorded
            session.get_one(MintBatch, batch.id).send_attempted = True
        self.faults.reached("tokenize.mint.before")
        try:
            receipt = self.chain.mint_locks(args)  # type: ignore[arg-type]
        except (ContractRevert, ChainError) as exc:  # refused although the dry run passed: the chain moved
            self._block(batch, rows, exc)
            return 0
        self.faults.reached("tokenize.mint.done")
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        with self.store.session() as session:
            for stored in session.scalars(select(Tokenization).where(Tokenization.id.in_([row.id for row in rows]))):
                stored.step = TokenizeStep.SUBMITTED
                stored.tx_hash = tx_hash
                stored.mined_block = int(receipt["blockNumber"])
                stored.error_code = stored.error_message = None
            stored_batch = session.get_one(MintBatch, batch.id)
            stored_batch.refusals, stored_batch.retry_at = 0, None
        self.faults.reached("tokenize.mint.saved")
        return len(rows)

    def _block(
        self, batch: MintBatch, rows: list[Tokenization], refusal: Exception, *, backoff_batch: bool = True
    ) -> None:
        """The coded alarm ``mint_blocked`` on ``rows``; the batch waits, longer after each refusal."""
        with self.store.session() as session:
            stored = session.get_one(MintBatch, batch.id)
            if backoff_batch or stored.retry_at is None:
                stored.refusals += 1
                stored.retry_at = self.clock() + backoff(stored.refusals)
            wait = stored.retry_at - self.clock()
            for row in rows:
                saved = session.get_one(Tokenization, row.id)
                saved.error_code = MINT_BLOCKED
                saved.error_message = f"the contract refuses the mint: {refusal}; next dry run in {wait:.0f} s"
        log.error(
            "ALARM mint_blocked: tokenizations %s (mint batch %s) refused on a dry run: %s; nothing sent; "
            "the next dry run in %.0f s",
            [row.id for row in rows],
            batch.id,
            refusal,
            wait,
        )

    def complete_from_event(self, row: Tokenization) -> int:
        """A used lock: record the mint the chain shows for it (its ``BatchBridged``), to be confirmed."""
        assert row.registry_code and row.lock_id is not None
        event = self.chain.lock_bridged(row.registry_code, row.lock_id, self.start_block)
        if event is None or event.args.get("serial") != row.serial:
            problem = "no BatchBridged event" if event is None else f"a mint of {event.args.get('serial')}"
            with self.store.session() as session:
                saved = session.get_one(Tokenization, row.id)
                saved.error_code = str(BridgeErrorCode.CHAIN_FAILURE)
                saved.error_message = f"lock {row.lock_id} is used on-chain but the chain shows {problem}"
            log.error("tokenization %s: lock %s is used on-chain but the chain shows %s", row.id, row.lock_id, problem)
            return 0
        with self.store.session() as session:
            saved = session.get_one(Tokenization, row.id)
            saved.step = TokenizeStep.SUBMITTED
            saved.tx_hash = event.tx_hash
            saved.mined_block = event.block_number
            saved.error_code = saved.error_message = None
        log.info(
            "tokenization %s: lock %s was minted in %s; completing it from there", row.id, row.lock_id, event.tx_hash
        )
        return 1
