"""The public searches: each declared once as a ``Search`` (filters, item, query, API path), run over a
read session, and listed page by page by ``Listing`` (the ``list_*`` methods of the ledger and clients).

Filters are combined with AND; text filters marked "contains" match case-insensitively anywhere in
the field, the others exactly (codes case-insensitively).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Generic, Protocol, TypeVar, overload

from sqlalchemy import ColumnElement, Select, func, not_, or_, select
from sqlalchemy.orm import Session

from bridge.registry import journal
from bridge.registry._convert import (
    account_public,
    block_public,
    credit_of,
    issuance_public,
    program_public,
    project_public,
    validate,
)
from bridge.registry.enums import Article6Authorization, BlockStatus, Eligibility, MitigationType
from bridge.registry.errors import RegistryError, RegistryErrorCode
from bridge.registry.labels import PHASE_FIELDS
from bridge.registry.models import Account, Issuance, JournalEntry, Program, Project, UnitBlock
from bridge.registry.schemas import (
    AccountPublic,
    IssuancePublic,
    JournalEntryPublic,
    ProgramPublic,
    ProjectPublic,
    UnitBlockPublic,
)
from bridge.registry.views.queries import (
    MAX_PAGE,
    AccountQuery,
    BlockQuery,
    IssuanceQuery,
    JournalQuery,
    LabelQuery,
    Page,
    PageQuery,
    ProgramQuery,
    ProjectQuery,
    RetirementQuery,
    RetirementRecord,
)

T = TypeVar("T")
Q = TypeVar("Q", bound=PageQuery)


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


def search_programs(session: Session, query: ProgramQuery) -> Page[ProgramPublic]:
    programs = [program_public(p) for p in session.scalars(select(Program).order_by(Program.code))]
    matches = [
        p
        for p in programs
        if (query.category is None or p.category is query.category)
        and (query.ccp_eligible is None or p.ccp_eligible is query.ccp_eligible)
        and (query.corsia_phase is None or query.corsia_phase in p.corsia_phases)
    ]
    return _slice(matches, query)


def search_projects(session: Session, query: ProjectQuery) -> Page[ProjectPublic]:
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
    conditions.extend(_label_conditions(Project, query))
    if query.name is not None:
        conditions.append(_contains(Project.name, query.name))
    if query.proponent is not None:
        conditions.append(_contains(Project.proponent, query.proponent))
    if conditions:
        statement = statement.where(*conditions)
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


def search_issuances(session: Session, query: IssuanceQuery) -> Page[IssuancePublic]:
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
    if query.serial is not None:
        statement = statement.where(
            _contains(Issuance.serial, query.serial) | _contains(Issuance.issuance_ref, query.serial)
        )
    statement = statement.where(*_label_conditions(Issuance, query))
    return _page(session, statement, query, lambda row: issuance_public(row[0], row[1]))


def _label_conditions(model: type[Project] | type[Issuance], query: LabelQuery) -> list[ColumnElement[bool]]:
    """``query``'s label filters on ``model``'s label columns (a project's defaults or an issuance's labels)."""
    conditions: list[ColumnElement[bool]] = []
    if query.mitigation_type is not None:
        conditions.append(model.mitigation_type == query.mitigation_type)
    if query.removal is not None:
        conditions.append(
            model.mitigation_type == (MitigationType.REMOVAL if query.removal else MitigationType.REDUCTION)
        )
    if query.ccp_approved is not None:
        conditions.append(model.ccp_approved.is_(query.ccp_approved))
    phases = {phase: getattr(model, name) == Eligibility.YES for phase, name in PHASE_FIELDS.items()}
    if query.corsia_eligible is not None:
        eligible = or_(*phases.values())
        conditions.append(eligible if query.corsia_eligible else not_(eligible))
    if query.corsia_phase is not None:
        conditions.append(phases[query.corsia_phase])
    if query.article6_authorized is not None:
        unauthorized = model.article6_authorization.in_(
            [Article6Authorization.NOT_AUTHORIZED, Article6Authorization.NOT_APPLICABLE]
        )
        conditions.append(not_(unauthorized) if query.article6_authorized else unauthorized)
    if query.corresponding_adjustment is not None:
        conditions.append(model.corresponding_adjustment_status == query.corresponding_adjustment)
    for name in ("arb_eligible", "ecology_eligible"):
        wanted = getattr(query, name)
        if wanted is not None:
            column = getattr(model, name)
            conditions.append(column == Eligibility.YES if wanted else column != Eligibility.YES)
    return conditions


def search_blocks(session: Session, query: BlockQuery) -> Page[UnitBlockPublic]:
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
    return _page(session, statement, query, lambda row: block_public(row[0]))


def _retirement(block: UnitBlock, issuance: Issuance, project: Project) -> RetirementRecord:
    public = block_public(block)
    assert public.retirement is not None
    return RetirementRecord(
        block_id=block.id,
        serial=block.serial,
        quantity=block.quantity,
        issuance_id=issuance.id,
        **credit_of(issuance, project),
        project_name=project.name,
        host_country=project.host_country,
        beneficiary=public.retirement.beneficiary,
        reason=public.retirement.reason,
        details=public.retirement.details,
        retired_at=public.retirement.retired_at,
        settles=public.retirement.settles,
        retired_from_account=block.previous_account_id,
        retirement_account=block.account_id,
        marketplace=public.marketplace,
    )


def search_retirements(session: Session, query: RetirementQuery) -> Page[RetirementRecord]:
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
    return _page(session, statement, query, lambda row: _retirement(row[0], row[1], row[2]))


def search_accounts(session: Session, query: AccountQuery) -> Page[AccountPublic]:
    statement = select(Account).order_by(Account.id)
    if query.kind is not None:
        statement = statement.where(Account.kind == query.kind)
    if query.status is not None:
        statement = statement.where(Account.status == query.status)
    if query.owner is not None:
        statement = statement.where(_contains(Account.owner, query.owner))
    return _page(session, statement, query, lambda row: account_public(row[0]))


def search_journal(session: Session, query: JournalQuery) -> Page[JournalEntryPublic]:
    statement = select(JournalEntry).where(JournalEntry.seq > query.after_seq).order_by(JournalEntry.seq)
    if query.operation is not None:
        statement = statement.where(JournalEntry.operation == query.operation)
    return _page(session, statement, query, lambda row: journal.to_public(row[0]))


# --- the searches, declared once -------------------------------------------------------------------


@dataclass(frozen=True)
class Search(Generic[Q, T]):
    """One public search: its filters (``query``), what it lists (``item``), how it runs, its API path."""

    name: str
    query: type[Q]
    item: type[T]
    run: Callable[[Session, Q], Page[T]]
    summary: str

    @property
    def path(self) -> str:
        """The registry API's ``GET`` endpoint (its query parameters are the ``query`` model's fields)."""
        return f"/{self.name}"


PROGRAMS: Final = Search("programs", ProgramQuery, ProgramPublic, search_programs, "Search crediting programs")
PROJECTS: Final = Search(
    "projects", ProjectQuery, ProjectPublic, search_projects, "Search projects by program, country, methodology, labels"
)
ISSUANCES: Final = Search(
    "issuances", IssuanceQuery, IssuancePublic, search_issuances, "Search issuances by program, project, vintage"
)
BLOCKS: Final = Search(
    "blocks",
    BlockQuery,
    UnitBlockPublic,
    search_blocks,
    "Search unit blocks by status, account, issuance, program, serial",
)
RETIREMENTS: Final = Search(
    "retirements",
    RetirementQuery,
    RetirementRecord,
    search_retirements,
    "Search retirements by beneficiary, date, program",
)
ACCOUNTS: Final = Search(
    "accounts", AccountQuery, AccountPublic, search_accounts, "Search accounts (public fields only)"
)
JOURNAL: Final = Search(
    "journal", JournalQuery, JournalEntryPublic, search_journal, "The hash-chained journal of every operation"
)
SEARCHES: Final[dict[type[PageQuery], Search[Any, Any]]] = {
    search.query: search for search in (PROGRAMS, PROJECTS, ISSUANCES, BLOCKS, RETIREMENTS, ACCOUNTS, JOURNAL)
}


def search_for(query: PageQuery) -> Search[Any, Any]:
    """The search ``query`` is the query model of."""
    search = SEARCHES.get(type(query))
    if search is None:
        raise RegistryError(f"{type(query).__name__} is not a registry search", code=RegistryErrorCode.INVALID_REQUEST)
    return search


def run(session: Session, query: PageQuery) -> Page[Any]:
    """One page of the search ``query`` is the query of."""
    return search_for(query).run(session, query)


# --- lists of every match --------------------------------------------------------------------------


class Searches(Protocol):
    """An owner of ``Listing`` attributes: it answers one page of a search."""

    def search(self, query: Any, /) -> Page[Any]: ...


class Listing(Generic[Q, T]):
    """``Owner.list_blocks = Listing(BLOCKS)``: every match of a search as a list, fetched a page at a time.

    ``owner.list_blocks(*, limit=None, offset=0, **filters)``: ``filters`` are the query model's fields
    (a bad one is ``invalid_request`` naming it; None means "no filter"), ``offset`` matches are skipped
    and at most ``limit`` returned (all by default).
    """

    def __init__(self, search: Search[Q, T]) -> None:
        self.search = search

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Listing[Q, T]: ...

    @overload
    def __get__(self, obj: Searches, owner: type | None = None) -> Callable[..., list[T]]: ...

    def __get__(self, obj: Searches | None, owner: type | None = None) -> Any:
        if obj is None:
            return self

        def listing(*, limit: int | None = None, offset: int = 0, **filters: Any) -> list[T]:
            return self.collect(obj, limit=limit, offset=offset, filters=filters)

        listing.__name__ = listing.__qualname__ = f"list_{self.search.name}"
        listing.__doc__ = f"{self.search.summary}: every match (filters: {self.search.query.__name__})."
        return listing

    def collect(self, owner: Searches, *, limit: int | None, offset: int, filters: dict[str, Any]) -> list[T]:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise RegistryError("limit: must be 0 or more", code=RegistryErrorCode.INVALID_REQUEST, field="limit")
        wanted = {key: value for key, value in filters.items() if value is not None}
        query = validate(self.search.query, {**wanted, "offset": offset})
        items: list[T] = []
        while limit is None or len(items) < limit:
            size = MAX_PAGE if limit is None else min(MAX_PAGE, limit - len(items))
            page: Page[T] = owner.search(query.model_copy(update={"limit": size, "offset": offset + len(items)}))
            items.extend(page.items)
            if len(page.items) < size or offset + len(items) >= page.total:
                break
        return items


class SearchLists:
    """Every search as a ``list_*`` method (``Registry`` and ``RegistryClient`` both have them); the owner
    answers one page (``search``)."""

    def search(self, query: Any, /) -> Page[Any]:
        raise NotImplementedError

    list_programs = Listing(PROGRAMS)
    list_projects = Listing(PROJECTS)
    list_issuances = Listing(ISSUANCES)
    list_blocks = Listing(BLOCKS)
    list_retirements = Listing(RETIREMENTS)
    list_accounts = Listing(ACCOUNTS)
    journal_entries = Listing(JOURNAL)
