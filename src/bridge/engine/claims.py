"""Which worker does which step: several workers share the flows of one engine database.

Before it takes a step of a flow, a worker claims the flow's row: it locks the row's ``claims`` entry with
``SELECT ... FOR UPDATE SKIP LOCKED`` on a connection of its own and keeps that transaction open while it
works; rows another worker holds are skipped, not waited for. Once the lock is held the row is read again
(``still``): a step another worker finished meanwhile is not taken twice. The claim ends when the step
does (the transaction is rolled back: a claim never writes anything).

Why a held row lock and not a lease column: a lease expires on a clock, so a worker that is slow (a long
wait for a receipt) would lose its lease while still working and a second worker would repeat its step; a
row lock lasts exactly as long as the worker's connection, and a killed worker's connection is closed by
its operating system, so PostgreSQL frees its claims at once, with nothing to expire or clean up.

A flow's registry effects stay idempotent on their own (request ids), and a mint sent before a crash is
found from its lock on-chain: claims keep two live workers from doing one step at the same time.

On SQLite (the embedded default: one worker per database) every claim is granted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from bridge.engine.store import Claim, EngineStore, RedeemStep, Redemption, Settlement, SettleStep, Tokenization

TOKENIZATION = "tokenization"
REDEMPTION = "redemption"
SETTLEMENT = "settlement"
MINT_BATCH = "mint_batch"
CHORE = "chore"  # whole-engine work one worker does at a time: reading events, planning settlements
SENDER = "sender"  # a sending key, held by the one worker that sends with it for as long as it runs


def shares_work(store: EngineStore) -> bool:
    """Whether several workers can share this database (PostgreSQL); SQLite has one worker."""
    return store.engine.dialect.name == "postgresql"


@contextmanager
def held(store: EngineStore, kind: str, items: Iterable[object]) -> Iterator[list[str]]:
    """Claim ``items`` of ``kind`` (as strings); yields the ones this worker now holds (those no other
    worker holds), in the order given; they are held until the block ends."""
    wanted = [str(item) for item in items]
    if not wanted or not shares_work(store):
        yield wanted
        return
    with store.engine.begin() as connection:  # committed first: a lock needs a row to lock
        connection.execute(insert(Claim).values([{"kind": kind, "item": i} for i in wanted]).on_conflict_do_nothing())
    connection = store.engine.connect()
    try:
        mine = set(
            connection.scalars(
                select(Claim.item).where(Claim.kind == kind, Claim.item.in_(wanted)).with_for_update(skip_locked=True)
            )
        )
        yield [item for item in wanted if item in mine]
    finally:
        connection.rollback()
        connection.close()


def each(store: EngineStore, kind: str, ids: Iterable[int], still: Callable[[int], bool]) -> Iterator[int]:
    """The ids this worker claims, one at a time, each held while the caller's loop body runs on it; an id
    another worker holds, or whose step ``still`` says is done, is passed over."""
    for item in ids:
        with held(store, kind, [item]) as mine:
            if mine and still(item):
                yield item


def tokenizations(store: EngineStore, ids: Iterable[int], step: str) -> Iterator[int]:
    """Tokenizations claimed one at a time, each still at ``step``."""
    return each(store, TOKENIZATION, ids, lambda i: _step(store, Tokenization, i) == step)


def redemptions(store: EngineStore, ids: Iterable[int], step: RedeemStep) -> Iterator[int]:
    """Redemptions claimed one at a time, each still at ``step``."""
    return each(store, REDEMPTION, ids, lambda i: _step(store, Redemption, i) == step)


def settlements(store: EngineStore, ids: Iterable[int]) -> Iterator[int]:
    """Settlements claimed one at a time, each still open."""
    return each(store, SETTLEMENT, ids, lambda i: _step(store, Settlement, i) not in (None, SettleStep.COMPLETED))


def mint_batches(store: EngineStore, ids: Iterable[int]) -> Iterator[int]:
    """Mint batches claimed one at a time (the mint step reads each one's rows itself)."""
    return each(store, MINT_BATCH, ids, lambda _: True)


@contextmanager
def chore(store: EngineStore, name: str) -> Iterator[bool]:
    """Whether this worker holds the whole-engine chore ``name`` now (held until the block ends)."""
    with held(store, CHORE, [name]) as mine:
        yield bool(mine)


def _step(store: EngineStore, model: type[Tokenization] | type[Redemption] | type[Settlement], key: int) -> str | None:
    with store.session() as session:
        row = session.get(model, key)
        return None if row is None else str(row.step)
