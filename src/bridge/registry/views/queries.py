"""The registry's public searches: their filters (query models, also the API's query parameters), pages
and the retirement records registries publish."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bridge.registry.enums import (
    AccountKind,
    AccountStatus,
    BlockStatus,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    MitigationType,
    ProgramCategory,
)
from bridge.registry.schemas import MarketplacePublic

T = TypeVar("T")

MAX_PAGE: Final = 500
"""The largest ``limit`` a search accepts."""
DEFAULT_PAGE: Final = 50
MAX_ID: Final = 2**31 - 1
"""Row ids (accounts, issuances, blocks, API keys) are 32-bit integers in the database."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
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


class LabelQuery(PageQuery):
    """Filters on a credit's labels (projects: their default labels; issuances: the labels in force)."""

    mitigation_type: MitigationType | None = None
    removal: bool | None = Field(None, description="true: removals only; false: reductions only")
    ccp_approved: bool | None = None
    corsia_eligible: bool | None = Field(None, description="eligible for CORSIA in some phase")
    corsia_phase: CorsiaPhase | None = Field(None, description="eligible for CORSIA in this phase")
    article6_authorized: bool | None = Field(None, description="authorized by the host country under Article 6")
    corresponding_adjustment: CorrespondingAdjustmentStatus | None = None
    arb_eligible: bool | None = Field(None, description="eligible for California's ARB compliance program")
    ecology_eligible: bool | None = Field(None, description="eligible for Washington Ecology's compliance program")


class ProjectQuery(LabelQuery):
    program: SearchText | None = Field(None, description="program code, e.g. VCS", examples=["VCS"])
    country: SearchText | None = Field(None, description="host country (ISO 3166-1 alpha-2)", examples=["ID"])
    methodology: SearchText | None = Field(None, description="methodology id, e.g. VM0007", examples=["VM0007"])
    category: SearchText | None = Field(None, description="methodology category, e.g. REDD+", examples=["REDD+"])
    sector: SearchText | None = None
    sdg: int | None = Field(None, ge=1, le=17, description="contributes to this UN SDG")
    certification: SearchText | None = Field(None, description="carries this additional certification, e.g. CCB")
    name: SearchText | None = Field(None, description="project name contains")
    proponent: SearchText | None = Field(None, description="project developer or proponent contains")


class IssuanceQuery(LabelQuery):
    program: SearchText | None = None
    project_id: SearchText | None = None
    country: SearchText | None = None
    vintage: Year | None = Field(None, description="vintage period overlaps this year")
    vintage_from: Year | None = Field(None, description="vintage period ends in or after this year")
    vintage_to: Year | None = Field(None, description="vintage period starts in or before this year")
    serial: SearchText | None = Field(None, description="the issuance's serial or reference contains")


class BlockQuery(PageQuery):
    status: BlockStatus | None = None
    account_id: Id | None = None
    issuance_id: Id | None = None
    program: SearchText | None = None
    project_id: SearchText | None = None
    serial: SearchText | None = Field(None, description="serial contains")
    frozen: bool | None = None


class RetirementQuery(PageQuery):
    beneficiary: SearchText | None = Field(None, description="beneficiary contains")
    reason: SearchText | None = Field(None, description="retirement reason contains")
    program: SearchText | None = None
    project_id: SearchText | None = None
    issuance_id: Id | None = None
    retired_from: date | None = Field(None, description="retired on or after this day (UTC)")
    retired_to: date | None = Field(None, description="retired on or before this day (UTC)")


class AccountQuery(PageQuery):
    kind: AccountKind | None = None
    status: AccountStatus | None = None
    owner: SearchText | None = Field(None, description="owner contains")


class JournalQuery(PageQuery):
    after_seq: int = Field(0, ge=0, le=2**62, description="entries after this sequence number")
    operation: SearchText | None = None


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
