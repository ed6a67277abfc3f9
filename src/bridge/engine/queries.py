"""Reads over the engine's rows, as the public models: one flow, a page of flows, the classes and batches
the bridge has minted, certificates, the event feed, the verifiers' record. Nothing here changes anything.

Every list is a page cut by an opaque cursor (``next_cursor``: the sort key of the page's last item, so a
page never repeats or skips an item when rows are added meanwhile) or, for compatibility, an offset.

Those that read only the database are safe from any thread; ``classes``, ``balances`` and ``verifier_set``
also call the chain, so their callers serialize them with everything else that does (``BridgeService``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select, tuple_

from bridge.chain.bridge_contract import BridgeChain
from bridge.engine.attest import VerifierPanel
from bridge.engine.certificates import certificate_public
from bridge.engine.classes import class_name, labels_of, vintage_of
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.filters import (
    ClassFilter,
    ClassOnlyFilter,
    EventFilter,
    FeedQuery,
    PageQuery,
    RedemptionFilter,
    RetirementFilter,
    TokenizationFilter,
)
from bridge.engine.schemas import (
    BatchPublic,
    ClassPublic,
    EventPublic,
    RedemptionPublic,
    RetirementPublic,
    SettlementPublic,
    TokenizationPublic,
    VerifierPublic,
    VerifierSetPublic,
)
from bridge.engine.store import (
    Batch,
    EngineStore,
    EventRecord,
    Redemption,
    Retirement,
    Settlement,
    Tokenization,
    TokenizeStep,
)
from bridge.primitives import Page, decode_cursor, encode_cursor

M = TypeVar("M")
Row = TypeVar("Row")
ProjectName = Callable[[str, str], str | None]
"""The registry's name of a project, by program and project id (None when the registry has none)."""


def _after(kind: str, cursor: str | None, offset: int, size: int) -> list[Any] | None:
    """The sort key a cursor of list ``kind`` carries (None without one); a cursor from elsewhere, or a
    cursor with an offset, is refused naming the field."""
    if cursor is None:
        return None
    if offset:
        raise BridgeError("give a cursor or an offset, not both", code=BridgeErrorCode.INVALID_REQUEST, field="cursor")
    try:
        key = decode_cursor(kind, cursor)
    except ValueError as exc:
        raise BridgeError(f"{exc}", code=BridgeErrorCode.INVALID_REQUEST, field="cursor") from None
    if len(key) != size:
        raise BridgeError("not a cursor this list gave out", code=BridgeErrorCode.INVALID_REQUEST, field="cursor")
    return key


def _page(
    store: EngineStore,
    row_type: type[Row],
    model: Callable[[Row], M],
    equal: dict[str, Any],
    page: PageQuery,
    *,
    descending: bool = False,
    keys: Sequence[str] = ("id",),
) -> Page[M]:
    """One page of the rows of ``row_type`` whose columns named in ``equal`` hold those values (None: any),
    ordered by the columns ``keys`` (unique together), cut as ``page`` says; a cursor names the table it
    pages through."""
    kind = str(row_type.__tablename__)
    limit, offset = page.limit, page.offset
    columns = [getattr(row_type, key) for key in keys]
    after = _after(kind, page.cursor, offset, len(keys))
    query = select(row_type).where(*(getattr(row_type, k) == v for k, v in equal.items() if v is not None))
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        if after is not None:
            bound = tuple_(*columns) if len(keys) > 1 else columns[0]
            value = tuple_(*after) if len(keys) > 1 else after[0]
            query = query.where(bound < value if descending else bound > value)
        order = [c.desc() for c in columns] if descending else columns
        rows = list(session.scalars(query.order_by(*order).limit(limit + 1).offset(0 if after else offset)))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(kind, [getattr(rows[-1], key) for key in keys]) if more and rows else None
        return Page[M](
            items=[model(row) for row in rows], limit=limit, offset=offset, total=total, next_cursor=next_cursor
        )


def _as_is(row: Row) -> Row:
    return row


def _one(store: EngineStore, row_type: type[Row], key: int, model: Callable[[Row], M], missing: str, field: str) -> M:
    """The row of ``row_type`` with primary key ``key`` as ``model``, or ``not_found`` naming ``field``."""
    with store.session() as session:
        row = session.get(row_type, key)
        if row is None:
            raise BridgeError(missing, code=BridgeErrorCode.NOT_FOUND, field=field)
        return model(row)


def tokenization(store: EngineStore, tokenization_id: int) -> TokenizationPublic:
    missing = f"no tokenization {tokenization_id}"
    return _one(store, Tokenization, tokenization_id, TokenizationPublic.model_validate, missing, "tokenization_id")


def redemption(store: EngineStore, redemption_id: int) -> RedemptionPublic:
    missing = f"redemption {redemption_id} is not known to the engine yet"
    return _one(store, Redemption, redemption_id, RedemptionPublic.model_validate, missing, "redemption_id")


class EngineReads:
    """The paged lists of the engine's rows, as methods of whatever holds its database (``BridgeService``
    answers them as its own). Each reads the database alone (and the holder's cached project names): safe from
    any thread."""

    store: EngineStore
    project_name: ProjectName  # the registry's name of a project (``BridgeService.project_name``)

    def class_names(self) -> dict[str, str]:
        """Every class's name by class id (no chain call)."""
        return {
            row.class_id: class_name(attrs, self.project_name(str(attrs.get("program")), str(attrs.get("project_id"))))
            for row in _class_rows(self.store)
            if row.class_id is not None
            for attrs in [dict(row.credit_class or {})]
        }

    def retirements(self, filters: RetirementFilter, page: PageQuery) -> Page[RetirementPublic]:
        """By certificate id, each with its class's name."""
        names = self.class_names()
        rows = _page(self.store, Retirement, _as_is, filters.model_dump(), page, keys=("certificate_id",))
        settled = _settlements_of(self.store, (row.class_id for row in rows.items))
        items = [certificate_public(row, settled[row.class_id], names.get(row.class_id)) for row in rows.items]
        return Page[RetirementPublic](
            items=items, limit=rows.limit, offset=rows.offset, total=rows.total, next_cursor=rows.next_cursor
        )

    def tokenizations(self, filters: TokenizationFilter, page: PageQuery) -> Page[TokenizationPublic]:
        """Newest first."""
        model = TokenizationPublic.model_validate
        return _page(self.store, Tokenization, model, filters.model_dump(), page, descending=True)

    def redemptions(self, filters: RedemptionFilter, page: PageQuery) -> Page[RedemptionPublic]:
        """Newest first; ``holder`` is a checksummed address."""
        equal = {"holder": filters.holder, "class_id": filters.class_id, "step": filters.status}
        return _page(self.store, Redemption, RedemptionPublic.model_validate, equal, page, descending=True)

    def settlements(self, filters: ClassOnlyFilter, page: PageQuery) -> Page[SettlementPublic]:
        """Oldest first."""
        return _page(self.store, Settlement, SettlementPublic.model_validate, filters.model_dump(), page)

    def batches(self, filters: ClassOnlyFilter, page: PageQuery) -> Page[BatchPublic]:
        """Oldest first."""
        keys = ("tokenization_id", "batch_key")
        return _page(self.store, Batch, BatchPublic.model_validate, filters.model_dump(), page, keys=keys)

    def events(self, filters: EventFilter, feed: FeedQuery) -> Page[EventPublic]:
        """The feed, oldest first: keep the last page's ``next_cursor`` and ask again to follow it."""
        page = _page(self.store, EventRecord, EventPublic.model_validate, filters.model_dump(), PageQuery(**dict(feed)))
        if page.next_cursor is None and page.items:  # the end, for now: the cursor to poll for what comes next
            page.next_cursor = encode_cursor("events", [page.items[-1].id])
        elif page.next_cursor is None and feed.cursor is not None:
            page.next_cursor = feed.cursor
        return page


def _settlements_of(store: EngineStore, class_ids: Iterable[str]) -> dict[str, list[Settlement]]:
    wanted = sorted(set(class_ids))
    found: dict[str, list[Settlement]] = defaultdict(list)
    if not wanted:
        return found
    with store.session() as session:
        for row in session.scalars(select(Settlement).where(Settlement.class_id.in_(wanted)).order_by(Settlement.id)):
            session.expunge(row)
            found[row.class_id].append(row)
    return found


def retirement(store: EngineStore, certificate_id: int, names: dict[str, str] | None = None) -> RetirementPublic:
    with store.session() as session:
        row = session.get(Retirement, certificate_id)
        if row is None:
            raise BridgeError(
                f"no retirement certificate {certificate_id} (yet)",
                code=BridgeErrorCode.NOT_FOUND,
                field="certificate_id",
            )
        session.expunge(row)
    settled = _settlements_of(store, [row.class_id])
    return certificate_public(row, settled[row.class_id], (names or {}).get(row.class_id))


def _class_rows(store: EngineStore) -> list[Tokenization]:
    """The first completed tokenization of each class, in the order the classes were first minted."""
    firsts: dict[str, Tokenization] = {}
    with store.session() as session:
        rows = session.scalars(
            select(Tokenization)
            .where(Tokenization.class_id.is_not(None), Tokenization.step == TokenizeStep.COMPLETED)
            .order_by(Tokenization.id)
        )
        for row in rows:
            if row.class_id is not None and row.class_id not in firsts:
                session.expunge(row)
                firsts[row.class_id] = row
    return list(firsts.values())


def _matches(item: ClassPublic, filters: ClassFilter) -> bool:
    attrs = item.attributes
    if filters.program and str(attrs.get("program", "")).upper() != filters.program.upper():
        return False
    if filters.vintage is not None:
        start, end = int(attrs.get("vintage_start", 0)) // 10_000, int(attrs.get("vintage_end", 0)) // 10_000
        if not start <= filters.vintage <= end:
            return False
    if filters.label and filters.label not in item.labels:
        return False
    return not (filters.name and filters.name.casefold() not in item.name.casefold())


def every_class(store: EngineStore, chain: BridgeChain, project_name: ProjectName) -> list[ClassPublic]:
    """Classes with a completed tokenization, in the order they were first minted, with their names and
    their token's supply read from the chain now."""
    with store.session() as session:
        batch_counts = dict(session.execute(select(Batch.class_id, func.count()).group_by(Batch.class_id)).all())
    retired = _retired_by_class(store)
    every = []
    for row in _class_rows(store):
        assert row.class_id is not None
        attrs = dict(row.credit_class or {})
        token = chain.class_token(row.class_id)
        count, amount = retired.get(row.class_id, (0, 0))
        every.append(
            ClassPublic(
                class_id=row.class_id,
                name=class_name(attrs, project_name(str(attrs.get("program")), str(attrs.get("project_id")))),
                project_name=project_name(str(attrs.get("program")), str(attrs.get("project_id"))),
                vintage=vintage_of(attrs),
                labels=labels_of(int(attrs.get("labels", 0))),
                token_address=token,
                registry=row.registry_code,
                attributes=attrs,
                batches=int(batch_counts.get(row.class_id, 0)),
                total_supply=str(chain.total_supply(token) if token else 0),
                retirements=count,
                retired=amount,
            )
        )
    return every


def classes(
    store: EngineStore, chain: BridgeChain, project_name: ProjectName, filters: ClassFilter, page: PageQuery
) -> Page[ClassPublic]:
    """The page of ``every_class`` that ``filters`` keep."""
    limit, offset = page.limit, page.offset
    after = _after("classes", page.cursor, offset, 1)
    matching = [item for item in every_class(store, chain, project_name) if _matches(item, filters)]
    start = offset
    if after is not None:
        ids = [item.class_id for item in matching]
        start = ids.index(str(after[0])) + 1 if after[0] in ids else len(ids)
    items = matching[start : start + limit]
    more = start + limit < len(matching)
    next_cursor = encode_cursor("classes", [items[-1].class_id]) if more and items else None
    return Page[ClassPublic](items=items, limit=limit, offset=offset, total=len(matching), next_cursor=next_cursor)


def _retired_by_class(store: EngineStore) -> dict[str, tuple[int, int]]:
    """Per class: how many certificates, and how many wei they retired (dropped ones aside)."""
    totals: dict[str, tuple[int, int]] = {}
    with store.session() as session:
        for class_id, amount in session.execute(
            select(Retirement.class_id, Retirement.amount).where(Retirement.dropped.is_(False))
        ).all():
            count, total = totals.get(class_id, (0, 0))
            totals[class_id] = (count + 1, total + int(amount))
    return totals


def one_class(store: EngineStore, chain: BridgeChain, project_name: ProjectName, reference: str) -> ClassPublic:
    """A class by its id (0x + 64 hex), its token's address (0x + 40 hex) or its name (exact, any case; or
    the one class whose name contains it). Not found: ``not_found``; a name several classes fit:
    ``ambiguous_class`` listing them."""
    every = every_class(store, chain, project_name)
    text = reference.strip()
    lowered = text.lower()
    found = [c for c in every if lowered in (c.class_id, (c.token_address or "").lower())]
    if not found:
        found = [c for c in every if c.name.casefold() == text.casefold()]
    if not found:
        found = [c for c in every if text.casefold() in c.name.casefold()]
    if not found:
        raise BridgeError(
            f"no class {text!r} (give its id, token address or name)", code=BridgeErrorCode.NOT_FOUND, field="class_id"
        )
    if len(found) > 1:
        raise BridgeError(
            f"{len(found)} classes fit {text!r}: " + "; ".join(c.name for c in found[:10]),
            code=BridgeErrorCode.AMBIGUOUS_CLASS,
            field="class_id",
            details={"candidates": [{"class_id": c.class_id, "name": c.name} for c in found[:20]]},
        )
    return found[0]


def verifier_set(store: EngineStore, panel: VerifierPanel) -> VerifierSetPublic:
    """The verifiers the contract counts now and its threshold; each verifier this bridge knows (by URL)
    with whether the contract counts it and how many tokenizations' mints carry its signature; and any
    on-chain verifier this bridge does not know."""
    on_chain, threshold = panel.chain.verifier_set()
    with store.session() as session:
        attested = [a.lower() for row in session.scalars(select(Tokenization.attested_by)) for a in (row or [])]
    items: list[VerifierPublic] = []
    for client, identity in panel.known():
        address = identity.address if identity is not None else None
        items.append(
            VerifierPublic(
                name=identity.name if identity is not None else client.url,
                address=address,
                url=client.url,
                reachable=identity is not None,
                active_on_chain=address is not None and address.lower() in {a.lower() for a in on_chain},
                attested_batches=attested.count(address.lower()) if address else 0,
            )
        )
    known = {item.address.lower() for item in items if item.address}
    items += [
        VerifierPublic(
            name="",
            address=a,
            url=None,
            reachable=False,
            active_on_chain=True,
            attested_batches=attested.count(a.lower()),
        )
        for a in on_chain
        if a.lower() not in known
    ]
    return VerifierSetPublic(threshold=threshold, verifiers=items)
