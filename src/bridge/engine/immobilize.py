"""Locking tokenizations' blocks in the registry's trust account: many blocks per registry request.

Tokenizations waiting for their lock (``received``) are grouped by custodian account, ``max_batch`` at most,
and each group is locked by one ``immobilize_many`` request: one registry transaction, one journal entry,
one lock id per block (consecutive). Why each part is safe to repeat:

- the group is named before anything is sent: its request id (``lock_request``, random) is saved on every
  member in the same transaction that forms the group, so a retry after a crash sends the very same request
  and the registry answers the first result instead of locking twice;
- the registry applies a group all or nothing: when it refuses one member (its block moved, was retired or
  frozen meanwhile) nothing is locked, the group is dissolved and its members are locked one request each
  (``immobilize`` under each row's own id), so only the refused one is rejected. A member whose single lock
  went through before a crash is found again the same way: its new group is refused (its block is locked
  already), and its own request id returns the first result.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from bridge.engine.context import Flow, FlowContext
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.ports import RegistryOperator
from bridge.engine.request_ids import is_request_conflict, raise_alarm, registry_request_id
from bridge.engine.store import Tokenization, TokenizeStep
from bridge.errors import CodedError
from bridge.registry.schemas import BlockOperationResult

log = logging.getLogger(__name__)
MARKETPLACE = "carbon-bridge"


def waiting_for_lock() -> Select[tuple[Tokenization]]:
    """The rows the lock step takes (the one place it selects them), oldest first."""
    return select(Tokenization).where(Tokenization.step == TokenizeStep.RECEIVED).order_by(Tokenization.id)


def group_request_id(first: Tokenization) -> str:
    """A new group's registry request id: its first member's id and token, and a random suffix (a member
    may be grouped again after a refused group, and must never reuse that group's id)."""
    return registry_request_id("tokenize", first.id, first.request_token, f"lock-{secrets.token_hex(8)}")


class LockStep(Flow):
    def __init__(
        self, context: FlowContext, *, custodian_registry: Callable[[int], RegistryOperator], max_batch: int
    ) -> None:
        super().__init__(context)
        self.custodian_registry = custodian_registry
        self.max_batch = max_batch

    def drive(self) -> int:
        """Lock every waiting tokenization's block; how many tokenizations moved (locked or rejected)."""
        return sum(self._lock_group(group) for group in self.groups())

    def groups(self) -> list[list[Tokenization]]:
        """The waiting rows in their groups: those already named as they were, the others grouped (by
        custodian, ``max_batch`` at most) and named in this one transaction."""
        with self.store.session() as session:
            named: dict[str, list[Tokenization]] = {}
            fresh: dict[int, list[Tokenization]] = {}
            for row in session.scalars(waiting_for_lock()):
                if row.lock_request is not None:
                    named.setdefault(row.lock_request, []).append(row)
                else:
                    fresh.setdefault(row.custodian_account, []).append(row)
            for rows in fresh.values():
                for start in range(0, len(rows), self.max_batch):
                    group = rows[start : start + self.max_batch]
                    name = group_request_id(group[0])
                    for row in group:
                        row.lock_request = name
                    named[name] = group
            session.flush()
            session.expunge_all()
        return list(named.values())

    def lock_now(self, tokenization_id: int) -> int:
        """Lock one waiting tokenization now (with the rest of its group, if it has one already)."""
        with self.store.session() as session:
            row = session.get_one(Tokenization, tokenization_id)
            if row.step != TokenizeStep.RECEIVED:
                return 0
            if row.lock_request is None:
                row.lock_request = group_request_id(row)
            group = list(session.scalars(waiting_for_lock().where(Tokenization.lock_request == row.lock_request)))
            session.flush()
            session.expunge_all()
        return self._lock_group(group)

    # --- one request per group -----------------------------------------------------------------

    def _identifier(self, row: Tokenization) -> dict[str, Any]:
        assert row.token_address and row.batch_key
        return {
            "marketplace_identifier": {
                "chain_id": self.chain.chain_id,
                "token_address": row.token_address,
                "batch_id": row.batch_key.removeprefix("0x"),
                "recipient": row.recipient,
            },
            "marketplace_link": f"evm:{self.chain.chain_id}/{row.token_address}",
        }

    def _selection(self, row: Tokenization) -> dict[str, Any]:
        return {"serial": row.source_serial, "quantity": row.quantity, **self._identifier(row)}

    def _lock_group(self, rows: list[Tokenization]) -> int:
        first = rows[0]

        def immobilize_many() -> BlockOperationResult:
            return self.custodian_registry(first.custodian_account).immobilize_many(
                trust_account=self.trust_account,
                marketplace=MARKETPLACE,
                from_account=first.custodian_account,
                locks=[self._selection(row) for row in rows],
                request_id=first.lock_request,
            )

        def refused(exc: CodedError) -> int:
            # nothing was locked: lock each on its own, so that only the refused one is rejected
            log.info("tokenizations %s: the group lock was refused (%s); locking each alone", _ids(rows), exc)
            self._dissolve(rows)
            return sum(self._lock_one(row) for row in rows)

        return self._lock(rows, immobilize_many, refused)

    def _lock(
        self,
        rows: Sequence[Tokenization],
        immobilize: Callable[[], BlockOperationResult],
        refused: Callable[[CodedError], int],
    ) -> int:
        """Send one lock request for ``rows`` and save its locks; how many rows moved. A registry that is
        down raises; a request id the registry knows for another request raises the alarm and moves none;
        any other refusal (nothing was locked) is ``refused``'s to handle."""
        self.faults.reached("tokenize.immobilize.before")
        try:
            result = immobilize()
        except CodedError as exc:
            if exc.http_status >= 500:
                raise
            if is_request_conflict(exc):  # not a refusal of the locks: wait, and say so loudly
                self._alarm(rows, exc)
                return 0
            return refused(exc)
        self.faults.reached("tokenize.immobilize.done")
        self._save_locks(rows, result)
        self.faults.reached("tokenize.immobilize.saved")
        return len(rows)

    def _save_locks(self, rows: Sequence[Tokenization], result: BlockOperationResult) -> None:
        """Every member locked, with its lock id, in one transaction (the registry's blocks are in the
        order of the request's selections)."""
        locked = [(block.serial, block.lock_id) for block in result.blocks]
        if [serial for serial, _ in locked] != [row.serial for row in rows] or any(i is None for _, i in locked):
            raise BridgeError(
                f"the registry locked {locked}, expected {[row.serial for row in rows]} each under a lock id",
                code=BridgeErrorCode.CHAIN_FAILURE,
            )
        lock_ids = {row.id: lock_id for row, (_, lock_id) in zip(rows, locked, strict=True)}
        with self.store.session() as session:
            for stored in session.scalars(select(Tokenization).where(Tokenization.id.in_(lock_ids))):
                stored.step = TokenizeStep.IMMOBILIZED
                stored.lock_id = lock_ids[stored.id]
                stored.error_code = stored.error_message = None

    def _dissolve(self, rows: Sequence[Tokenization]) -> None:
        with self.store.session() as session:
            for stored in session.scalars(select(Tokenization).where(Tokenization.id.in_([r.id for r in rows]))):
                stored.lock_request = None

    def _alarm(self, rows: Sequence[Tokenization], exc: CodedError) -> None:
        with self.store.session() as session:
            for stored in session.scalars(select(Tokenization).where(Tokenization.id.in_([r.id for r in rows]))):
                stored.error_code, stored.error_message = raise_alarm(
                    "tokenization", stored.id, exc, current_code=stored.error_code
                )

    # --- one request per row (a refused group's members) ---------------------------------------

    def _lock_one(self, row: Tokenization) -> int:
        def immobilize() -> BlockOperationResult:
            return self.custodian_registry(row.custodian_account).immobilize(
                trust_account=self.trust_account,
                marketplace=MARKETPLACE,
                serial=row.source_serial,
                quantity=row.quantity,
                from_account=row.custodian_account,
                request_id=registry_request_id("tokenize", row.id, row.request_token, "immobilize"),
                **self._identifier(row),
            )

        def refused(exc: CodedError) -> int:
            # the registry refused (the block moved, was retired or frozen meanwhile): nothing is locked
            with self.store.session() as session:
                stored = session.get_one(Tokenization, row.id)
                stored.step = TokenizeStep.REJECTED
                stored.error_code, stored.error_message = str(exc.code), exc.message
            return 1

        return self._lock([row], immobilize, refused)


def _ids(rows: Sequence[Tokenization]) -> list[int]:
    return [row.id for row in rows]
