"""The fields of every registry operation, declared once: each model here is one operation's request.

A request model is at once the ``Registry`` method's keyword arguments, both clients' keyword arguments,
the registry API's request body (its OpenAPI schema) and what the journal records. Adding a field to an
operation is adding it here (and storing it in the operation's handler).

Types are strict where JSON has no room for doubt (an id is an integer, never ``"5"`` or ``true``), and
no unknown field is accepted. A model refuses what can be judged without the ledger (the range of a
quantity, the length of a text); whatever needs the ledger (known accounts, serial formats, label rules)
is the handler's to refuse, with its own code. The acting account is not a field: the API key decides
who acts, and the ledger receives it beside the request.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator, model_validator

from bridge.registry.enums import (
    AccountKind,
    Article6Authorization,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    MitigationType,
    ProgramCategory,
)
from bridge.registry.schemas import AccountId, Code, MarketplaceIdentifier, RowId

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]
ShortCode = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=4000)]
Quantity = Annotated[int, Field(strict=True, ge=1, le=10**15)]
RequestId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/@+=-]{1,200}$")]
"""An idempotency key: the ledger's ``request_id``, the API's ``Idempotency-Key`` header."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- programs, projects, accounts ------------------------------------------------------------------


class InitRequest(_Request):
    """The genesis entry: the registry's name, written once by ``Registry.initialize``."""

    registry_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]


class ProgramCreate(_Request):
    """A crediting program; ``code`` is its serial program code (``VCS``, ``GS``, ``PURO``, ...)."""

    code: Code = Field(description="the program's serial code: VCS, GS, ACR, CAR, CDM, PACM, PURO, CCER, ...")
    category: ProgramCategory
    name: Name | None = Field(None, description="default: the name the serial catalogue knows")
    unit_type: ShortCode | None = Field(None, description="default: the catalogue's unit (VCU, VER, CER, ...)")
    ccp_eligible: StrictBool = False
    corsia_phases: list[CorsiaPhase] = Field(default_factory=list)

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("corsia_phases")
    @classmethod
    def _unique_phases(cls, value: list[CorsiaPhase]) -> list[CorsiaPhase]:
        return sorted(set(value))


class ProjectCreate(_Request):
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
    host_country: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2"
    )
    mitigation_type: MitigationType
    ex_post: StrictBool = True
    ccp_approved: StrictBool = False
    corsia_eligible: StrictBool = False
    corsia_phase: CorsiaPhase | None = None
    article6_authorization: Article6Authorization = Article6Authorization.NOT_AUTHORIZED
    corresponding_adjustment_declaration: CorrespondingAdjustmentDeclaration = (
        CorrespondingAdjustmentDeclaration.UNKNOWN
    )
    corresponding_adjustment_status: CorrespondingAdjustmentStatus = CorrespondingAdjustmentStatus.NOT_APPLICABLE
    sdg_goals: list[Annotated[int, Field(strict=True, ge=1, le=17)]] = Field(default_factory=list)
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


class AccountCreate(_Request):
    """An account: ``holding`` (custodians, traders, proponents), ``trust`` (the bridge's), or an extra
    ``retirement`` / ``cancellation`` / ``buffer`` account."""

    kind: AccountKind
    owner: Name
    name: Name | None = Field(None, description='default: "<owner> <kind> account"')


class CloseAccountRequest(_Request):
    """Close an account that holds no live (held, immobilized or buffer) units."""

    account_id: AccountId


# --- issuances -------------------------------------------------------------------------------------


class IssueRequest(_Request):
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
    issued_on: date | None = Field(None, description="default: the day of the operation")
    first_unit: Quantity | None = Field(None, description="default: the next free unit number")
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


# --- block operations ------------------------------------------------------------------------------


class BlockSelection(_Request):
    """Which units an operation acts on: a block named by its serial, or a quantity of an issuance.

    * ``serial``: the block with exactly that serial; with ``quantity``, only its lowest ``quantity``
      units (the block is split, see ``bridge.registry.ledger``).
    * ``issuance_id`` + ``quantity``: the lowest-numbered eligible units of that issuance in
      ``from_account`` (default: the actor's account), across as many blocks as needed.
    """

    serial: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=300)] | None = Field(
        None, description="the block's serial, exactly as the registry prints it"
    )
    issuance_id: RowId | None = Field(None, description="select units of this issuance (with quantity)")
    quantity: Quantity | None = Field(None, description="how many units (whole tonnes); default: the whole block")
    from_account: AccountId | None = Field(
        None, description="the account to take units from (default: the block's, or the key's only account)"
    )

    @model_validator(mode="after")
    def _one_selector(self) -> Self:
        if (self.serial is None) == (self.issuance_id is None):
            raise ValueError("name the units either by serial or by issuance_id and quantity")
        return self

    @property
    def needs_quantity(self) -> bool:
        return self.issuance_id is not None and self.quantity is None


class TransferRequest(BlockSelection):
    """Move held units to another holding account."""

    to_account: AccountId = Field(description="the holding account receiving the units")


class RetireRequest(BlockSelection):
    """Retire held units for a beneficiary (final)."""

    beneficiary: Text = Field(description="on whose behalf the units are retired")
    reason: LongText = Field(description="the claim the retirement supports")
    details: LongText | None = None
    retirement_account: AccountId | None = Field(None, description="default: the registry's retirement account")


class CancelRequest(BlockSelection):
    """Cancel held units (the operator: also buffer units, in any account)."""

    reason: LongText
    cancellation_account: AccountId | None = Field(None, description="default: the registry's cancellation account")


class BufferRequest(BlockSelection):
    """Deposit held units into the buffer pool (reversal risk of nature-based projects)."""

    buffer_account: AccountId | None = Field(None, description="default: the registry's buffer pool account")


class ImmobilizeRequest(BlockSelection):
    """Lock held units in a trust account, recording the token that represents them."""

    trust_account: AccountId = Field(description="the trust account that locks the units (e.g. the bridge's)")
    marketplace: Label = Field(description="where the units are represented, e.g. the bridge's name")
    marketplace_identifier: MarketplaceIdentifier
    marketplace_link: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)] | None = None


class ReleaseRequest(BlockSelection):
    """Release immobilized units from trust back to a holding account (a redemption)."""

    to_account: AccountId = Field(description="the holding account the units go back to")


class RetireFromTrustRequest(BlockSelection):
    """Retire immobilized units, settling retirements made elsewhere (``settles``: e.g. on-chain
    retirement certificate ids). The marketplace record stays on the block."""

    beneficiary: Text
    reason: LongText
    details: LongText | None = None
    settles: list[Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]] = Field(
        min_length=1, description="the retirements made elsewhere (on-chain certificates) it settles"
    )
    retirement_account: AccountId | None = Field(None, description="default: the registry's retirement account")


class FreezeRequest(BlockSelection):
    """Freeze units issued in error (registry operator only). Without ``quantity``, an issuance's
    every live unfrozen block is frozen."""

    reason: LongText = Field(description="why the units are frozen (e.g. issued in error)")


class UnfreezeRequest(BlockSelection):
    """Unfreeze frozen units (registry operator only). Without ``quantity``, all of an issuance's."""

    reason: LongText | None = None
