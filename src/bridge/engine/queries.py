"""Reads over the engine's rows, as the public models: one flow, a page of flows, the classes and batches
the bridge has minted, the verifiers' record. Nothing here changes anything.

Those that read only the database are safe from any thread; ``classes`` and ``verifier_set`` also call the
chain, so their callers serialize them with everything else that does (``BridgeService``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from bridge.chain.bridge_contract import BridgeChain
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.schemas import (
    BatchPublic,
    ClassPublic,
    RedemptionPublic,
    RetirementPublic,
    SettlementPublic,
    TokenizationPublic,
    VerifierPublic,
    VerifierSetPublic,
)
from bridge.engine.store import Batch, EngineStore, Redemption, Retirement, Settlement, Tokenization, TokenizeStep
from bridge.engine.verifier import Verifier
from bridge.primitives import Page

M = TypeVar("M")
Row = TypeVar("Row")


def _page(
    store: EngineStore, query: Select[Any], order: Sequence[Any], model: Callable[[Any], M], limit: int, offset: int
) -> Page[M]:
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(*order).limit(limit).offset(offset))
        return Page[M](items=[model(row) for row in rows], limit=limit, offset=offset, total=total)


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


def tokenizations(
    store: EngineStore,
    *,
    limit: int,
    offset: int,
    step: TokenizeStep | None = None,
    custodian_account: int | None = None,
) -> Page[TokenizationPublic]:
    """Newest first."""
    query = select(Tokenization)
    if step is not None:
        query = query.where(Tokenization.step == step)
    if custodian_account is not None:
        query = query.where(Tokenization.custodian_account == custodian_account)
    return _page(store, query, [Tokenization.id.desc()], TokenizationPublic.model_validate, limit, offset)


def redemption(store: EngineStore, redemption_id: int) -> RedemptionPublic:
    missing = f"redemption {redemption_id} is not known to the engine yet"
    return _one(store, Redemption, redemption_id, RedemptionPublic.model_validate, missing, "redemption_id")


def settlements(store: EngineStore, *, limit: int, offset: int) -> Page[SettlementPublic]:
    """Oldest first."""
    return _page(store, select(Settlement), [Settlement.id], SettlementPublic.model_validate, limit, offset)


def batches(store: EngineStore, *, limit: int, offset: int, class_id: str | None = None) -> Page[BatchPublic]:
    """Oldest first."""
    query = select(Batch)
    if class_id is not None:
        query = query.where(Batch.class_id == class_id.lower())
    order = [Batch.created_at, Batch.batch_key]
    return _page(store, query, order, BatchPublic.model_validate, limit, offset)


def retirements(
    store: EngineStore, *, limit: int, offset: int, beneficiary: str | None = None
) -> Page[RetirementPublic]:
    """By certificate id."""
    query = select(Retirement)
    if beneficiary is not None:
        query = query.where(Retirement.beneficiary == beneficiary)
    return _page(store, query, [Retirement.certificate_id], RetirementPublic.model_validate, limit, offset)


def retirement(store: EngineStore, certificate_id: int) -> RetirementPublic:
    missing = f"no retirement certificate {certificate_id} (yet)"
    return _one(store, Retirement, certificate_id, RetirementPublic.model_validate, missing, "certificate_id")


def classes(store: EngineStore, chain: BridgeChain, *, limit: int, offset: int) -> Page[ClassPublic]:
    """Classes with a completed tokenization, in the order they were first minted, with their token's
    supply read from the chain now."""
    found: dict[str, ClassPublic] = {}
    with store.session() as session:
        batch_counts = dict(session.execute(select(Batch.class_id, func.count()).group_by(Batch.class_id)).all())
        rows = session.scalars(
            select(Tokenization)
            .where(Tokenization.class_id.is_not(None), Tokenization.step == TokenizeStep.COMPLETED)
            .order_by(Tokenization.id)
        )
        for row in rows:
            if row.class_id is None or row.class_id in found:
                continue
            token = chain.class_token(row.class_id)
            found[row.class_id] = ClassPublic(
                class_id=row.class_id,
                token_address=token,
                registry=row.registry_code,
                attributes=dict(row.credit_class or {}),
                batches=int(batch_counts.get(row.class_id, 0)),
                total_supply=str(chain.total_supply(token) if token else 0),
            )
    every = list(found.values())
    return Page[ClassPublic](items=every[offset : offset + limit], limit=limit, offset=offset, total=len(every))


def verifier_set(
    store: EngineStore, chain: BridgeChain, verifiers: Sequence[Verifier], threshold: int
) -> VerifierSetPublic:
    """Each verifier: whether the bridge contract counts it now, and how many mints carry its signature."""
    with store.session() as session:
        attested = [a for row in session.scalars(select(Tokenization.attested_by)) for a in (row or [])]
    items = [
        VerifierPublic(
            name=v.name,
            address=v.address,
            active_on_chain=chain.is_verifier(v.address),
            attested_batches=attested.count(v.address),
        )
        for v in verifiers
    ]
    return VerifierSetPublic(threshold=threshold, verifiers=items)
