"""What the registry shows: its public models, operation results and reports (pydantic).

``XPublic`` is what the registry shows of an X; ``*Result`` what an operation did. The operations'
inputs (``XCreate``, ``*Request``) are in ``bridge.registry.requests``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.registry.enums import (
    AccountKind,
    AccountStatus,
    ActivityStructure,
    BlockStatus,
    CorsiaPhase,
    ProgramCategory,
)
from bridge.registry.labels import LabelsPublic

Code = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=64)]
# Ids are 32-bit INTEGER columns on PostgreSQL: a larger id is refused here, not by the database driver.
AccountId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
RowId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
ChainId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
EvmAddress = Annotated[str, StringConstraints(strict=True, pattern=r"^0x[0-9a-fA-F]{40}$")]
LockId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- programs, projects, accounts ------------------------------------------------------------------


class ProgramPublic(_Model):
    code: str
    name: str
    unit_type: str
    unit_decimals: int = Field(0, description="one unit is 10**-unit_decimals tonne: 0 a tonne, 3 a kilogram")
    unit: str = Field("tonne", description="what one unit of the program is: tonne or kilogram")
    registry_name: str
    category: ProgramCategory
    ccp_eligible: bool
    corsia_phases: list[CorsiaPhase]
    created_at: datetime


class ProjectPublic(LabelsPublic, _Model):
    """A registered project, and the labels its issuances carry unless an issuance says otherwise."""

    id: int
    program: str
    project_id: str
    name: str
    methodology_id: str
    methodology: str | None = None
    methodology_version: str | None = None
    methodology_category: str
    sector: str
    sectoral_scope: str
    host_country: str
    site_location: str | None = None
    site_state: str | None = None
    proponent: str | None = None
    status: str | None = None
    crediting_period_start: date | None = None
    crediting_period_end: date | None = None
    activity_structure: ActivityStructure | None = None
    poa_id: str | None = None
    ex_post: bool
    sdg_goals: list[int]
    additional_certifications: list[str]
    source_fields: dict[str, str] = Field(default_factory=dict)
    created_at: datetime


class AccountPublic(_Model):
    id: int
    kind: AccountKind
    owner: str
    name: str
    status: AccountStatus
    system: bool
    created_at: datetime
    closed_at: datetime | None


# --- issuances -----------------------------------------------------------------------------------


class IssuancePublic(LabelsPublic, _Model):
    """One issuance: its units (``quantity`` in the program's units), vintage (the monitoring period, which may
    span two years), the serial the registry prints for it, and the labels in force for its credits."""

    id: int
    program: str
    project_id: str
    vintage_start: date
    vintage_end: date
    issued_on: date
    quantity: int
    unit_space: str
    unit_start: int
    unit_end: int
    serial: str
    issuance_ref: str
    issued_to_account_id: int
    buffer_quantity: int = Field(0, description="units deposited into the buffer pool at issuance")
    verification_body: str | None = None
    source_fields: dict[str, str] = Field(default_factory=dict)
    created_at: datetime


# --- unit blocks ---------------------------------------------------------------------------------


class MarketplaceIdentifier(_Model):
    """Where an immobilised block is represented: a token batch on some chain (opaque to the registry)."""

    chain_id: ChainId
    token_address: Code
    batch_id: Code
    recipient: EvmAddress | None = Field(
        None, description="the address the locker names as the tokens' destination (an EVM address)"
    )

    def __str__(self) -> str:
        shown = f"{self.chain_id}:{self.token_address}:{self.batch_id}"
        return shown if self.recipient is None else f"{shown} to {self.recipient}"


class MarketplacePublic(_Model):
    marketplace: str
    identifier: MarketplaceIdentifier
    link: str | None


class RetirementPublic(_Model):
    beneficiary: str
    reason: str
    details: str | None
    retired_at: datetime
    settles: list[str]


class CancellationPublic(_Model):
    reason: str
    cancelled_at: datetime


class UnitBlockPublic(_Model):
    """Units ``start``..``end`` (inclusive) of one issuance, all in one status and account."""

    id: int
    issuance_id: int
    serial: str
    unit_space: str
    start: int
    end: int
    quantity: int
    status: BlockStatus
    account_id: int
    previous_account_id: int | None
    frozen: bool
    freeze_reason: str | None
    retirement: RetirementPublic | None
    cancellation: CancellationPublic | None
    marketplace: MarketplacePublic | None
    lock_id: int | None = Field(None, description="the registry lock its units are immobilized under")
    created_at: datetime
    updated_at: datetime


class LockPublic(_Model):
    """One registry lock: the units one immobilization locked (as they were then), where they are
    represented, and the blocks that hold those units now (whatever their status since)."""

    lock_id: int
    seq: int = Field(description="the journal entry that locked them")
    issuance_id: int
    serial: str = Field(description="the block's serial when it was locked")
    unit_space: str
    start: int
    end: int
    quantity: int
    trust_account_id: int
    actor_account_id: int | None = Field(description="the account that locked them (None: the registry operator)")
    marketplace: MarketplacePublic
    locked_at: datetime
    blocks: list[UnitBlockPublic] = Field(description="the blocks holding the lock's units now, by unit number")


class CreditPublic(_Model):
    """A block with everything buyers and the bridge filter on: its issuance, project and program."""

    block: UnitBlockPublic
    issuance: IssuancePublic
    project: ProjectPublic
    program: ProgramPublic


class LockedCredit(_Model):
    """A registry lock with the credit its units belong to (the credit of the first block holding them now):
    what a verifier reads to check one leaf of a batch."""

    lock: LockPublic
    credit: CreditPublic | None = Field(description="None only if no block holds the lock's units any more")


# --- results -------------------------------------------------------------------------------------


class Genesis(_Model):
    """Result of the genesis entry: the ids of the registry's own accounts."""

    accounts: list[int]


class IssuanceResult(_Model):
    """What an issuance did: ``block`` holds the issued units in the receiving account, ``buffer_block`` the
    units deposited into the buffer pool at issuance (None: none)."""

    seq: int
    recorded_at: datetime
    issuance: IssuancePublic
    block: UnitBlockPublic
    buffer_block: UnitBlockPublic | None = None


class BlockOperationResult(_Model):
    """What a block operation did.

    ``blocks`` are the operated blocks as they are now (their quantities add up to ``quantity``);
    ``remainders`` are the parts split off that stayed as they were.
    """

    seq: int
    operation: str
    recorded_at: datetime
    quantity: int
    blocks: list[UnitBlockPublic]
    remainders: list[UnitBlockPublic]


# --- reports -------------------------------------------------------------------------------------


class StatusTotals(_Model):
    held: int = 0
    immobilized: int = 0
    retired: int = 0
    cancelled: int = 0
    buffer: int = 0
    frozen: int = 0  # of the above, units in frozen blocks

    @property
    def total(self) -> int:
        return self.held + self.immobilized + self.retired + self.cancelled + self.buffer


class IssuanceTotals(_Model):
    issuance_id: int
    issued: int
    by_status: StatusTotals


class AccountBalance(_Model):
    account: AccountPublic
    by_status: StatusTotals
    by_issuance: dict[int, StatusTotals]


class JournalEntryPublic(_Model):
    seq: int
    recorded_at: datetime
    operation: str
    request_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class JournalCheckpoint(_Model):
    """The journal's head: publish or keep it elsewhere to later prove nothing before it changed."""

    seq: int
    hash: str


class JournalReport(_Model):
    ok: bool
    entries: int
    head: JournalCheckpoint
    first_bad_seq: int | None = None
    problem: str | None = None

    def raise_for_problems(self) -> None:
        if not self.ok:
            from bridge.registry.errors import JournalCorruptError

            raise JournalCorruptError(
                f"journal entry {self.first_bad_seq}: {self.problem}",
                details={"seq": self.first_bad_seq, "problem": self.problem},
            )


class IntegrityProblem(_Model):
    check: str  # "overlap" | "conservation" | "range" | "status" | ...
    message: str
    issuance_id: int | None = None
    block_ids: list[int] = Field(default_factory=list)


class IntegrityReport(_Model):
    ok: bool
    blocks: int
    issuances: int
    problems: list[IntegrityProblem]

    def raise_for_problems(self) -> None:
        if not self.ok:
            from bridge.registry.errors import IntegrityViolationError

            first = self.problems[0]
            raise IntegrityViolationError(
                f"{len(self.problems)} integrity problem(s); first: {first.message}",
                details={"problems": [problem.model_dump() for problem in self.problems]},
            )
