"""Input and output models of the registry service (pydantic).

Families follow ``XCreate`` (what a caller sends to create an X) and ``XPublic`` (what the registry
shows of an X). ``*Request`` models are the validated inputs of block operations, exactly as the
journal records them. ``Registry`` methods take keyword arguments with the same names as these models'
fields, so an HTTP layer can call ``registry.create_project(**body.model_dump())``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bridge.registry.enums import (
    AccountKind,
    AccountStatus,
    Article6Authorization,
    BlockStatus,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    MitigationType,
    ProgramCategory,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Quantity = Annotated[int, Field(strict=True, ge=1, le=10**15)]
# Ids are 32-bit INTEGER columns on PostgreSQL: a larger id is refused here, not by the database driver.
AccountId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
RowId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
ChainId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/@+=-]{1,200}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- programs, projects, accounts ------------------------------------------------------------------


class ProgramCreate(_Model):
    """A crediting program; ``code`` is its serial program code (``VCS``, ``GS``, ``PURO``, ...)."""

    code: Code
    category: ProgramCategory
    name: Name | None = None  # default: the name the serial catalogue knows
    unit_type: ShortCode | None = None  # default: the catalogue's unit (VCU, VER, CER, ...)
    ccp_eligible: bool = False
    corsia_phases: list[CorsiaPhase] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("corsia_phases")
    @classmethod
    def _unique_phases(cls, value: list[CorsiaPhase]) -> list[CorsiaPhase]:
        return sorted(set(value))


class ProgramPublic(_Model):
    code: str
    name: str
    unit_type: str
    registry_name: str
    category: ProgramCategory
    ccp_eligible: bool
    corsia_phases: list[CorsiaPhase]
    created_at: datetime


class ProjectCreate(_Model):
    """A project and the labels its credits carry.

    Rules: CCP-approved needs ex-post issuance and a CCP-eligible program; a CORSIA phase is given
    exactly when the project is CORSIA-eligible, and the program must be eligible in that phase.
    """

    program: Code
    project_id: Code
    name: Text
    methodology_id: Code
    methodology_category: Label
    sector: Label
    sectoral_scope: ShortCode
    host_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    mitigation_type: MitigationType
    ex_post: bool = True
    ccp_approved: bool = False
    corsia_eligible: bool = False
    corsia_phase: CorsiaPhase | None = None
    article6_authorization: Article6Authorization = Article6Authorization.NOT_AUTHORIZED
    corresponding_adjustment_declaration: CorrespondingAdjustmentDeclaration = (
        CorrespondingAdjustmentDeclaration.UNKNOWN
    )
    corresponding_adjustment_status: CorrespondingAdjustmentStatus = CorrespondingAdjustmentStatus.NOT_APPLICABLE
    sdg_goals: list[Annotated[int, Field(ge=1, le=17)]] = Field(default_factory=list)
    additional_certifications: list[Code] = Field(default_factory=list)

    @field_validator("program")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("sdg_goals")
    @classmethod
    def _sdgs(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    @field_validator("additional_certifications")
    @classmethod
    def _certifications(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class ProjectPublic(_Model):
    id: int
    program: str
    project_id: str
    name: str
    methodology_id: str
    methodology_category: str
    sector: str
    sectoral_scope: str
    host_country: str
    mitigation_type: MitigationType
    ex_post: bool
    ccp_approved: bool
    corsia_eligible: bool
    corsia_phase: CorsiaPhase | None
    article6_authorization: Article6Authorization
    corresponding_adjustment_declaration: CorrespondingAdjustmentDeclaration
    corresponding_adjustment_status: CorrespondingAdjustmentStatus
    sdg_goals: list[int]
    additional_certifications: list[str]
    created_at: datetime


class AccountCreate(_Model):
    kind: AccountKind
    owner: Name
    name: Name | None = None  # default: "<owner> <kind> account"


class AccountPublic(_Model):
    id: int
    kind: AccountKind
    owner: str
    name: str
    status: AccountStatus
    system: bool
    created_at: datetime
    closed_at: datetime | None


class CloseAccountRequest(_Model):
    account_id: AccountId


# --- issuances -----------------------------------------------------------------------------------


class IssueRequest(_Model):
    """Issue ``quantity`` new units of a project's vintage into a holding account.

    ``first_unit`` pins the first unit number (it must not overlap an earlier issuance in the same
    numbering space); by default the ledger takes the next free number. ``program_fields`` are the
    program's own serial fields (see ``serials.make_serial``), e.g. ``{"sectoral_scope": "14"}``.
    """

    program: Code
    project_id: Code
    to_account: AccountId
    quantity: Quantity
    vintage_start: date
    vintage_end: date
    issued_on: date | None = None  # default: the day of the operation
    first_unit: Annotated[int, Field(strict=True, ge=1, le=10**15)] | None = None
    program_fields: dict[Code, Code] = Field(default_factory=dict)

    @field_validator("program")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _vintage_order(self) -> Self:
        if self.vintage_start > self.vintage_end:
            raise ValueError("vintage_start is after vintage_end")
        return self


class IssuancePublic(_Model):
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
    created_at: datetime


# --- unit blocks ---------------------------------------------------------------------------------


class MarketplaceIdentifier(_Model):
    """Where an immobilised block is represented: a token batch on some chain (opaque to the registry)."""

    chain_id: ChainId
    token_address: Code
    batch_id: Code

    def __str__(self) -> str:
        return f"{self.chain_id}:{self.token_address}:{self.batch_id}"


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
    created_at: datetime
    updated_at: datetime


class CreditPublic(_Model):
    """A block with everything buyers and the bridge filter on: its issuance, project and program."""

    block: UnitBlockPublic
    issuance: IssuancePublic
    project: ProjectPublic
    program: ProgramPublic


class BlockSelection(_Model):
    """Which units an operation acts on: a block named by its serial, or a quantity of an issuance.

    * ``serial``: the block with exactly that serial; with ``quantity``, only its lowest ``quantity``
      units (the block is split, see ``bridge.registry.ledger``).
    * ``issuance_id`` + ``quantity``: the lowest-numbered eligible units of that issuance in
      ``from_account`` (default: the actor's account), across as many blocks as needed.
    """

    serial: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    issuance_id: RowId | None = None
    quantity: Quantity | None = None
    from_account: AccountId | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> Self:
        if (self.serial is None) == (self.issuance_id is None):
            raise ValueError("name the units either by serial or by issuance_id and quantity")
        return self

    @property
    def needs_quantity(self) -> bool:
        return self.issuance_id is not None and self.quantity is None


class _ActorRequest(BlockSelection):
    #: The account the caller acts for: it may touch only its own blocks. None = the registry operator.
    actor_account: AccountId | None


class TransferRequest(_ActorRequest):
    to_account: AccountId


class RetireRequest(_ActorRequest):
    beneficiary: Text
    reason: LongText
    details: LongText | None = None
    retirement_account: AccountId | None = None  # default: the registry's retirement account


class CancelRequest(_ActorRequest):
    reason: LongText
    cancellation_account: AccountId | None = None  # default: the registry's cancellation account


class BufferRequest(_ActorRequest):
    buffer_account: AccountId | None = None  # default: the registry's buffer pool account


class ImmobilizeRequest(_ActorRequest):
    trust_account: AccountId
    marketplace: Label
    marketplace_identifier: MarketplaceIdentifier
    marketplace_link: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class ReleaseRequest(_ActorRequest):
    to_account: AccountId


class RetireFromTrustRequest(_ActorRequest):
    beneficiary: Text
    reason: LongText
    details: LongText | None = None
    settles: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(min_length=1)
    retirement_account: AccountId | None = None


class FreezeRequest(BlockSelection):
    """Freeze units issued in error (registry operator only). Without ``quantity``, an issuance's
    every live unfrozen block is frozen."""

    reason: LongText


class UnfreezeRequest(BlockSelection):
    reason: LongText | None = None


class InitRequest(_Model):
    registry_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]


# --- results -------------------------------------------------------------------------------------


class IssuanceResult(_Model):
    seq: int
    recorded_at: datetime
    issuance: IssuancePublic
    block: UnitBlockPublic


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
