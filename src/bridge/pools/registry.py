"""The pools a bridge knows: deployed once per request, recorded in the engine database, read live from the chain.

A pool is recorded before it is deployed (step ``deploying``, with the address its deployment will get:
the operator's address and nonce fix it), then marked ``ready`` once deployed and capped. A crash in
between is finished by the next request with the same key (or the next ``ensure_preset_pools``): code at
the recorded address means the deployment happened, so only the caps are (re)applied; no code means it
never did, and it is sent again. So one request key gives one pool, whatever happens. (This relies on a
deployment being mined before the next request, as on the service's own chains, which mine at once; on a
chain where it could still be pending, a retry in that window would deploy a second pool.)

Request keys: ``api:<Idempotency-Key>`` for ``POST /v1/pools``, ``preset:<key>`` for the preset pools the
service deploys on its first start. Different namespaces, so an API client cannot take a preset's key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from web3.utils.address import get_create_address

from bridge.chain.attestation import Adjustment, CreditClass
from bridge.engine.errors import BridgeError, BridgeErrorCode
from bridge.engine.store import Base, utcnow
from bridge.errors import CodedError
from bridge.pools.errors import PoolError, PoolErrorCode
from bridge.pools.presets import PRESETS, TONNE, preset
from bridge.pools.rules import LABEL_NAMES, EligibilityReason, PoolRules
from bridge.pools.schemas import (
    ClassAttributes,
    PoolClassPublic,
    PoolCreate,
    PoolEligibilityPublic,
    PoolPublic,
    PoolRulesPublic,
)
from bridge.pools.service import NO_CAP, PoolHandle, deploy_pool
from bridge.registry.models import UTCDateTime

if TYPE_CHECKING:
    from bridge.service import BridgeService

DEPLOYING = "deploying"
READY = "ready"


class PoolRecord(Base):
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


@dataclass(frozen=True)
class PoolSpec:
    """A pool to deploy, fully resolved (a preset's defaults applied). Caps in wei; None = no cap."""

    name: str
    symbol: str
    fee_bps: int
    rules: PoolRules
    supply_cap: int | None
    class_cap: int | None
    fee_recipient: str
    preset: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "symbol": self.symbol,
            "fee_bps": self.fee_bps,
            "rules": self.rules.model_dump(mode="json"),
            "supply_cap": None if self.supply_cap is None else str(self.supply_cap),
            "class_cap": None if self.class_cap is None else str(self.class_cap),
            "fee_recipient": self.fee_recipient,
            "preset": self.preset,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PoolSpec:
        caps = {k: None if data[k] is None else int(data[k]) for k in ("supply_cap", "class_cap")}
        return cls(
            name=data["name"],
            symbol=data["symbol"],
            fee_bps=int(data["fee_bps"]),
            rules=PoolRules.parse(data["rules"]),
            fee_recipient=data["fee_recipient"],
            preset=data["preset"],
            **caps,
        )

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()

    @classmethod
    def of_preset(cls, key: str, fee_recipient: str) -> PoolSpec:
        chosen = preset(key)
        return cls(
            name=chosen.name,
            symbol=chosen.symbol,
            fee_bps=chosen.fee_bps,
            rules=chosen.rules,
            supply_cap=chosen.supply_cap,
            class_cap=chosen.class_cap,
            fee_recipient=fee_recipient,
            preset=chosen.key,
        )

    @classmethod
    def of_request(cls, body: PoolCreate, fee_recipient: str) -> PoolSpec:
        """The spec a ``POST /v1/pools`` body asks for: a preset with overrides, or rules."""
        recipient = body.fee_recipient or fee_recipient
        if body.preset is not None:
            base = cls.of_preset(body.preset, recipient)
            return cls(
                name=body.name or base.name,
                symbol=body.symbol or base.symbol,
                fee_bps=base.fee_bps if body.fee_bps is None else body.fee_bps,
                rules=base.rules,
                supply_cap=base.supply_cap if body.supply_cap_tonnes is None else body.supply_cap_tonnes * TONNE,
                class_cap=base.class_cap if body.class_cap_tonnes is None else body.class_cap_tonnes * TONNE,
                fee_recipient=recipient,
                preset=base.preset,
            )
        assert body.rules is not None and body.name is not None and body.symbol is not None  # the model checks
        return cls(
            name=body.name,
            symbol=body.symbol,
            fee_bps=body.fee_bps or 0,
            rules=body.rules,
            supply_cap=None if body.supply_cap_tonnes is None else body.supply_cap_tonnes * TONNE,
            class_cap=None if body.class_cap_tonnes is None else body.class_cap_tonnes * TONNE,
            fee_recipient=recipient,
        )


class PoolRegistry:
    """The pools of one bridge service. Callers hold ``service.lock`` (one caller at a time on chain and store)."""

    def __init__(self, service: BridgeService) -> None:
        self.service = service

    @property
    def operator(self) -> str:
        return self.service.onchain.sender().address

    def handle(self, address: str) -> PoolHandle:
        return PoolHandle.attach(self.service.onchain.sender(), address, self.service.onchain.deployment.artifacts)

    # --- reading ----------------------------------------------------------------------------------

    def get(self, address: str) -> PoolRecord:
        """The ready pool at ``address`` (checksummed), or ``pool_not_found``."""
        with self.service.store.session() as session:
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
        with self.service.store.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = list(session.scalars(query.order_by(PoolRecord.id).limit(limit).offset(offset)))
        return rows, total

    # --- deploying --------------------------------------------------------------------------------

    def deploy(self, request_key: str, spec: PoolSpec) -> PoolRecord:
        """The pool of ``request_key``: deployed now, or the one deployed before for the same spec (a
        different spec under a used key is an ``idempotency_conflict``)."""
        digest = spec.digest()
        with self.service.store.session() as session:
            row = session.scalars(select(PoolRecord).where(PoolRecord.request_key == request_key)).one_or_none()
        if row is not None:
            if row.request_hash != digest:
                raise BridgeError(
                    "this idempotency key was used for a different pool",
                    code=BridgeErrorCode.IDEMPOTENCY_CONFLICT,
                    field="Idempotency-Key",
                )
            return row if row.step == READY else self._finish(row)
        w3, sender = self.service.onchain.chain.w3, self.service.onchain.sender()
        sender.resync()  # the nonce it will use is the chain's pending count, which fixes the address
        nonce = int(w3.eth.get_transaction_count(sender.address, "pending"))
        with self.service.store.session() as session:
            row = PoolRecord(
                address=get_create_address(sender.address, nonce),
                name=spec.name,
                symbol=spec.symbol,
                preset=spec.preset,
                request_key=request_key,
                request_hash=digest,
                spec=spec.to_json(),
                deployer=sender.address,
                deploy_nonce=nonce,
                step=DEPLOYING,
            )
            session.add(row)
        return self._finish(row)

    def _finish(self, row: PoolRecord) -> PoolRecord:
        spec = PoolSpec.from_json(row.spec)
        w3 = self.service.onchain.chain.w3
        if w3.eth.get_code(row.address):
            handle = self.handle(row.address)  # deployed before a crash: only the caps may be missing
            if spec.supply_cap is not None and handle.supply_cap() != spec.supply_cap:
                handle.set_supply_cap(spec.supply_cap)
            if spec.class_cap is not None and int(handle.contract.functions.defaultClassCap().call()) != spec.class_cap:
                handle.set_default_class_cap(spec.class_cap)
        else:
            sender = self.service.onchain.sender()
            sender.resync()
            nonce = int(w3.eth.get_transaction_count(sender.address, "pending"))
            if nonce != row.deploy_nonce:  # the recorded nonce went to another transaction: a new address
                self._update(row, address=get_create_address(sender.address, nonce), deploy_nonce=nonce)
            try:
                handle = deploy_pool(
                    sender,
                    self.service.onchain.deployment.address,
                    spec.rules,
                    admin=sender.address,
                    fee_recipient=spec.fee_recipient,
                    artifacts=self.service.onchain.deployment.artifacts,
                    name=spec.name,
                    symbol=spec.symbol,
                    fee_bps=spec.fee_bps,
                    supply_cap=spec.supply_cap,
                    class_cap=spec.class_cap,
                )
            except CodedError:
                if not w3.eth.get_code(row.address):  # refused before anything was deployed: forget it
                    with self.service.store.session() as session:
                        session.delete(session.get(PoolRecord, row.id))
                raise
            if handle.address != row.address:  # cannot happen under the service lock; recorded as it is
                self._update(row, address=handle.address)
        return self._update(row, step=READY)

    def _update(self, row: PoolRecord, **values: Any) -> PoolRecord:
        with self.service.store.session() as session:
            stored = session.get(PoolRecord, row.id)
            assert stored is not None
            for name, value in values.items():
                setattr(stored, name, value)
        for name, value in values.items():
            setattr(row, name, value)
        return row

    # --- views ------------------------------------------------------------------------------------

    def public(self, row: PoolRecord) -> PoolPublic:
        """The pool as the API shows it, read from the chain now."""
        pool = self.handle(row.address)
        calls = pool.contract.functions
        supply = pool.total_supply()
        composition = [
            PoolClassPublic(
                token=token,
                class_id="0x" + holding.credit_class.class_id.hex(),
                amount=str(holding.amount),
                share_bps=holding.amount * 10_000 // supply if supply else 0,
                cap=_cap(pool.class_cap(token)),
                attributes=attributes_of(holding.credit_class),
            )
            for token, holding in sorted(pool.composition().items(), key=lambda item: -item[1].amount)
        ]
        rules = pool.rules()
        return PoolPublic(
            address=row.address,
            name=row.name,
            symbol=row.symbol,
            preset=row.preset,
            rules=PoolRulesPublic(
                programs=list(rules.programs),
                methodologies=list(rules.methodologies),
                denied_methodologies=list(rules.denied_methodologies),
                host_countries=list(rules.host_countries),
                min_vintage_start=rules.min_vintage_start,
                required_labels=rules.label_names,
                require_corresponding_adjustment=rules.require_corresponding_adjustment,
            ),
            rules_version=pool.rules_version(),
            fee_bps=pool.fee_bps(),
            fee_recipient=str(calls.feeRecipient().call()),
            total_supply=str(supply),
            supply_cap=_cap(pool.supply_cap()),
            default_class_cap=_cap(int(calls.defaultClassCap().call())),
            paused=bool(calls.paused().call()),
            composition=composition,
            # SQLite gives back naive datetimes (stored as UTC): the API always says UTC
            created_at=row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        )

    def eligibility(self, row: PoolRecord, token: str) -> PoolEligibilityPublic:
        pool = self.handle(row.address)
        eligible, reason = pool.is_eligible(token)
        credit_class = None if reason is EligibilityReason.NOT_BRIDGE_TOKEN else pool.credit_class(token)
        rule, message = explain(reason, pool.rules(), credit_class)
        return PoolEligibilityPublic(
            pool=row.address,
            token=token,
            eligible=eligible,
            reason=reason.name.lower(),
            rule=rule,
            message=message,
            attributes=None if credit_class is None else attributes_of(credit_class),
            class_balance=str(pool.class_balance(token)),
            class_cap=_cap(pool.class_cap(token)),
        )


def ensure_preset_pools(service: BridgeService) -> list[PoolHandle]:
    """Deploy every preset pool (nature, corsia, ccp, removals) once for ``service``, fees to its operator.
    Idempotent: a second call, or a call after a restart, returns the pools already recorded."""
    registry = PoolRegistry(service)
    with service.lock:
        rows = [registry.deploy(f"preset:{key}", PoolSpec.of_preset(key, registry.operator)) for key in PRESETS]
        return [registry.handle(row.address) for row in rows]


def attributes_of(credit_class: CreditClass) -> ClassAttributes:
    adjustment = credit_class.adjustment
    return ClassAttributes(
        program=credit_class.program,
        project_id=credit_class.project_id,
        vintage_start=credit_class.vintage_start,
        vintage_end=credit_class.vintage_end,
        methodology=credit_class.methodology,
        host_country=credit_class.host_country,
        labels=[name for name, label in LABEL_NAMES.items() if int(credit_class.labels) & label],
        adjustment=adjustment.name if isinstance(adjustment, Adjustment) else str(adjustment),
    )


def explain(reason: EligibilityReason, rules: PoolRules, c: CreditClass | None) -> tuple[str | None, str]:
    """The rule (a field of ``PoolRules``) behind ``reason``, and a sentence a trader can act on."""
    if reason is EligibilityReason.ELIGIBLE:
        return None, "the class meets every rule of the pool"
    if reason is EligibilityReason.NOT_BRIDGE_TOKEN or c is None:
        return None, "not a class token of this bridge"
    label_rules = {
        EligibilityReason.NOT_CCP_APPROVED: "CCP_APPROVED",
        EligibilityReason.NOT_CORSIA_ELIGIBLE: "CORSIA_ELIGIBLE",
        EligibilityReason.NOT_REMOVAL: "REMOVAL",
        EligibilityReason.NOT_ARTICLE6_AUTHORIZED: "ARTICLE6_AUTHORIZED",
    }
    if reason in label_rules:
        return "required_labels", f"the pool requires the {label_rules[reason]} label, which the class lacks"
    explained = {
        EligibilityReason.PROGRAM_NOT_ALLOWED: (
            "programs",
            f"program {c.program} is not one of the pool's programs ({', '.join(rules.programs)})",
        ),
        EligibilityReason.METHODOLOGY_NOT_ALLOWED: (
            "methodologies",
            f"methodology {c.methodology or '(none)'} is not one of the pool's methodologies",
        ),
        EligibilityReason.METHODOLOGY_DENIED: ("denied_methodologies", f"methodology {c.methodology} is denied"),
        EligibilityReason.VINTAGE_TOO_OLD: (
            "min_vintage_start",
            f"the vintage starts {c.vintage_start}, before the pool's minimum {rules.min_vintage_start}",
        ),
        EligibilityReason.HOST_COUNTRY_NOT_ALLOWED: (
            "host_countries",
            f"host country {c.host_country} is not one of the pool's ({', '.join(rules.host_countries)})",
        ),
        EligibilityReason.NO_CORRESPONDING_ADJUSTMENT: (
            "require_corresponding_adjustment",
            "the pool requires a completed corresponding adjustment",
        ),
    }
    return explained[reason]


def _cap(value: int) -> str | None:
    return None if value >= NO_CAP else str(value)
