"""The registry ledger service: ``Registry``.

Every operation (``bridge.registry.ledger.operations``) is one database transaction (all or nothing)
that also appends one entry to the hash-chained journal (``bridge.registry.journal``); a refused
operation raises a ``RegistryError`` with a code and changes nothing. Call one as
``registry.transfer(actor_account=4, request_id=None, **fields)`` (the fields of its request model, see
``bridge.registry.requests``) or ``registry.execute(TransferRequest(...), actor_account=4)``.

Who may do what. Holder operations (transfer, retire, ...) take ``actor_account``: the account the
caller acts for (the access rules choose it from the API key); such a caller may only touch blocks in
that account. ``actor_account=None`` is the registry operator, who may act on any block. Issuing,
freezing and creating programs, projects and accounts are operator operations (they take no actor).

Naming units: by ``serial`` (exactly one existing block; ``quantity`` takes only its lowest units) or
by ``issuance_id`` + ``quantity`` (the lowest-numbered eligible units of that issuance in the acting
account, across several blocks if needed). A partial operation splits a block: the operated part
keeps the LOW unit numbers (see ``bridge.registry._blocks``).

Idempotency: give ``request_id`` and a retry of the same request (by the same actor) returns the first
result without doing anything; the same id with a different request is refused (``idempotency_conflict``).
Request ids are scoped per principal (the acting account, or the operator): another principal's use of
the same string is a different request, so no registry user can take the id another one will use.

Determinism: every id is the next free number and every timestamp is the operation's one clock
reading, recorded in the journal, so ``bridge.registry.replay`` rebuilds an identical database.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, Concatenate, Final, ParamSpec, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bridge.registry import journal
from bridge.registry._blocks import Tx, refuse
from bridge.registry._convert import account_public, validate
from bridge.registry.db import DEFAULT_URL, SQLITE_BEGIN, create_registry_db, database_errors, session_factory
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.integrity import check_integrity, snapshot
from bridge.registry.ledger import operations as ops
from bridge.registry.ledger.operations import Access, Operation, OperationMethods
from bridge.registry.models import Account, JournalEntry, LedgerHead
from bridge.registry.requests import InitRequest, RequestId
from bridge.registry.schemas import (
    AccountBalance,
    AccountId,
    AccountPublic,
    CreditPublic,
    IntegrityReport,
    IssuancePublic,
    IssuanceTotals,
    JournalCheckpoint,
    JournalEntryPublic,
    JournalReport,
    LockedCredit,
    LockPublic,
    ProgramPublic,
    ProjectPublic,
    UnitBlockPublic,
)
from bridge.registry.views import lookup
from bridge.registry.views import search as searches
from bridge.registry.views.queries import Page, PageQuery

Clock = Callable[[], datetime]
R = TypeVar("R")
P = ParamSpec("P")

DEFAULT_REGISTRY_NAME: Final = "Simulated Carbon Registry"
_RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def utc_now() -> datetime:
    return datetime.now(UTC)


class _CallOptions(BaseModel):
    """What an operation call takes beside its request, checked like the request's own fields."""

    actor_account: AccountId | None = None
    request_id: RequestId | None = None


class Registry(OperationMethods, searches.SearchLists):
    """The simulated registry's ledger over a SQLAlchemy session factory.

    Build one with ``Registry.open(url)`` (creates or migrates the database and writes the genesis
    entry), or ``Registry(sessions)`` over an existing, migrated database. Thread-safe: each call
    uses its own session. ``clock`` supplies operation timestamps (UTC).
    """

    OPERATION_OPTIONS: ClassVar[tuple[str, ...]] = ("actor_account", "request_id")

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None, max_retries: int = 8) -> None:
        self._sessions = sessions
        self._clock = clock or utc_now
        self._max_retries = max_retries

    @classmethod
    def open(
        cls,
        url: str | Engine = DEFAULT_URL,
        *,
        clock: Clock | None = None,
        registry_name: str = DEFAULT_REGISTRY_NAME,
        initialize: bool = True,
        **engine_kwargs: Any,
    ) -> Registry:
        """The registry stored at ``url`` (SQLite or PostgreSQL), migrated to the newest schema.

        With ``initialize`` (the default) an empty database gets its genesis entry: the registry's
        own retirement, cancellation and buffer accounts. A replay target is opened without it.
        """
        engine = create_registry_db(url, **engine_kwargs)
        registry = cls(session_factory(engine), clock=clock)
        if initialize:
            registry.initialize(registry_name=registry_name)
        return registry

    @property
    def engine(self) -> Engine:
        bind = self._sessions.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the registry clock must return timezone-aware datetimes")
        return moment.astimezone(UTC)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only session (database failures become coded errors: ``registry_unavailable``, or
        ``invalid_request`` for a value the database refuses)."""
        with database_errors(), self._sessions() as session:
            session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
            yield session
            session.rollback()

    def _write(self, body: Callable[[Session], R]) -> R:
        """Run ``body`` in one write transaction, retrying PostgreSQL serialization failures."""
        with database_errors():  # what is not retried below: a refused value, an unreachable database
            for attempt in range(self._max_retries):
                try:
                    with self._sessions() as session, session.begin():
                        return body(session)
                except IntegrityError as exc:
                    raise RegistryError(
                        f"the database refused the change: {exc.orig}", code=RegistryErrorCode.CONSTRAINT_VIOLATION
                    ) from exc
                except (OperationalError, DBAPIError) as exc:
                    sqlstate = getattr(exc.orig, "sqlstate", None)
                    locked = "database is locked" in str(exc.orig)
                    if (sqlstate in _RETRYABLE_SQLSTATES or locked) and attempt + 1 < self._max_retries:
                        time.sleep(0.005 * (2**attempt))
                        continue
                    raise
        raise AssertionError("unreachable")

    def _apply(
        self,
        session: Session,
        head: LedgerHead,
        op: Operation[Any, Any],
        request: BaseModel,
        *,
        actor_account: int | None,
        now: datetime,
        request_id: str | None,
        payload: dict[str, Any] | None = None,
    ) -> Any:
        """Apply one operation and append its journal entry (inside the caller's transaction).

        ``payload`` is the entry's recorded payload when replaying one (written back as it was).
        """
        tx = Tx(session=session, now=now, seq=head.last_seq + 1, actor_account=actor_account)
        result = op.handler(tx, request)
        if payload is None:
            payload = journal.Recorded(
                request=request.model_dump(mode="json"),
                actor_account=actor_account,
                result=result.model_dump(mode="json"),
            ).payload()
        journal.append(session, head, recorded_at=now, operation=op.name, request_id=request_id, payload=payload)
        # Flushed now so the next operation in the same transaction (replay) finds these rows with get().
        session.flush()
        return result

    # --- operations ------------------------------------------------------------------------------

    def execute(self, request: BaseModel, *, actor_account: int | None = None, request_id: str | None = None) -> Any:
        """Run the operation ``request`` is the request model of (e.g. a ``TransferRequest``), acting for
        ``actor_account`` (holder operations; None: the registry operator); its result model."""
        op = ops.operation_for(request)
        options = validate(_CallOptions, {"actor_account": actor_account, "request_id": request_id})
        if op.access is Access.GENESIS:
            raise refuse(RegistryErrorCode.INVALID_REQUEST, f"{op.name} is written by initialize() alone")
        if op.access is Access.OPERATOR and actor_account is not None:
            raise refuse(
                RegistryErrorCode.INVALID_REQUEST,
                f"actor_account: {op.name} is the registry operator's and acts for no account",
                field="actor_account",
            )

        def body(session: Session) -> Any:
            head = journal.lock_head(session)
            if head.last_seq == 0:
                raise refuse(RegistryErrorCode.NOT_INITIALIZED, "the registry has no genesis entry: call initialize()")
            if options.request_id is not None:
                earlier = journal.find_request(session, options.request_id, options.actor_account)
                if earlier is not None:
                    return _earlier_result(earlier, op, request, options.actor_account)
            return self._apply(
                session,
                head,
                op,
                request,
                actor_account=options.actor_account,
                now=self._now(),
                request_id=options.request_id,
            )

        return self._write(body)

    def _run_operation(
        self,
        op: Operation[Any, Any],
        request: BaseModel | None,
        /,
        *,
        actor_account: int | None = None,
        request_id: str | None = None,
        **fields: Any,
    ) -> Any:
        return self.execute(op.build(request, fields), actor_account=actor_account, request_id=request_id)

    def initialize(self, *, registry_name: str = DEFAULT_REGISTRY_NAME) -> list[AccountPublic]:
        """Write the genesis entry if the journal is empty; the registry's own accounts either way."""
        request = validate(InitRequest, {"registry_name": registry_name})

        def body(session: Session) -> list[AccountPublic]:
            head = journal.lock_head(session)
            if head.last_seq == 0:
                now = self._now()
                self._apply(session, head, ops.INIT_REGISTRY, request, actor_account=None, now=now, request_id=None)
            accounts = session.scalars(select(Account).where(Account.system.is_(True)).order_by(Account.id))
            return [account_public(account) for account in accounts]

        return self._write(body)

    # --- reads (bridge.registry.views) -----------------------------------------------------------

    def _view(self, read: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
        with self.read_session() as session:
            return read(session, *args, **kwargs)

    def search(self, query: PageQuery, /) -> Page[Any]:
        """One page of the search ``query`` belongs to (``BlockQuery``: blocks, ...)."""
        return self._view(searches.run, query)

    def get_program(self, code: str) -> ProgramPublic:
        return self._view(lookup.get_program, code)

    def get_project(self, *, program: str, project_id: str) -> ProjectPublic:
        return self._view(lookup.get_project, program, project_id)

    def read_row(self, read: lookup.RowRead[R], row_id: int, /) -> R:
        """The row ``read`` reads (``lookup.ISSUANCE``, ``lookup.BLOCK``, ...) with id ``row_id``."""
        return self._view(read.read, row_id)

    def get_account(self, account_id: int) -> AccountPublic:
        return self.read_row(lookup.ACCOUNT, account_id)

    def account_balance(self, account_id: int) -> AccountBalance:
        """Units in an account by status, overall and per issuance."""
        return self.read_row(lookup.ACCOUNT_BALANCE, account_id)

    def get_issuance(self, issuance_id: int) -> IssuancePublic:
        return self.read_row(lookup.ISSUANCE, issuance_id)

    def issuance_totals(self, issuance_id: int) -> IssuanceTotals:
        """Units of an issuance by status (they always add up to the issued quantity)."""
        return self.read_row(lookup.ISSUANCE_TOTALS, issuance_id)

    def get_block(self, block_id: int) -> UnitBlockPublic:
        return self.read_row(lookup.BLOCK, block_id)

    def get_credit(self, serial: str) -> CreditPublic:
        """A block with its issuance, project and program: everything a credit check needs."""
        return self._view(lookup.get_credit, serial)

    def get_credits(self, serials: Sequence[str]) -> list[CreditPublic | None]:
        """``get_credit`` of each of ``serials`` (None where no block has it), in one read."""
        return self._view(lookup.get_credits, serials)

    def get_lock(self, lock_id: int) -> LockPublic:
        """A registry lock (one immobilized block, as locked) and the blocks holding its units now."""
        return self._view(lookup.get_lock, lock_id)

    def get_locked_credits(self, lock_ids: Sequence[int]) -> list[LockedCredit]:
        """The locks among ``lock_ids`` that exist, each with its credit, in one read."""
        return self._view(lookup.get_locked_credits, lock_ids)

    def find_block(self, serial: str) -> UnitBlockPublic:
        """The block with exactly this serial (``block_not_found`` otherwise)."""
        return self.get_credit(serial).block

    # --- journal, integrity, snapshot ------------------------------------------------------------

    def journal_head(self) -> JournalCheckpoint:
        with self.read_session() as session:
            head = session.get_one(LedgerHead, 1)
            return JournalCheckpoint(seq=head.last_seq, hash=head.last_hash)

    def iter_journal(self, *, after_seq: int = 0) -> Iterator[JournalEntryPublic]:
        """Every journal entry after ``after_seq``, read in chunks (for long journals)."""
        with self.read_session() as session:
            for entry in journal.iter_entries(session, after_seq=after_seq):
                yield journal.to_public(entry)

    def verify_journal(self, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport:
        """Re-check the journal's hash chain; the report names the first bad entry, if any."""
        return self._view(journal.verify_journal, checkpoint=checkpoint)

    def check_integrity(self) -> IntegrityReport:
        """Check uniqueness and conservation of units over the whole ledger (see ``integrity``)."""
        return self._view(check_integrity)

    def snapshot(self) -> dict[str, Any]:
        """The whole ledger state as canonical JSON-ready data (equal states give equal snapshots)."""
        return self._view(snapshot)

    def snapshot_digest(self) -> str:
        """sha256 of the canonical JSON of ``snapshot()``: equal digests, equal ledgers."""
        return hashlib.sha256(journal.canonical_json(self.snapshot()).encode("utf-8")).hexdigest()


def _earlier_result(
    earlier: JournalEntry, op: Operation[Any, Any], request: BaseModel, actor_account: int | None
) -> Any:
    """The first result of a retried request, if the retry is the same request by the same actor.

    The recorded request is read with today's request model, so a field the model gained since (at its
    default) does not make an old request a different one.
    """
    recorded = journal.Recorded.of(json.loads(earlier.payload))
    same = earlier.operation == op.name and recorded.actor_account == actor_account
    if same:
        try:
            same = validate(op.request, recorded.request) == request
        except RegistryError:
            same = False
    if not same:
        raise refuse(
            RegistryErrorCode.IDEMPOTENCY_CONFLICT,
            f"request id {earlier.request_id} was used for a different {earlier.operation} request (entry "
            f"{earlier.seq})",
            field="request_id",
            seq=earlier.seq,
        )
    return op.result.model_validate(recorded.result)
