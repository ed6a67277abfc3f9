"""The pools a bridge knows: deployed once per request, recorded in the engine database, read live from the chain.

A pool is recorded before it is deployed (step ``deploying``, with the address its deployment will get:
the operator's address and nonce fix it), then marked ``ready`` once deployed and capped. A crash in
between is finished by the next request with the same key (or the next ``ensure_presets``): code at the
recorded address means the deployment happened, so only the caps are (re)applied; no code means it never
did, and it is sent again. So one request key gives one pool, whatever happens. (This relies on a
deployment being mined before the next request, as on the service's own chains, which mine at once; on a
chain where it could still be pending, a retry in that window would deploy a second pool.)

Request keys: ``api:<Idempotency-Key>`` for ``POST /v1/pools``, ``preset:<key>`` for the preset pools the
service deploys on its first start. Different namespaces, so an API client cannot take a preset's key.

The repository sends with the bridge operator's ``TxSender``, whose nonce the engine shares: its caller
serializes it with the engine (``BridgeService`` does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from web3.utils.address import get_create_address

from bridge.chain.compiler import Artifacts
from bridge.chain.tx import TxSender
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.store import EngineStore, utcnow
from bridge.errors import CodedError
from bridge.pools.contract import PoolHandle, deploy_pool
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.presets import PRESETS
from bridge.pools.spec import PoolSpec
from bridge.registry.models import UTCDateTime

DEPLOYING = "deploying"
READY = "ready"


class PoolBase(DeclarativeBase):
    """The pools' tables, in the engine database (created and upgraded by the engine's migrations,
    ``bridge/engine/migrations``)."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class PoolRecord(PoolBase):
    """A pool the bridge deployed (or is deploying): what the chain cannot tell, and how it was asked for."""

    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(42), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(11))
    preset: Mapped[str | None] = mapped_column(String(32))
    request_key: Mapped[str] = mapped_column(String(160), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]]  # the deployment, complete: enough to finish it after a crash
    deployer: Mapped[str] = mapped_column(String(42))
    deploy_nonce: Mapped[int]
    step: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PoolRepository:
    """The pools of one bridge: their records in ``store``, deployed and managed by ``operator``."""

    def __init__(self, store: EngineStore, operator: TxSender, *, bridge_address: str, artifacts: Artifacts) -> None:
        self.store = store
        self.sender = operator
        self.bridge_address = bridge_address
        self.artifacts = artifacts

    @property
    def operator(self) -> str:
        return self.sender.address

    def handle(self, address: str) -> PoolHandle:
        return PoolHandle.attach(self.sender, address, self.artifacts)

    # --- reading ----------------------------------------------------------------------------------

    def get(self, address: str) -> PoolRecord:
        """The ready pool at ``address`` (checksummed), or ``pool_not_found``."""
        with self.store.session() as session:
            row = session.scalars(
                select(PoolRecord).where(PoolRecord.address == address, PoolRecord.step == READY)
            ).one_or_none()
        if row is None:
            raise PoolError(
                f"the bridge knows no pool at {address}", code=PoolErrorCode.POOL_NOT_FOUND, field="address"
            )
        return row

    def page(self, limit: int, offset: int) -> tuple[list[PoolRecord], int]:
        """Ready pools, oldest first, and how many there are."""
        query = select(PoolRecord).where(PoolRecord.step == READY)
        with self.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = list(session.scalars(query.order_by(PoolRecord.id).limit(limit).offset(offset)))
        return rows, total

    # --- deploying --------------------------------------------------------------------------------

    def ensure_presets(self) -> list[PoolHandle]:
        """Every preset pool (nature, corsia, ccp, removals), deployed once, fees to the operator.
        Idempotent: a second call, or a call after a restart, returns the pools already recorded."""
        rows = [self.deploy(f"preset:{key}", PoolSpec.of_preset(key, self.operator)) for key in PRESETS]
        return [self.handle(row.address) for row in rows]

    def deploy(self, request_key: str, spec: PoolSpec) -> PoolRecord:
        """The pool of ``request_key``: deployed now, or the one deployed before for the same spec (a
        different spec under a used key is an ``idempotency_conflict``)."""
        digest = spec.digest()
        with self.store.session() as session:
            row = session.scalars(select(PoolRecord).where(PoolRecord.request_key == request_key)).one_or_none()
        if row is not None:
            if row.request_hash != digest:
                raise BridgeError(
                    "this idempotency key was used for a different pool",
                    code=BridgeErrorCode.IDEMPOTENCY_CONFLICT,
                    field="Idempotency-Key",
                )
            return row if row.step == READY else self._finish(row)
        nonce = self._next_nonce()  # it fixes the address the deployment will get
        with self.store.session() as session:
            row = PoolRecord(
                address=get_create_address(self.sender.address, nonce),
                name=spec.name,
                symbol=spec.symbol,
                preset=spec.preset,
                request_key=request_key,
                request_hash=digest,
                spec=spec.model_dump(mode="json"),
                deployer=self.sender.address,
                deploy_nonce=nonce,
                step=DEPLOYING,
            )
            session.add(row)
        return self._finish(row)

    def _next_nonce(self) -> int:
        self.sender.resync()  # the nonce it will use is the chain's pending count
        return int(self.sender.w3.eth.get_transaction_count(self.sender.address, "pending"))

    def _finish(self, row: PoolRecord) -> PoolRecord:
        spec = PoolSpec.model_validate(row.spec)
        w3 = self.sender.w3
        if w3.eth.get_code(row.address):
            handle = self.handle(row.address)  # deployed before a crash: only the caps may be missing
            if spec.supply_cap is not None and handle.supply_cap() != spec.supply_cap:
                handle.set_supply_cap(spec.supply_cap)
            if spec.class_cap is not None and int(handle.contract.functions.defaultClassCap().call()) != spec.class_cap:
                handle.set_default_class_cap(spec.class_cap)
        else:
            nonce = self._next_nonce()
            if nonce != row.deploy_nonce:  # the recorded nonce went to another transaction: a new address
                self._update(row, address=get_create_address(self.sender.address, nonce), deploy_nonce=nonce)
            try:
                handle = deploy_pool(
                    self.sender, self.bridge_address, spec, admin=self.sender.address, artifacts=self.artifacts
                )
            except CodedError:
                if not w3.eth.get_code(row.address):  # refused before anything was deployed: forget it
                    with self.store.session() as session:
                        session.delete(session.get(PoolRecord, row.id))
                raise
            if handle.address != row.address:  # cannot happen while the sender is serialized; recorded as it is
                self._update(row, address=handle.address)
        return self._update(row, step=READY)

    def _update(self, row: PoolRecord, **values: Any) -> PoolRecord:
        with self.store.session() as session:
            stored = session.get(PoolRecord, row.id)
            assert stored is not None
            for name, value in values.items():
                setattr(stored, name, value)
        for name, value in values.items():
            setattr(row, name, value)
        return row
