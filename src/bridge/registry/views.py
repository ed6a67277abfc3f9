"""Public search over the registry, shaped like a real registry's (Verra / CAD Trust style).

Read-only queries through the ledger's own models and engine, paginated: every search takes a query
model (filters + ``limit``/``offset``; the same models are the HTTP API's query parameters) and returns
a ``Page`` ``{items, total, limit, offset}``. Nothing here writes.

Filters are combined with AND; text filters marked "contains" match case-insensitively anywhere in
the field, the others exactly (codes case-insensitively).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from bridge.registry import journal, serials
from bridge.registry._convert import account_public, block_public, issuance_public, program_public, project_public
from bridge.registry.db import SQLITE_BEGIN, session_factory
from bridge.registry.enums import (
    AccountKind,
    AccountStatus,
    Article6Authorization,
    BlockStatus,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    MitigationType,
    ProgramCategory,
)
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.ledger import Registry
from bridge.registry.models import Account, Issuance, JournalEntry, Program, Project, UnitBlock
from bridge.registry.schemas import (
    AccountPublic,
    IssuancePublic,
    JournalEntryPublic,
    MarketplacePublic,
    ProgramPublic,
    ProjectPublic,
    UnitBlockPublic,
)

T = TypeVar("T")

MAX_PAGE: Final = 500
"""The largest ``limit`` a search accepts."""
DEFAULT_PAGE: Final = 50
MAX_ID: Final = 2**31 - 1
"""Row ids (accounts, issuances, blocks, API keys) are 32-bit integers in the database."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Search = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Year = Annotated[int, Field(ge=1900, le=2200)]


class Page(BaseModel, Generic[T]):
    """One page of search results: ``items`` ``offset``..``offset + limit`` of ``total`` matches."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- query models (also the HTTP API's query parameters) -------------------------------------------


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description=f"page size (at most {MAX_PAGE})")
    offset: int = Field(0, ge=0, le=10**9, description="matches to skip")


class ProgramQuery(PageQuery):
    category: ProgramCategory | None = None
    ccp_eligible: bool | None = None
    corsia_phase: CorsiaPhase | None = Field(None, description="programs CORSIA-eligible in this phase")


class ProjectQuery(PageQuery):
    program: Search | None = Field(None, description="program code, e.g. VCS", examples=["VCS"])
    country: Search | None = Field(None, description="host country (ISO 3166-1 alpha-2)", examples=["ID"])
    methodology: Search | None = Field(None, description="methodology id, e.g. VM0007", examples=["VM0007"])
    category: Search | None = Field(None, description="methodology category, e.g. REDD+", examples=["REDD+"])
    sector: Search | None = None
    mitigation_type: MitigationType | None = None
    removal: bool | None = Field(None, description="true: removals only; false: reductions only")
    ccp_approved: bool | None = None
    corsia_eligible: bool | None = None
    corsia_phase: CorsiaPhase | None = None
    article6_authorized: bool | None = Field(None, description="authorized by the host country under Article 6")
    corresponding_adjustment: CorrespondingAdjustmentStatus | None = None
    sdg: int | None = Field(None, ge=1, le=17, description="contributes to this UN SDG")
    certification: Search | None = Field(None, description="carries this additional certification, e.g. CCB")
    name: Search | None = Field(None, description="project name contains")


class IssuanceQuery(PageQuery):
    program: Search | None = None
    project_id: Search | None = None
    country: Search | None = None
    vintage: Year | None = Field(None, description="vintage period overlaps this year")
    vintage_from: Year | None = Field(None, description="vintage period ends in or after this year")
    vintage_to: Year | None = Field(None, description="vintage period starts in or before this year")


class BlockQuery(PageQuery):
    status: BlockStatus | None = None
    account_id: Id | None = None
    issuance_id: Id | None = None
    program: Search | None = None
    project_id: Search | None = None
    serial: Search | None = Field(None, description="serial contains")
    frozen: bool | None = None


class RetirementQuery(PageQuery):
    beneficiary: Search | None = Field(None, description="beneficiary contains")
    reason: Search | None = Field(None, description="retirement reason contains")
    program: Search | None = None
    project_id: Search | None = None
    issuance_id: Id | None = None
    retired_from: date | None = Field(None, description="retired on or after this day (UTC)")
    retired_to: date | None = Field(None, description="retired on or before this day (UTC)")


class AccountQuery(PageQuery):
    kind: AccountKind | None = None
    status: AccountStatus | None = None
    owner: Search | None = Field(None, description="owner contains")


class JournalQuery(PageQuery):
    after_seq: int = Field(0, ge=0, le=2**62, description="entries after this sequence number")
    operation: Search | None = None


# --- result models ---------------------------------------------------------------------------------


class RetirementRecord(BaseModel):
    """A retired block as registries publish it: what was retired, for whom, why and when."""

    model_config = ConfigDict(frozen=True)

    block_id: int
    serial: str
    quantity: int
    issuance_id: int
    program: str
    project_id: str
    project_name: str
    host_country: str
    vintage_start: date
    vintage_end: date
    beneficiary: str
    reason: str
    details: str | None
    retired_at: datetime
    settles: list[str] = Field(description="retirements made elsewhere (e.g. on-chain certificates) it settles")
    retired_from_account: int | None
    retirement_account: int
    marketplace: MarketplacePublic | None = Field(description="the token the units were locked for, if any")


# --- reading ---------------------------------------------------------------------------------------


@contextmanager
def read_session(registry: Registry) -> Iterator[Session]:
    """A read-only session on the registry's database (database failures become coded errors)."""
    sessions = session_factory(registry.engine)
    try:
        with sessions() as session:
            session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
            yield session
            session.rollback()
    except DataError as exc:
        raise RegistryError(
            f"the database refused a search value: {exc.orig}", code=RegistryErrorCode.INVALID_REQUEST
        ) from exc
    except OperationalError as exc:
        raise RegistryError(
            f"the registry database is unavailable: {exc.orig}", code=RegistryErrorCode.REGISTRY_UNAVAILABLE
        ) from exc


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _same(column: Any, text: str) -> ColumnElement[bool]:
    return func.upper(column) == text.upper()


def _page(
    session: Session, statement: Select[*tuple[Any, ...]], query: PageQuery, convert: Callable[[Any], T]
) -> Page[T]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = session.execute(statement.limit(query.limit).offset(query.offset)).all()
    return Page(items=[convert(row) for row in rows], total=total, limit=query.limit, offset=query.offset)


def _slice(items: Sequence[T], query: PageQuery) -> Page[T]:
    return Page(
        items=list(items[query.offset : query.offset + query.limit]),
        total=len(items),
        limit=query.limit,
        offset=query.offset,
    )


def search_programs(registry: Registry, query: ProgramQuery) -> Page[ProgramPublic]:
    with read_session(registry) as session:
        programs = [program_public(p) for p in session.scalars(select(Program).order_by(Program.code))]
    matches = [
        p
        for p in programs
        if (query.category is None or p.category is query.category)
        and (query.ccp_eligible is None or p.ccp_eligible is query.ccp_eligible)
        and (query.corsia_phase is None or query.corsia_phase in p.corsia_phases)
    ]
    return _slice(matches, query)


def search_projects(registry: Registry, query: ProjectQuery) -> Page[ProjectPublic]:
    statement = select(Project).order_by(Project.id)
    conditions: list[ColumnElement[bool]] = []
    if query.program is not None:
        conditions.append(_same(Project.program_code, query.program))
    if query.country is not None:
        conditions.append(_same(Project.host_country, query.country))
    if query.methodology is not None:
        conditions.append(_same(Project.methodology_id, query.methodology))
    if query.category is not None:
        conditions.append(_same(Project.methodology_category, query.category))
    if query.sector is not None:
        conditions.append(_same(Project.sector, query.sector))
    if query.mitigation_type is not None:
        conditions.append(Project.mitigation_type == query.mitigation_type)
    if query.removal is not None:
        wanted = MitigationType.REMOVAL if query.removal else MitigationType.REDUCTION
        conditions.append(Project.mitigation_type == wanted)
    if query.ccp_approved is not None:
        conditions.append(Project.ccp_approved.is_(query.ccp_approved))
    if query.corsia_eligible is not None:
        conditions.append(Project.corsia_eligible.is_(query.corsia_eligible))
    if query.corsia_phase is not None:
        conditions.append(Project.corsia_phase == query.corsia_phase)
    if query.article6_authorized is not None:
        not_authorized = Article6Authorization.NOT_AUTHORIZED
        conditions.append(
            Project.article6_authorization != not_authorized
            if query.article6_authorized
            else Project.article6_authorization == not_authorized
        )
    if query.corresponding_adjustment is not None:
        conditions.append(Project.corresponding_adjustment_status == query.corresponding_adjustment)
    if query.name is not None:
        conditions.append(_contains(Project.name, query.name))
    if conditions:
        statement = statement.where(*conditions)
    with read_session(registry) as session:
        if query.sdg is None and query.certification is None:
            return _page(session, statement, query, lambda row: project_public(row[0]))
        # SDGs and certifications are JSON lists: filtered here (projects are few).
        projects = [project_public(p) for p in session.scalars(statement)]
    certification = query.certification.upper() if query.certification is not None else None
    matches = [
        p
        for p in projects
        if (query.sdg is None or query.sdg in p.sdg_goals)
        and (certification is None or certification in {c.upper() for c in p.additional_certifications})
    ]
    return _slice(matches, query)


def search_issuances(registry: Registry, query: IssuanceQuery) -> Page[IssuancePublic]:
    statement = select(Issuance, Project).join(Project, Issuance.project_id == Project.id).order_by(Issuance.id)
    if query.program is not None:
        statement = statement.where(_same(Project.program_code, query.program))
    if query.project_id is not None:
        statement = statement.where(Project.project_id == query.project_id)
    if query.country is not None:
        statement = statement.where(_same(Project.host_country, query.country))
    if query.vintage is not None:
        statement = statement.where(
            Issuance.vintage_start <= date(query.vintage, 12, 31), Issuance.vintage_end >= date(query.vintage, 1, 1)
        )
    if query.vintage_from is not None:
        statement = statement.where(Issuance.vintage_end >= date(query.vintage_from, 1, 1))
    if query.vintage_to is not None:
        statement = statement.where(Issuance.vintage_start <= date(query.vintage_to, 12, 31))
    with read_session(registry) as session:
        return _page(session, statement, query, lambda row: issuance_public(row[0], row[1]))


def search_blocks(registry: Registry, query: BlockQuery) -> Page[UnitBlockPublic]:
    """Blocks in the ledger's order (numbering space, then first unit)."""
    statement = select(UnitBlock).order_by(UnitBlock.unit_space, UnitBlock.unit_start)
    if query.status is not None:
        statement = statement.where(UnitBlock.status == query.status)
    if query.account_id is not None:
        statement = statement.where(UnitBlock.account_id == query.account_id)
    if query.issuance_id is not None:
        statement = statement.where(UnitBlock.issuance_id == query.issuance_id)
    if query.frozen is not None:
        statement = statement.where(UnitBlock.frozen.is_(query.frozen))
    if query.serial is not None:
        statement = statement.where(_contains(UnitBlock.serial, query.serial))
    if query.program is not None or query.project_id is not None:
        statement = statement.join(Issuance, UnitBlock.issuance_id == Issuance.id).join(
            Project, Issuance.project_id == Project.id
        )
        if query.program is not None:
            statement = statement.where(_same(Project.program_code, query.program))
        if query.project_id is not None:
            statement = statement.where(Project.project_id == query.project_id)
    with read_session(registry) as session:
        return _page(session, statement, query, lambda row: block_public(row[0]))


def _retirement(block: UnitBlock, issuance: Issuance, project: Project) -> RetirementRecord:
    public = block_public(block)
    assert public.retirement is not None
    return RetirementRecord(
        block_id=block.id,
        serial=block.serial,
        quantity=block.quantity,
        issuance_id=issuance.id,
        program=project.program_code,
        project_id=project.project_id,
        project_name=project.name,
        host_country=project.host_country,
        vintage_start=issuance.vintage_start,
        vintage_end=issuance.vintage_end,
        beneficiary=public.retirement.beneficiary,
        reason=public.retirement.reason,
        details=public.retirement.details,
        retired_at=public.retirement.retired_at,
        settles=public.retirement.settles,
        retired_from_account=block.previous_account_id,
        retirement_account=block.account_id,
        marketplace=public.marketplace,
    )


def search_retirements(registry: Registry, query: RetirementQuery) -> Page[RetirementRecord]:
    """Retired blocks, newest retirement first."""
    statement = (
        select(UnitBlock, Issuance, Project)
        .join(Issuance, UnitBlock.issuance_id == Issuance.id)
        .join(Project, Issuance.project_id == Project.id)
        .where(UnitBlock.status == BlockStatus.RETIRED)
        .order_by(UnitBlock.retired_at.desc(), UnitBlock.id.desc())
    )
    if query.beneficiary is not None:
        statement = statement.where(_contains(UnitBlock.retirement_beneficiary, query.beneficiary))
    if query.reason is not None:
        statement = statement.where(_contains(UnitBlock.retirement_reason, query.reason))
    if query.program is not None:
        statement = statement.where(_same(Project.program_code, query.program))
    if query.project_id is not None:
        statement = statement.where(Project.project_id == query.project_id)
    if query.issuance_id is not None:
        statement = statement.where(UnitBlock.issuance_id == query.issuance_id)
    if query.retired_from is not None:
        statement = statement.where(UnitBlock.retired_at >= datetime.combine(query.retired_from, time(), UTC))
    if query.retired_to is not None and query.retired_to < date.max:  # on or before date.max: no bound
        end = datetime.combine(query.retired_to + timedelta(days=1), time(), UTC)
        statement = statement.where(UnitBlock.retired_at < end)
    with read_session(registry) as session:
        return _page(session, statement, query, lambda row: _retirement(row[0], row[1], row[2]))


def search_accounts(registry: Registry, query: AccountQuery) -> Page[AccountPublic]:
    statement = select(Account).order_by(Account.id)
    if query.kind is not None:
        statement = statement.where(Account.kind == query.kind)
    if query.status is not None:
        statement = statement.where(Account.status == query.status)
    if query.owner is not None:
        statement = statement.where(_contains(Account.owner, query.owner))
    with read_session(registry) as session:
        return _page(session, statement, query, lambda row: account_public(row[0]))


def search_journal(registry: Registry, query: JournalQuery) -> Page[JournalEntryPublic]:
    statement = select(JournalEntry).where(JournalEntry.seq > query.after_seq).order_by(JournalEntry.seq)
    if query.operation is not None:
        statement = statement.where(JournalEntry.operation == query.operation)
    with read_session(registry) as session:
        return _page(session, statement, query, lambda row: journal.to_public(row[0]))


# --- lookups for the access rules ------------------------------------------------------------------


def block_account(registry: Registry, serial: str) -> int | None:
    """The account holding the block with exactly this serial (None when no block has it).

    A malformed serial raises ``serial_malformed`` (or ``unknown_program``), as the ledger would.
    """
    parsed = serials.parse(serial)
    with read_session(registry) as session:
        row = session.execute(
            select(UnitBlock.account_id, UnitBlock.serial).where(
                UnitBlock.unit_space == parsed.unit_space, UnitBlock.unit_start == parsed.start
            )
        ).first()
    if row is None or row.serial != serial:
        return None
    return int(row.account_id)


def recorded_request(registry: Registry, request_id: str) -> tuple[str, dict[str, Any]] | None:
    """The operation and request journaled under idempotency key ``request_id`` (None if unused)."""
    with read_session(registry) as session:
        entry = session.scalars(select(JournalEntry).where(JournalEntry.request_id == request_id)).one_or_none()
        if entry is None:
            return None
        public = journal.to_public(entry)
    request = public.payload.get("request")
    return public.operation, request if isinstance(request, dict) else {}
