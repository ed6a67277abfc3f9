"""The registry ledger service: ``Registry``.

Every mutating method is one database transaction (all or nothing) that also appends one entry to the
hash-chained journal (``bridge.registry.journal``); a refused operation raises a ``RegistryError``
with a code and changes nothing. Methods take keyword arguments only.

Who may do what. Block operations take ``actor_account``: the account the caller acts for (the HTTP
layer authenticates it); such a caller may only touch blocks in that account. ``actor_account=None``
is the registry operator, who may act on any block. Issuing, freezing and creating programs,
projects and accounts are operator operations (they take no actor).

Status transitions (anything else is refused with ``invalid_transition``)::

    held        -> held (another holding account)   transfer
                -> retired                          retire
                -> cancelled                        cancel
                -> buffer                           move_to_buffer
                -> immobilized (a trust account)    immobilize
    immobilized -> held (a holding account)         release
                -> retired                          retire_from_trust
    buffer      -> cancelled                        cancel (reversal: buffer units cover a loss)
    retired, cancelled: final

Frozen blocks (issued in error) cannot move at all until unfrozen.

Naming units: by ``serial`` (exactly one existing block; ``quantity`` takes only its lowest units) or
by ``issuance_id`` + ``quantity`` (the lowest-numbered eligible units of that issuance in the acting
account, across several blocks if needed). A partial operation splits a block: the operated part
keeps the LOW unit numbers (see ``bridge.registry._blocks``).

Idempotency: give ``request_id`` and a retry of the same request returns the first result without
doing anything; the same id with a different request is refused (``idempotency_conflict``).

Determinism: every id is the next free number and every timestamp is the operation's one clock
reading, recorded in the journal, so ``bridge.registry.replay`` rebuilds an identical database.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bridge.registry import _blocks, journal, serials
from bridge.registry._blocks import Rule, Tx, refuse
from bridge.registry._convert import (
    account_public,
    block_public,
    issuance_public,
    program_public,
    project_public,
    validate,
)
from bridge.registry._serial_formats._fields import ISO_COUNTRIES
from bridge.registry.db import DEFAULT_URL, SQLITE_BEGIN, create_registry_db, session_factory
from bridge.registry.enums import (
    LIVE_STATUSES,
    AccountKind,
    AccountStatus,
    BlockStatus,
)
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.integrity import check_integrity, snapshot
from bridge.registry.models import Account, Issuance, JournalEntry, LedgerHead, Program, Project, UnitBlock
from bridge.registry.schemas import (
    AccountBalance,
    AccountCreate,
    AccountPublic,
    BlockOperationResult,
    BlockSelection,
    BufferRequest,
    CancelRequest,
    CloseAccountRequest,
    CreditPublic,
    FreezeRequest,
    ImmobilizeRequest,
    InitRequest,
    IntegrityReport,
    IssuancePublic,
    IssuanceResult,
    IssuanceTotals,
    IssueRequest,
    JournalCheckpoint,
    JournalEntryPublic,
    JournalReport,
    MarketplaceIdentifier,
    ProgramCreate,
    ProgramPublic,
    ProjectCreate,
    ProjectPublic,
    ReleaseRequest,
    RequestId,
    RetireFromTrustRequest,
    RetireRequest,
    StatusTotals,
    TransferRequest,
    UnfreezeRequest,
    UnitBlockPublic,
)

Clock = Callable[[], datetime]
R = TypeVar("R", bound=BaseModel)

DEFAULT_REGISTRY_NAME: Final = "Simulated Carbon Registry"
_RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_MAX_UNIT: Final = 10**15


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Operation:
    name: str
    request: type[BaseModel]
    result: type[BaseModel]
    handler: Callable[[Registry, Tx, Any], BaseModel]


OPERATIONS: dict[str, _Operation] = {}
"""Every journaled operation by name: its request model, result model and handler."""


def _operation(name: str, request: type[BaseModel], result: type[BaseModel]) -> Callable[[Any], Any]:
    def register(handler: Callable[[Registry, Tx, Any], BaseModel]) -> Callable[[Registry, Tx, Any], BaseModel]:
        OPERATIONS[name] = _Operation(name, request, result, handler)
        return handler

    return register


_MOVE = frozenset({BlockStatus.HELD})
_RULES: Final = {
    "transfer": Rule("transfer", _MOVE),
    "retire": Rule("retire", _MOVE),
    "cancel": Rule("cancel", frozenset({BlockStatus.HELD, BlockStatus.BUFFER})),
    "move_to_buffer": Rule("move to buffer", _MOVE),
    "immobilize": Rule("immobilize", _MOVE),
    "release": Rule("release", frozenset({BlockStatus.IMMOBILIZED})),
    "retire_from_trust": Rule("retire from trust", frozenset({BlockStatus.IMMOBILIZED})),
    "freeze": Rule("freeze", LIVE_STATUSES, frozen=False, any_account=True),
    "unfreeze": Rule("unfreeze", LIVE_STATUSES, frozen=True, any_account=True),
}


class Genesis(BaseModel):
    """Result of the genesis entry: the ids of the registry's own accounts."""

    accounts: list[int]


class Registry:
    """The simulated registry's ledger over a SQLAlchemy session factory.

    Build one with ``Registry.open(url)`` (creates or migrates the database and writes the genesis
    entry), or ``Registry(sessions)`` over an existing, migrated database. Thread-safe: each call
    uses its own session. ``clock`` supplies operation timestamps (UTC).
    """

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
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session:
            session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
            yield session
            session.rollback()

    def _write(self, body: Callable[[Session], R]) -> R:
        """Run ``body`` in one write transaction, retrying PostgreSQL serialization failures."""
        for attempt in range(self._max_retries):
            try:
                with self._sessions() as session, session.begin():
                    return body(session)
            except IntegrityError as exc:
                raise RegistryError(
                    f"the database refused the change: {exc.orig}", code=RegistryErrorCode.CONSTRAINT_VIOLATION
                ) from exc
            except DataError as exc:
                raise RegistryError(
                    f"the database refused a value: {exc.orig}", code=RegistryErrorCode.INVALID_REQUEST
                ) from exc
            except (OperationalError, DBAPIError) as exc:
                sqlstate = getattr(exc.orig, "sqlstate", None)
                locked = "database is locked" in str(exc.orig)
                if (sqlstate in _RETRYABLE_SQLSTATES or locked) and attempt + 1 < self._max_retries:
                    time.sleep(0.005 * (2**attempt))
                    continue
                raise
        raise AssertionError("unreachable")

    def _execute(
        self,
        session: Session,
        head: LedgerHead,
        op: _Operation,
        request: BaseModel,
        now: datetime,
        request_id: str | None,
    ) -> BaseModel:
        """Apply one operation and append its journal entry (inside the caller's transaction)."""
        tx = Tx(session=session, now=now, seq=head.last_seq + 1)
        result = op.handler(self, tx, request)
        journal.append(
            session,
            head,
            recorded_at=now,
            operation=op.name,
            request_id=request_id,
            payload={"request": request.model_dump(mode="json"), "result": result.model_dump(mode="json")},
        )
        # Flushed now so the next operation in the same transaction (replay) finds these rows with get().
        session.flush()
        return result

    def _submit(self, name: str, fields: dict[str, Any], request_id: str | None, result_type: type[R]) -> R:
        op = OPERATIONS[name]
        request = validate(op.request, fields)
        if request_id is not None:
            validate(_RequestIdCheck, {"request_id": request_id})

        def body(session: Session) -> R:
            head = journal.lock_head(session)
            if head.last_seq == 0:
                raise refuse(RegistryErrorCode.NOT_INITIALIZED, "the registry has no genesis entry: call initialize()")
            if request_id is not None:
                earlier = session.scalars(
                    select(JournalEntry).where(JournalEntry.request_id == request_id)
                ).one_or_none()
                if earlier is not None:
                    return _earlier_result(earlier, op, request, result_type)
            result = self._execute(session, head, op, request, self._now(), request_id)
            assert isinstance(result, result_type)
            return result

        return self._write(body)

    # --- genesis ---------------------------------------------------------------------------------

    def initialize(self, *, registry_name: str = DEFAULT_REGISTRY_NAME) -> list[AccountPublic]:
        """Write the genesis entry if the journal is empty; the registry's own accounts either way."""
        op = OPERATIONS["init_registry"]
        request = validate(InitRequest, {"registry_name": registry_name})

        def body(session: Session) -> list[AccountPublic]:
            head = journal.lock_head(session)
            if head.last_seq == 0:
                self._execute(session, head, op, request, self._now(), None)
            accounts = session.scalars(select(Account).where(Account.system.is_(True)).order_by(Account.id))
            return [account_public(account) for account in accounts]

        return self._write(body)

    @_operation("init_registry", InitRequest, Genesis)
    def _do_init(self, tx: Tx, request: InitRequest) -> Genesis:
        for account_id, kind, label in (
            (1, AccountKind.RETIREMENT, "retirement account"),
            (2, AccountKind.CANCELLATION, "cancellation account"),
            (3, AccountKind.BUFFER, "buffer pool account"),
        ):
            tx.session.add(
                Account(
                    id=account_id,
                    kind=kind,
                    owner=request.registry_name,
                    name=f"{request.registry_name} {label}",
                    status=AccountStatus.OPEN,
                    system=True,
                    created_at=tx.now,
                    closed_at=None,
                )
            )
        return Genesis(accounts=[1, 2, 3])

    # --- programs, projects, accounts ------------------------------------------------------------

    def create_program(
        self,
        *,
        code: str,
        category: str,
        name: str | None = None,
        unit_type: str | None = None,
        ccp_eligible: bool = False,
        corsia_phases: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProgramPublic:
        """Register a crediting program (its ``code`` must be one ``serials.PROGRAMS`` models)."""
        fields = {
            "code": code,
            "category": category,
            "name": name,
            "unit_type": unit_type,
            "ccp_eligible": ccp_eligible,
            "corsia_phases": corsia_phases or [],
        }
        return self._submit("create_program", fields, request_id, ProgramPublic)

    @_operation("create_program", ProgramCreate, ProgramPublic)
    def _do_create_program(self, tx: Tx, request: ProgramCreate) -> ProgramPublic:
        info = serials.program_info(request.code)
        if tx.session.get(Program, info.code) is not None:
            raise refuse(RegistryErrorCode.PROGRAM_EXISTS, f"program {info.code} already exists", field="code")
        program = Program(
            code=info.code,
            name=request.name or info.name,
            unit_type=request.unit_type or info.unit,
            category=request.category,
            ccp_eligible=request.ccp_eligible,
            corsia_phases=[str(phase) for phase in request.corsia_phases],
            created_at=tx.now,
        )
        tx.session.add(program)
        return program_public(program)

    def create_project(
        self,
        *,
        program: str,
        project_id: str,
        name: str,
        methodology_id: str,
        methodology_category: str,
        sector: str,
        sectoral_scope: str,
        host_country: str,
        mitigation_type: str,
        ex_post: bool = True,
        ccp_approved: bool = False,
        corsia_eligible: bool = False,
        corsia_phase: str | None = None,
        article6_authorization: str = "not_authorized",
        corresponding_adjustment_declaration: str = "Unknown",
        corresponding_adjustment_status: str = "Not Applicable",
        sdg_goals: list[int] | None = None,
        additional_certifications: list[str] | None = None,
        request_id: str | None = None,
    ) -> ProjectPublic:
        """Register a project and its labels (see ``ProjectCreate`` for the label rules)."""
        fields = {
            "program": program,
            "project_id": project_id,
            "name": name,
            "methodology_id": methodology_id,
            "methodology_category": methodology_category,
            "sector": sector,
            "sectoral_scope": sectoral_scope,
            "host_country": host_country,
            "mitigation_type": mitigation_type,
            "ex_post": ex_post,
            "ccp_approved": ccp_approved,
            "corsia_eligible": corsia_eligible,
            "corsia_phase": corsia_phase,
            "article6_authorization": article6_authorization,
            "corresponding_adjustment_declaration": corresponding_adjustment_declaration,
            "corresponding_adjustment_status": corresponding_adjustment_status,
            "sdg_goals": sdg_goals or [],
            "additional_certifications": additional_certifications or [],
        }
        return self._submit("create_project", fields, request_id, ProjectPublic)

    @_operation("create_project", ProjectCreate, ProjectPublic)
    def _do_create_project(self, tx: Tx, request: ProjectCreate) -> ProjectPublic:
        session = tx.session
        program = session.get(Program, request.program)
        if program is None:
            raise refuse(
                RegistryErrorCode.UNKNOWN_PROGRAM, f"program {request.program} is not registered", field="program"
            )
        exists = session.scalar(
            select(Project.id).where(Project.program_code == program.code, Project.project_id == request.project_id)
        )
        if exists is not None:
            raise refuse(
                RegistryErrorCode.PROJECT_EXISTS,
                f"project {program.code} {request.project_id} already exists",
                field="project_id",
            )
        if request.host_country not in ISO_COUNTRIES:
            raise refuse(
                RegistryErrorCode.INVALID_REQUEST,
                f"host_country {request.host_country} is not an ISO 3166-1 alpha-2 code",
                field="host_country",
            )
        _check_labels(request, program)
        project = Project(
            id=(session.scalar(select(func.max(Project.id))) or 0) + 1,
            program_code=program.code,
            project_id=request.project_id,
            name=request.name,
            methodology_id=request.methodology_id,
            methodology_category=request.methodology_category,
            sector=request.sector,
            sectoral_scope=request.sectoral_scope,
            host_country=request.host_country,
            mitigation_type=request.mitigation_type,
            ex_post=request.ex_post,
            ccp_approved=request.ccp_approved,
            corsia_eligible=request.corsia_eligible,
            corsia_phase=request.corsia_phase,
            article6_authorization=request.article6_authorization,
            corresponding_adjustment_declaration=request.corresponding_adjustment_declaration,
            corresponding_adjustment_status=request.corresponding_adjustment_status,
            sdg_goals=list(request.sdg_goals),
            additional_certifications=list(request.additional_certifications),
            created_at=tx.now,
        )
        session.add(project)
        return project_public(project)

    def create_account(
        self, *, kind: str, owner: str, name: str | None = None, request_id: str | None = None
    ) -> AccountPublic:
        """Open an account: ``holding`` (custodians, traders, proponents), ``trust`` (the bridge's),
        or an extra ``retirement`` / ``cancellation`` / ``buffer`` account."""
        fields = {"kind": kind, "owner": owner, "name": name}
        return self._submit("create_account", fields, request_id, AccountPublic)

    @_operation("create_account", AccountCreate, AccountPublic)
    def _do_create_account(self, tx: Tx, request: AccountCreate) -> AccountPublic:
        account = Account(
            id=(tx.session.scalar(select(func.max(Account.id))) or 0) + 1,
            kind=request.kind,
            owner=request.owner,
            name=request.name or f"{request.owner} {request.kind} account"[:200],
            status=AccountStatus.OPEN,
            system=False,
            created_at=tx.now,
            closed_at=None,
        )
        tx.session.add(account)
        return account_public(account)

    def close_account(self, *, account_id: int, request_id: str | None = None) -> AccountPublic:
        """Close an account that holds no live (held, immobilized or buffer) units."""
        return self._submit("close_account", {"account_id": account_id}, request_id, AccountPublic)

    @_operation("close_account", CloseAccountRequest, AccountPublic)
    def _do_close_account(self, tx: Tx, request: CloseAccountRequest) -> AccountPublic:
        session = tx.session
        account = session.get(Account, request.account_id, with_for_update=True)
        if account is None:
            raise refuse(
                RegistryErrorCode.UNKNOWN_ACCOUNT, f"account {request.account_id} does not exist", field="account_id"
            )
        if account.status is AccountStatus.CLOSED:
            raise refuse(
                RegistryErrorCode.ACCOUNT_CLOSED, f"account {account.id} is already closed", field="account_id"
            )
        if account.system:
            raise refuse(
                RegistryErrorCode.WRONG_ACCOUNT_KIND,
                f"account {account.id} is one of the registry's own accounts and stays open",
                field="account_id",
            )
        live = session.scalar(
            select(func.coalesce(func.sum(UnitBlock.quantity), 0)).where(
                UnitBlock.account_id == account.id, UnitBlock.status.in_(sorted(LIVE_STATUSES))
            )
        )
        if live:
            raise refuse(
                RegistryErrorCode.ACCOUNT_NOT_EMPTY,
                f"account {account.id} still holds {live} live units",
                field="account_id",
                units=int(live),
            )
        account.status = AccountStatus.CLOSED
        account.closed_at = tx.now
        return account_public(account)

    # --- issuance --------------------------------------------------------------------------------

    def issue(
        self,
        *,
        program: str,
        project_id: str,
        to_account: int,
        quantity: int,
        vintage_start: date,
        vintage_end: date,
        issued_on: date | None = None,
        first_unit: int | None = None,
        program_fields: dict[str, str] | None = None,
        request_id: str | None = None,
    ) -> IssuanceResult:
        """Issue ``quantity`` new units of a project's vintage as one block in holding account
        ``to_account``. Unit numbers never overlap earlier issuances in the same numbering space."""
        fields = {
            "program": program,
            "project_id": project_id,
            "to_account": to_account,
            "quantity": quantity,
            "vintage_start": vintage_start,
            "vintage_end": vintage_end,
            "issued_on": issued_on,
            "first_unit": first_unit,
            "program_fields": program_fields or {},
        }
        return self._submit("issue", fields, request_id, IssuanceResult)

    @_operation("issue", IssueRequest, IssuanceResult)
    def _do_issue(self, tx: Tx, request: IssueRequest) -> IssuanceResult:
        session = tx.session
        if session.get(Program, request.program) is None:
            raise refuse(
                RegistryErrorCode.UNKNOWN_PROGRAM, f"program {request.program} is not registered", field="program"
            )
        project = session.scalars(
            select(Project).where(Project.program_code == request.program, Project.project_id == request.project_id)
        ).one_or_none()
        if project is None:
            raise refuse(
                RegistryErrorCode.UNKNOWN_PROJECT,
                f"project {request.program} {request.project_id} is not registered",
                field="project_id",
            )
        account = _blocks.destination(
            session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="issuance"
        )
        issuance_id = (session.scalar(select(func.max(Issuance.id))) or 0) + 1
        program_fields = {**_serial_defaults(project), **request.program_fields}
        probe = serials.make_serial(
            project.program_code,
            start=1,
            end=1,
            project_id=project.project_id,
            country=project.host_country,
            vintage_start=request.vintage_start,
            vintage_end=request.vintage_end,
            issuance_id=str(issuance_id),
            **program_fields,
        )
        unit_space = probe.unit_space
        if request.first_unit is None:
            highest = session.scalar(select(func.max(Issuance.unit_end)).where(Issuance.unit_space == unit_space))
            start = (highest or 0) + 1
        else:
            start = request.first_unit
        end = start + request.quantity - 1
        if end > _MAX_UNIT:
            raise refuse(
                RegistryErrorCode.QUANTITY_INVALID,
                f"unit numbers would run past {_MAX_UNIT}",
                field="first_unit" if request.first_unit is not None else "quantity",
            )
        clash = session.scalars(
            select(Issuance)
            .where(Issuance.unit_space == unit_space, Issuance.unit_start <= end, Issuance.unit_end >= start)
            .limit(1)
        ).first()
        if clash is not None:
            raise refuse(
                RegistryErrorCode.OVERLAPPING_BLOCK,
                f"units {start}-{end} of {unit_space} overlap issuance {clash.id} ({clash.serial})",
                field="first_unit",
                issuance_id=clash.id,
            )
        block_serial = probe.with_range(start, end)
        text = serials.format(block_serial)
        if session.scalar(select(Issuance.id).where(Issuance.serial == text)) is not None:
            raise refuse(RegistryErrorCode.OVERLAPPING_BLOCK, f"serial {text} exists already", field="program_fields")
        issuance = Issuance(
            id=issuance_id,
            project_id=project.id,
            vintage_start=request.vintage_start,
            vintage_end=request.vintage_end,
            issued_on=request.issued_on or tx.now.date(),
            quantity=request.quantity,
            unit_space=unit_space,
            unit_start=start,
            unit_end=end,
            serial=text,
            issuance_ref=block_serial.issuance_ref,
            issued_to_account_id=account.id,
            created_at=tx.now,
        )
        session.add(issuance)
        session.flush()
        block = UnitBlock(
            id=tx.next_block_id(),
            issuance_id=issuance_id,
            unit_space=unit_space,
            unit_start=start,
            unit_end=end,
            quantity=request.quantity,
            serial=text,
            status=BlockStatus.HELD,
            account_id=account.id,
            previous_account_id=None,
            frozen=False,
            freeze_reason=None,
            retirement_beneficiary=None,
            retirement_reason=None,
            retirement_details=None,
            retirement_settles=None,
            retired_at=None,
            cancellation_reason=None,
            cancelled_at=None,
            marketplace=None,
            marketplace_chain_id=None,
            marketplace_token_address=None,
            marketplace_batch_id=None,
            marketplace_link=None,
            created_at=tx.now,
            updated_at=tx.now,
        )
        session.add(block)
        return IssuanceResult(
            seq=tx.seq,
            recorded_at=tx.now,
            issuance=issuance_public(issuance, project),
            block=block_public(block),
        )

    # --- block operations ------------------------------------------------------------------------

    def _move(
        self,
        tx: Tx,
        request: BlockSelection,
        operation: str,
        actor_account: int | None,
        apply: Callable[[UnitBlock], None],
        *,
        check: Callable[[UnitBlock], None] | None = None,
    ) -> BlockOperationResult:
        """Select the units, split off what is not taken, and ``apply`` the change to each taken block."""
        _blocks.check_actor(tx.session, actor_account)
        chosen = _blocks.select_units(tx, request, _RULES[operation], actor_account=actor_account)
        if check is not None:
            for block, _ in chosen:
                check(block)
        moved: list[UnitBlock] = []
        split_off: list[dict[str, object]] = []
        for block, quantity in chosen:
            remainder = _blocks.narrow(block, quantity)
            if remainder is not None:
                split_off.append(remainder)
            apply(block)
            block.updated_at = tx.now
            moved.append(block)
        remainders = _blocks.add_remainders(tx, split_off)
        return BlockOperationResult(
            seq=tx.seq,
            operation=operation,
            recorded_at=tx.now,
            quantity=sum(block.quantity for block in moved),
            blocks=[block_public(block) for block in moved],
            remainders=[block_public(block) for block in remainders],
        )

    def transfer(
        self,
        *,
        actor_account: int | None,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Move held units to another holding account (whole block, or its lowest ``quantity`` units)."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "to_account": to_account,
        }
        return self._submit("transfer", fields, request_id, BlockOperationResult)

    @_operation("transfer", TransferRequest, BlockOperationResult)
    def _do_transfer(self, tx: Tx, request: TransferRequest) -> BlockOperationResult:
        target = _blocks.destination(
            tx.session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="a transfer"
        )

        def check(block: UnitBlock) -> None:
            if block.account_id == target.id:
                raise refuse(
                    RegistryErrorCode.SAME_ACCOUNT,
                    f"block {block.serial} is already in account {target.id}",
                    field="to_account",
                )

        def apply(block: UnitBlock) -> None:
            block.previous_account_id = block.account_id
            block.account_id = target.id

        return self._move(tx, request, "transfer", request.actor_account, apply, check=check)

    def retire(
        self,
        *,
        actor_account: int | None,
        beneficiary: str,
        reason: str,
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Retire held units for ``beneficiary`` (final). They move to the registry's retirement
        account unless another ``retirement_account`` is named."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "beneficiary": beneficiary,
            "reason": reason,
            "details": details,
            "retirement_account": retirement_account,
        }
        return self._submit("retire", fields, request_id, BlockOperationResult)

    @_operation("retire", RetireRequest, BlockOperationResult)
    def _do_retire(self, tx: Tx, request: RetireRequest) -> BlockOperationResult:
        target = self._final_account(tx, request.retirement_account, AccountKind.RETIREMENT, "retirement_account")

        def apply(block: UnitBlock) -> None:
            _retire_block(block, target, tx.now, request.beneficiary, request.reason, request.details, [])

        return self._move(tx, request, "retire", request.actor_account, apply)

    def cancel(
        self,
        *,
        actor_account: int | None,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        cancellation_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Cancel held (or, by the operator, buffer) units: out of circulation for good."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "reason": reason,
            "cancellation_account": cancellation_account,
        }
        return self._submit("cancel", fields, request_id, BlockOperationResult)

    @_operation("cancel", CancelRequest, BlockOperationResult)
    def _do_cancel(self, tx: Tx, request: CancelRequest) -> BlockOperationResult:
        target = self._final_account(tx, request.cancellation_account, AccountKind.CANCELLATION, "cancellation_account")

        def apply(block: UnitBlock) -> None:
            block.previous_account_id = block.account_id
            block.account_id = target.id
            block.status = BlockStatus.CANCELLED
            block.cancellation_reason = request.reason
            block.cancelled_at = tx.now

        return self._move(tx, request, "cancel", request.actor_account, apply)

    def move_to_buffer(
        self,
        *,
        actor_account: int | None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        buffer_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Deposit held units into the buffer pool (reversal risk of nature-based projects)."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "buffer_account": buffer_account,
        }
        return self._submit("move_to_buffer", fields, request_id, BlockOperationResult)

    @_operation("move_to_buffer", BufferRequest, BlockOperationResult)
    def _do_move_to_buffer(self, tx: Tx, request: BufferRequest) -> BlockOperationResult:
        target = self._final_account(tx, request.buffer_account, AccountKind.BUFFER, "buffer_account")

        def apply(block: UnitBlock) -> None:
            block.previous_account_id = block.account_id
            block.account_id = target.id
            block.status = BlockStatus.BUFFER

        return self._move(tx, request, "move_to_buffer", request.actor_account, apply)

    def immobilize(
        self,
        *,
        actor_account: int | None,
        trust_account: int,
        marketplace: str,
        marketplace_identifier: MarketplaceIdentifier | dict[str, Any],
        marketplace_link: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Lock held units in a trust account, recording where they are represented
        (``marketplace_identifier``: chain id, token address, batch id)."""
        identifier = (
            marketplace_identifier.model_dump()
            if isinstance(marketplace_identifier, MarketplaceIdentifier)
            else marketplace_identifier
        )
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "trust_account": trust_account,
            "marketplace": marketplace,
            "marketplace_identifier": identifier,
            "marketplace_link": marketplace_link,
        }
        return self._submit("immobilize", fields, request_id, BlockOperationResult)

    @_operation("immobilize", ImmobilizeRequest, BlockOperationResult)
    def _do_immobilize(self, tx: Tx, request: ImmobilizeRequest) -> BlockOperationResult:
        target = _blocks.destination(
            tx.session, request.trust_account, (AccountKind.TRUST,), field="trust_account", purpose="immobilizing"
        )
        identifier = request.marketplace_identifier

        def apply(block: UnitBlock) -> None:
            block.previous_account_id = block.account_id
            block.account_id = target.id
            block.status = BlockStatus.IMMOBILIZED
            block.marketplace = request.marketplace
            block.marketplace_chain_id = identifier.chain_id
            block.marketplace_token_address = identifier.token_address
            block.marketplace_batch_id = identifier.batch_id
            block.marketplace_link = request.marketplace_link

        return self._move(tx, request, "immobilize", request.actor_account, apply)

    def release(
        self,
        *,
        actor_account: int | None,
        to_account: int,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Release immobilised units from trust back to a holding account (a redemption)."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "to_account": to_account,
        }
        return self._submit("release", fields, request_id, BlockOperationResult)

    @_operation("release", ReleaseRequest, BlockOperationResult)
    def _do_release(self, tx: Tx, request: ReleaseRequest) -> BlockOperationResult:
        target = _blocks.destination(
            tx.session, request.to_account, (AccountKind.HOLDING,), field="to_account", purpose="a release"
        )

        def apply(block: UnitBlock) -> None:
            block.previous_account_id = block.account_id
            block.account_id = target.id
            block.status = BlockStatus.HELD
            block.marketplace = None
            block.marketplace_chain_id = None
            block.marketplace_token_address = None
            block.marketplace_batch_id = None
            block.marketplace_link = None

        return self._move(tx, request, "release", request.actor_account, apply)

    def retire_from_trust(
        self,
        *,
        actor_account: int | None,
        beneficiary: str,
        reason: str,
        settles: list[str],
        details: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        retirement_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Retire immobilised units, settling retirements made elsewhere (``settles`` names them,
        e.g. on-chain retirement certificate ids). The marketplace record stays on the block."""
        fields = {
            **_selection(serial, issuance_id, quantity, from_account),
            "actor_account": actor_account,
            "beneficiary": beneficiary,
            "reason": reason,
            "details": details,
            "settles": settles,
            "retirement_account": retirement_account,
        }
        return self._submit("retire_from_trust", fields, request_id, BlockOperationResult)

    @_operation("retire_from_trust", RetireFromTrustRequest, BlockOperationResult)
    def _do_retire_from_trust(self, tx: Tx, request: RetireFromTrustRequest) -> BlockOperationResult:
        target = self._final_account(tx, request.retirement_account, AccountKind.RETIREMENT, "retirement_account")

        def apply(block: UnitBlock) -> None:
            _retire_block(
                block, target, tx.now, request.beneficiary, request.reason, request.details, list(request.settles)
            )

        return self._move(tx, request, "retire_from_trust", request.actor_account, apply)

    def freeze(
        self,
        *,
        reason: str,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Freeze live units issued in error (operator). By issuance without ``quantity``: all of them."""
        fields = {**_selection(serial, issuance_id, quantity, from_account), "reason": reason}
        return self._submit("freeze", fields, request_id, BlockOperationResult)

    @_operation("freeze", FreezeRequest, BlockOperationResult)
    def _do_freeze(self, tx: Tx, request: FreezeRequest) -> BlockOperationResult:
        def apply(block: UnitBlock) -> None:
            block.frozen = True
            block.freeze_reason = request.reason

        return self._move(tx, request, "freeze", None, apply)

    def unfreeze(
        self,
        *,
        reason: str | None = None,
        serial: str | None = None,
        issuance_id: int | None = None,
        quantity: int | None = None,
        from_account: int | None = None,
        request_id: str | None = None,
    ) -> BlockOperationResult:
        """Unfreeze frozen units (operator). By issuance without ``quantity``: all of them."""
        fields = {**_selection(serial, issuance_id, quantity, from_account), "reason": reason}
        return self._submit("unfreeze", fields, request_id, BlockOperationResult)

    @_operation("unfreeze", UnfreezeRequest, BlockOperationResult)
    def _do_unfreeze(self, tx: Tx, request: UnfreezeRequest) -> BlockOperationResult:
        def apply(block: UnitBlock) -> None:
            block.frozen = False
            block.freeze_reason = None

        return self._move(tx, request, "unfreeze", None, apply)

    def _final_account(self, tx: Tx, account_id: int | None, kind: AccountKind, field: str) -> Account:
        if account_id is not None:
            return _blocks.destination(tx.session, account_id, (kind,), field=field, purpose=f"a {kind}")
        account = tx.session.scalars(
            select(Account)
            .where(Account.kind == kind, Account.system.is_(True), Account.status == AccountStatus.OPEN)
            .order_by(Account.id)
            .limit(1)
        ).first()
        if account is None:
            raise refuse(RegistryErrorCode.NOT_INITIALIZED, f"the registry has no open {kind} account", field=field)
        return account

    # --- queries ---------------------------------------------------------------------------------

    def list_programs(self) -> list[ProgramPublic]:
        with self._read() as session:
            return [program_public(p) for p in session.scalars(select(Program).order_by(Program.code))]

    def get_program(self, code: str) -> ProgramPublic:
        with self._read() as session:
            program = session.get(Program, code.upper())
            if program is None:
                raise refuse(RegistryErrorCode.UNKNOWN_PROGRAM, f"program {code} is not registered", field="code")
            return program_public(program)

    def list_projects(self, *, program: str | None = None) -> list[ProjectPublic]:
        with self._read() as session:
            query = select(Project).order_by(Project.id)
            if program is not None:
                query = query.where(Project.program_code == program.upper())
            return [project_public(p) for p in session.scalars(query)]

    def get_project(self, *, program: str, project_id: str) -> ProjectPublic:
        with self._read() as session:
            return project_public(_project(session, program.upper(), project_id))

    def list_accounts(self, *, kind: str | None = None) -> list[AccountPublic]:
        with self._read() as session:
            query = select(Account).order_by(Account.id)
            if kind is not None:
                query = query.where(Account.kind == _choice(AccountKind, kind, "kind"))
            return [account_public(a) for a in session.scalars(query)]

    def get_account(self, account_id: int) -> AccountPublic:
        _check_row_id(account_id, "account_id")
        with self._read() as session:
            return account_public(_blocks.get_account(session, account_id, field="account_id"))

    def list_issuances(self, *, program: str | None = None, project_id: str | None = None) -> list[IssuancePublic]:
        with self._read() as session:
            query = select(Issuance, Project).join(Project, Issuance.project_id == Project.id).order_by(Issuance.id)
            if program is not None:
                query = query.where(Project.program_code == program.upper())
            if project_id is not None:
                query = query.where(Project.project_id == project_id)
            return [issuance_public(i, p) for i, p in session.execute(query)]

    def get_issuance(self, issuance_id: int) -> IssuancePublic:
        _check_row_id(issuance_id, "issuance_id")
        with self._read() as session:
            issuance = session.get(Issuance, issuance_id)
            if issuance is None:
                raise refuse(
                    RegistryErrorCode.UNKNOWN_ISSUANCE, f"issuance {issuance_id} does not exist", field="issuance_id"
                )
            return issuance_public(issuance, session.get_one(Project, issuance.project_id))

    def list_blocks(
        self,
        *,
        account_id: int | None = None,
        status: str | None = None,
        issuance_id: int | None = None,
        frozen: bool | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[UnitBlockPublic]:
        """Blocks matching every filter given, by issuance and unit number."""
        with self._read() as session:
            query = select(UnitBlock).order_by(UnitBlock.unit_space, UnitBlock.unit_start)
            if account_id is not None:
                query = query.where(UnitBlock.account_id == account_id)
            if status is not None:
                query = query.where(UnitBlock.status == _choice(BlockStatus, status, "status"))
            if issuance_id is not None:
                query = query.where(UnitBlock.issuance_id == issuance_id)
            if frozen is not None:
                query = query.where(UnitBlock.frozen.is_(frozen))
            if offset:
                query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return [block_public(b) for b in session.scalars(query)]

    def get_block(self, block_id: int) -> UnitBlockPublic:
        _check_row_id(block_id, "block_id")
        with self._read() as session:
            block = session.get(UnitBlock, block_id)
            if block is None:
                raise refuse(RegistryErrorCode.BLOCK_NOT_FOUND, f"block {block_id} does not exist", field="block_id")
            return block_public(block)

    def find_block(self, serial: str) -> UnitBlockPublic:
        """The block with exactly this serial (``block_not_found`` otherwise)."""
        return self.get_credit(serial).block

    def get_credit(self, serial: str) -> CreditPublic:
        """A block with its issuance, project and program: everything a credit check needs."""
        parsed = serials.parse(serial)
        with self._read() as session:
            block = session.scalars(
                select(UnitBlock).where(UnitBlock.unit_space == parsed.unit_space, UnitBlock.unit_start == parsed.start)
            ).one_or_none()
            if block is None or block.serial != serial:
                raise refuse(RegistryErrorCode.BLOCK_NOT_FOUND, f"no block has serial {serial}", field="serial")
            issuance = session.get_one(Issuance, block.issuance_id)
            project = session.get_one(Project, issuance.project_id)
            return CreditPublic(
                block=block_public(block),
                issuance=issuance_public(issuance, project),
                project=project_public(project),
                program=program_public(session.get_one(Program, project.program_code)),
            )

    def issuance_totals(self, issuance_id: int) -> IssuanceTotals:
        _check_row_id(issuance_id, "issuance_id")
        """Units of an issuance by status (they always add up to the issued quantity)."""
        with self._read() as session:
            issuance = session.get(Issuance, issuance_id)
            if issuance is None:
                raise refuse(
                    RegistryErrorCode.UNKNOWN_ISSUANCE, f"issuance {issuance_id} does not exist", field="issuance_id"
                )
            totals = _totals(session, UnitBlock.issuance_id == issuance_id)
            return IssuanceTotals(
                issuance_id=issuance_id, issued=issuance.quantity, by_status=totals.get(None, StatusTotals())
            )

    def account_balance(self, account_id: int) -> AccountBalance:
        """Units in an account by status, overall and per issuance."""
        _check_row_id(account_id, "account_id")
        with self._read() as session:
            account = _blocks.get_account(session, account_id, field="account_id")
            per_issuance = _totals(session, UnitBlock.account_id == account_id, by_issuance=True)
            overall = _totals(session, UnitBlock.account_id == account_id).get(None, StatusTotals())
            return AccountBalance(
                account=account_public(account),
                by_status=overall,
                by_issuance={key: value for key, value in per_issuance.items() if key is not None},
            )

    # --- journal, integrity, snapshot ------------------------------------------------------------

    def journal_head(self) -> JournalCheckpoint:
        with self._read() as session:
            head = session.get_one(LedgerHead, 1)
            return JournalCheckpoint(seq=head.last_seq, hash=head.last_hash)

    def journal_entries(self, *, after_seq: int = 0, limit: int | None = None) -> list[JournalEntryPublic]:
        """Journal entries with ``seq > after_seq`` in order (all of them by default)."""
        with self._read() as session:
            query = select(JournalEntry).where(JournalEntry.seq > after_seq).order_by(JournalEntry.seq)
            if limit is not None:
                query = query.limit(limit)
            return [journal.to_public(entry) for entry in session.scalars(query)]

    def iter_journal(self, *, after_seq: int = 0) -> Iterator[JournalEntryPublic]:
        """Every journal entry after ``after_seq``, read in chunks (for long journals)."""
        with self._read() as session:
            for entry in journal.iter_entries(session, after_seq=after_seq):
                yield journal.to_public(entry)

    def verify_journal(self, *, checkpoint: JournalCheckpoint | None = None) -> JournalReport:
        """Re-check the journal's hash chain; the report names the first bad entry, if any."""
        with self._read() as session:
            return journal.verify_journal(session, checkpoint=checkpoint)

    def check_integrity(self) -> IntegrityReport:
        """Check uniqueness and conservation of units over the whole ledger (see ``integrity``)."""
        with self._read() as session:
            return check_integrity(session)

    def snapshot(self) -> dict[str, Any]:
        """The whole ledger state as canonical JSON-ready data (equal states give equal snapshots)."""
        with self._read() as session:
            return snapshot(session)

    def snapshot_digest(self) -> str:
        """sha256 of the canonical JSON of ``snapshot()``: equal digests, equal ledgers."""
        return hashlib.sha256(journal.canonical_json(self.snapshot()).encode("utf-8")).hexdigest()


class _RequestIdCheck(BaseModel):
    request_id: RequestId


def _earlier_result(earlier: JournalEntry, op: _Operation, request: BaseModel, result_type: type[R]) -> R:
    payload = json.loads(earlier.payload)
    if earlier.operation != op.name or payload["request"] != request.model_dump(mode="json"):
        raise refuse(
            RegistryErrorCode.IDEMPOTENCY_CONFLICT,
            f"request id {earlier.request_id} was used for a different {earlier.operation} request (entry "
            f"{earlier.seq})",
            field="request_id",
            seq=earlier.seq,
        )
    return result_type.model_validate(payload["result"])


E = TypeVar("E", bound=StrEnum)


def _choice(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise refuse(
            RegistryErrorCode.INVALID_REQUEST, f"{field} {value!r} is not one of {choices}", field=field
        ) from None


def _selection(
    serial: str | None, issuance_id: int | None, quantity: int | None, from_account: int | None
) -> dict[str, Any]:
    return {"serial": serial, "issuance_id": issuance_id, "quantity": quantity, "from_account": from_account}


def _retire_block(
    block: UnitBlock,
    target: Account,
    now: datetime,
    beneficiary: str,
    reason: str,
    details: str | None,
    settles: list[str],
) -> None:
    block.previous_account_id = block.account_id
    block.account_id = target.id
    block.status = BlockStatus.RETIRED
    block.retirement_beneficiary = beneficiary
    block.retirement_reason = reason
    block.retirement_details = details
    block.retirement_settles = settles
    block.retired_at = now


def _check_labels(request: ProjectCreate, program: Program) -> None:
    if request.ccp_approved and not request.ex_post:
        raise refuse(
            RegistryErrorCode.LABEL_INCONSISTENT,
            "ccp_approved: only ex-post issued credits can be CCP-approved",
            field="ccp_approved",
        )
    if request.ccp_approved and not program.ccp_eligible:
        raise refuse(
            RegistryErrorCode.LABEL_INCONSISTENT,
            f"ccp_approved: program {program.code} is not CCP-eligible",
            field="ccp_approved",
        )
    if request.corsia_eligible != (request.corsia_phase is not None):
        raise refuse(
            RegistryErrorCode.LABEL_INCONSISTENT,
            "corsia_phase: give a CORSIA phase exactly when the project is CORSIA-eligible",
            field="corsia_phase",
        )
    if request.corsia_phase is not None and str(request.corsia_phase) not in program.corsia_phases:
        raise refuse(
            RegistryErrorCode.LABEL_INCONSISTENT,
            f"corsia_phase: program {program.code} is not CORSIA-eligible in the {request.corsia_phase} phase",
            field="corsia_phase",
        )


def _serial_defaults(project: Project) -> dict[str, str]:
    """Serial fields a program prints that the project already knows (callers may override them)."""
    if project.program_code == "VCS":
        defaults = {"additional_certification": "1" if project.additional_certifications else "0"}
        if project.sectoral_scope.isdecimal() and 1 <= int(project.sectoral_scope) <= 16:
            defaults["sectoral_scope"] = str(int(project.sectoral_scope))
        return defaults
    return {}


def _project(session: Session, program: str, project_id: str) -> Project:
    project = session.scalars(
        select(Project).where(Project.program_code == program, Project.project_id == project_id)
    ).one_or_none()
    if project is None:
        raise refuse(
            RegistryErrorCode.UNKNOWN_PROJECT, f"project {program} {project_id} is not registered", field="project_id"
        )
    return project


def _totals(session: Session, condition: Any, *, by_issuance: bool = False) -> dict[int | None, StatusTotals]:
    key = UnitBlock.issuance_id if by_issuance else None
    columns: list[Any] = [UnitBlock.status, UnitBlock.frozen, func.sum(UnitBlock.quantity)]
    group: list[Any] = [UnitBlock.status, UnitBlock.frozen]
    if key is not None:
        columns.insert(0, key)
        group.insert(0, key)
    rows = session.execute(select(*columns).where(condition).group_by(*group)).all()
    sums: dict[int | None, dict[str, int]] = {}
    for row in rows:
        issuance_id = row[0] if key is not None else None
        status, frozen, quantity = row[-3], row[-2], int(row[-1])
        bucket = sums.setdefault(issuance_id, {})
        bucket[str(status)] = bucket.get(str(status), 0) + quantity
        if frozen:
            bucket["frozen"] = bucket.get("frozen", 0) + quantity
    return {issuance_id: StatusTotals(**values) for issuance_id, values in sums.items()}


def _check_row_id(value: int, field: str) -> None:
    """Ids are 32-bit columns: refuse others with a clear error instead of a database driver overflow."""
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**31 - 1) <= value <= 2**31 - 1:
        raise refuse(RegistryErrorCode.INVALID_REQUEST, f"{field} must be an id from 1 to {2**31 - 1}", field=field)
