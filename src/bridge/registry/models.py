"""Storage model of the registry ledger (SQLAlchemy 2 typed ORM).

Units are stored as blocks of consecutive unit numbers, never one row per unit: a block of 1,000,000
units is one ``UnitBlock`` row, and any partial operation splits a row in two. The invariants (a unit
is in exactly one block; blocks never overlap within a numbering space; per issuance the blocks add up
to what was issued) are kept by the ledger code, checked by ``bridge.registry.integrity`` and, where a
database can express them, by constraints declared here (and in the migrations).

All datetimes are UTC: stored naive, returned timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bridge.registry.enums import (
    AccountKind,
    AccountStatus,
    ActivityStructure,
    Article6Authorization,
    BlockStatus,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    Eligibility,
    MitigationType,
    ProgramCategory,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Hash of the (empty) journal before its first entry.
GENESIS_HASH = "0" * 64


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime stored as a naive UTC timestamp (same on SQLite and PostgreSQL)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry datetimes must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: a VARCHAR with a CHECK constraint listing the values."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, date: Date}


class Program(Base):
    """A crediting program (Verra VCS, Gold Standard, CDM, ...) keyed by its serial program code.

    ``unit_decimals``: one unit of the program is 10**-unit_decimals tonne (0: tonnes, 3: kilograms).
    """

    __tablename__ = "registry_programs"
    __table_args__ = (CheckConstraint("unit_decimals IN (0, 3)", name="unit_decimals"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_type: Mapped[str] = mapped_column(String(32))
    unit_decimals: Mapped[int] = mapped_column(Integer)
    category: Mapped[ProgramCategory] = mapped_column(_enum(ProgramCategory, "program_category"))
    ccp_eligible: Mapped[bool] = mapped_column(Boolean)
    corsia_phases: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class LabelColumns:
    """The labels of ``bridge.registry.labels.CreditLabels`` as columns: a project's defaults, or the labels
    in force for an issuance (a test keeps both lists equal)."""

    mitigation_type: Mapped[MitigationType] = mapped_column(_enum(MitigationType, "mitigation_type"))
    ccp_approved: Mapped[bool] = mapped_column(Boolean)
    corsia_pilot: Mapped[Eligibility] = mapped_column(_enum(Eligibility, "corsia_pilot"))
    corsia_first_phase: Mapped[Eligibility] = mapped_column(_enum(Eligibility, "corsia_first_phase"))
    article6_authorization: Mapped[Article6Authorization] = mapped_column(
        _enum(Article6Authorization, "article6_authorization")
    )
    corresponding_adjustment_declaration: Mapped[CorrespondingAdjustmentDeclaration] = mapped_column(
        _enum(CorrespondingAdjustmentDeclaration, "ca_declaration")
    )
    corresponding_adjustment_status: Mapped[CorrespondingAdjustmentStatus] = mapped_column(
        _enum(CorrespondingAdjustmentStatus, "ca_status")
    )
    arb_eligible: Mapped[Eligibility] = mapped_column(_enum(Eligibility, "arb_eligible"))
    ecology_eligible: Mapped[Eligibility] = mapped_column(_enum(Eligibility, "ecology_eligible"))
    reversible: Mapped[Eligibility] = mapped_column(_enum(Eligibility, "reversible"))


class Project(LabelColumns, Base):
    """A registered project, and the labels its issuances carry unless an issuance says otherwise."""

    __tablename__ = "registry_projects"
    __table_args__ = (
        UniqueConstraint("program_code", "project_id", name="uq_registry_projects_program_project"),
        CheckConstraint("ccp_approved = false OR ex_post = true", name="ccp_needs_ex_post"),
        CheckConstraint("crediting_period_start <= crediting_period_end", name="crediting_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    program_code: Mapped[str] = mapped_column(ForeignKey("registry_programs.code"))
    project_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    methodology_id: Mapped[str] = mapped_column(String(64))
    methodology: Mapped[str | None] = mapped_column(String(300))
    methodology_version: Mapped[str | None] = mapped_column(String(100))
    methodology_category: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(300))
    sectoral_scope: Mapped[str] = mapped_column(String(32))
    host_country: Mapped[str] = mapped_column(String(2))
    site_location: Mapped[str | None] = mapped_column(String(300))
    site_state: Mapped[str | None] = mapped_column(String(300))
    proponent: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(100))
    crediting_period_start: Mapped[date | None]
    crediting_period_end: Mapped[date | None]
    activity_structure: Mapped[ActivityStructure | None] = mapped_column(_enum(ActivityStructure, "activity_structure"))
    poa_id: Mapped[str | None] = mapped_column(String(64))
    ex_post: Mapped[bool] = mapped_column(Boolean)
    sdg_goals: Mapped[list[int]] = mapped_column(JSON)
    additional_certifications: Mapped[list[str]] = mapped_column(JSON)
    source_fields: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Account(Base):
    """A registry account. ``system`` accounts belong to the registry itself (retirement, ...)."""

    __tablename__ = "registry_accounts"
    __table_args__ = (
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at"),
        Index("ix_registry_accounts_kind_system", "kind", "system", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind, "account_kind"))
    owner: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[AccountStatus] = mapped_column(_enum(AccountStatus, "account_status"))
    system: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Issuance(LabelColumns, Base):
    """One issuance of credits for a project and vintage (its monitoring period, which may span years): one
    contiguous range of unit numbers, with the labels in force for its credits and the units deposited
    into the buffer pool at issuance."""

    __tablename__ = "registry_issuances"
    __table_args__ = (
        CheckConstraint("unit_start >= 1", name="start_positive"),
        CheckConstraint("unit_start <= unit_end", name="start_le_end"),
        CheckConstraint("quantity = unit_end - unit_start + 1", name="quantity"),
        CheckConstraint("vintage_start <= vintage_end", name="vintage"),
        CheckConstraint("buffer_quantity >= 0 AND buffer_quantity < quantity", name="buffer_quantity"),
        UniqueConstraint("unit_space", "unit_start", name="uq_registry_issuances_unit_space_start"),
        UniqueConstraint("serial"),
        Index("ix_registry_issuances_unit_space_end", "unit_space", "unit_end"),
        Index("ix_registry_issuances_project", "project_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(ForeignKey("registry_projects.id"))
    vintage_start: Mapped[date]
    vintage_end: Mapped[date]
    issued_on: Mapped[date]
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_space: Mapped[str] = mapped_column(String(300))
    unit_start: Mapped[int] = mapped_column(BigInteger)
    unit_end: Mapped[int] = mapped_column(BigInteger)
    serial: Mapped[str] = mapped_column(String(300))
    issuance_ref: Mapped[str] = mapped_column(String(300))
    issued_to_account_id: Mapped[int] = mapped_column(ForeignKey("registry_accounts.id"))
    buffer_quantity: Mapped[int] = mapped_column(BigInteger)
    verification_body: Mapped[str | None] = mapped_column(String(300))
    source_fields: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class UnitBlock(Base):
    """A block of consecutive units ``[start, end]`` of one issuance, all in one status and account."""

    __tablename__ = "registry_unit_blocks"
    __table_args__ = (
        CheckConstraint("unit_start >= 1", name="start_positive"),
        CheckConstraint("unit_start <= unit_end", name="start_le_end"),
        CheckConstraint("quantity = unit_end - unit_start + 1", name="quantity"),
        CheckConstraint(
            "status <> 'retired' OR (retirement_beneficiary IS NOT NULL AND retired_at IS NOT NULL)",
            name="retired_details",
        ),
        CheckConstraint(
            "status <> 'cancelled' OR (cancellation_reason IS NOT NULL AND cancelled_at IS NOT NULL)",
            name="cancelled_details",
        ),
        CheckConstraint(
            "status <> 'immobilized' OR (marketplace IS NOT NULL AND marketplace_token_address IS NOT NULL)",
            name="immobilized_details",
        ),
        CheckConstraint("frozen = false OR freeze_reason IS NOT NULL", name="freeze_reason"),
        UniqueConstraint("unit_space", "unit_start", name="uq_registry_unit_blocks_unit_space_start"),
        UniqueConstraint("unit_space", "unit_end", name="uq_registry_unit_blocks_unit_space_end"),
        UniqueConstraint("serial"),
        Index("ix_registry_unit_blocks_issuance_start", "issuance_id", "unit_start"),
        Index("ix_registry_unit_blocks_account_selection", "account_id", "status", "issuance_id", "unit_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    issuance_id: Mapped[int] = mapped_column(ForeignKey("registry_issuances.id"))
    unit_space: Mapped[str] = mapped_column(String(300))
    unit_start: Mapped[int] = mapped_column(BigInteger)
    unit_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    serial: Mapped[str] = mapped_column(String(300))
    status: Mapped[BlockStatus] = mapped_column(_enum(BlockStatus, "block_status"))
    account_id: Mapped[int] = mapped_column(ForeignKey("registry_accounts.id"))
    previous_account_id: Mapped[int | None] = mapped_column(ForeignKey("registry_accounts.id"))
    frozen: Mapped[bool] = mapped_column(Boolean)
    freeze_reason: Mapped[str | None] = mapped_column(Text)
    retirement_beneficiary: Mapped[str | None] = mapped_column(String(300))
    retirement_reason: Mapped[str | None] = mapped_column(Text)
    retirement_details: Mapped[str | None] = mapped_column(Text)
    retirement_settles: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    retired_at: Mapped[datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]
    marketplace: Mapped[str | None] = mapped_column(String(100))
    marketplace_chain_id: Mapped[int | None] = mapped_column(BigInteger)
    marketplace_token_address: Mapped[str | None] = mapped_column(String(200))
    marketplace_batch_id: Mapped[str | None] = mapped_column(String(200))
    marketplace_link: Mapped[str | None] = mapped_column(String(500))
    marketplace_recipient: Mapped[str | None] = mapped_column(String(42))
    # the registry lock its units were immobilized under (kept by remainders split off it, cleared on release)
    lock_id: Mapped[int | None] = mapped_column(ForeignKey("registry_locks.lock_id"), index=True)
    # set by an immobilization: the flush then writes the lock row before the block that names it, so locking
    # many blocks needs no flush per lock (never loaded: lock_id is what is read)
    lock: Mapped[LockRecord | None] = relationship(lazy="raise")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LockRecord(Base):
    """One immobilization of one block: the registry's own lock id, dense and never reused.

    It records the units as they were locked (serial, range, quantity), the trust account, who locked them
    (None: the registry operator) and where they are represented (marketplace, chain, token, batch and the
    recipient the locker named). The blocks that hold its units now carry ``lock_id`` while in trust.
    """

    __tablename__ = "registry_locks"
    __table_args__ = (
        CheckConstraint("lock_id >= 1", name="lock_id_positive"),
        CheckConstraint("unit_start <= unit_end", name="start_le_end"),
        CheckConstraint("quantity = unit_end - unit_start + 1", name="quantity"),
        Index("ix_registry_locks_unit_space_start", "unit_space", "unit_start"),
    )

    lock_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    # a historical record, as the journal entry that made it says (no foreign keys: nothing it names is
    # ever deleted, and a journal-only database rebuilds its locks before its accounts exist)
    issuance_id: Mapped[int] = mapped_column(Integer)
    serial: Mapped[str] = mapped_column(String(300))
    unit_space: Mapped[str] = mapped_column(String(120))
    unit_start: Mapped[int] = mapped_column(BigInteger)
    unit_end: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(BigInteger)
    trust_account_id: Mapped[int] = mapped_column(Integer)
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    marketplace: Mapped[str] = mapped_column(String(100))
    marketplace_chain_id: Mapped[int] = mapped_column(BigInteger)
    marketplace_token_address: Mapped[str] = mapped_column(String(200))
    marketplace_batch_id: Mapped[str] = mapped_column(String(200))
    marketplace_recipient: Mapped[str | None] = mapped_column(String(42))
    marketplace_link: Mapped[str | None] = mapped_column(String(500))
    locked_at: Mapped[datetime]


class JournalEntry(Base):
    """One append-only, hash-chained record of a ledger operation (see ``bridge.registry.journal``)."""

    __tablename__ = "registry_journal"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("(actor_scope IS NULL) = (request_id IS NULL)", name="actor_scope_with_request_id"),
        UniqueConstraint("hash"),
        UniqueConstraint("actor_scope", "request_id"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime]
    operation: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(200))
    # whose idempotency key ``request_id`` is ("operator", "account:4"): another principal's equal key is
    # another request. Derived from the payload's acting account, so it is not hashed separately.
    actor_scope: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """The single row that points at the newest journal entry.

    Every write locks this row first (``SELECT ... FOR UPDATE``), which serialises ledger operations
    in journal order; it also lets ``verify_journal`` notice entries removed from the end.
    """

    __tablename__ = "registry_ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
