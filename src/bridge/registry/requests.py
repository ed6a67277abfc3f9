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
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from bridge.registry import labels
from bridge.registry.countries import country_code
from bridge.registry.enums import AccountKind, ActivityStructure, CorsiaPhase, ProgramCategory
from bridge.registry.errors import RegistryError
from bridge.registry.schemas import AccountId, Code, MarketplaceIdentifier, RowId
from bridge.registry.units import check_unit_decimals

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]
ShortCode = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=32)]
LongText = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=4000)]
Quantity = Annotated[int, Field(strict=True, ge=1, le=10**15)]
CountryText = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=2, max_length=100)]
SourceFields = Annotated[
    dict[
        Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)],
        Annotated[str, StringConstraints(strict=True, max_length=4000)],
    ],
    Field(
        max_length=60,
        description="fields of the registry's own record kept as text only (name -> value as the registry wrote it)",
    ),
]
ProgramCode = Annotated[Code, AfterValidator(str.upper)]
"""A program's serial code as the registry keeps it: upper case (``vcs`` is ``VCS``)."""
T = TypeVar("T")


def _distinct(values: list[T]) -> list[T]:
    return sorted(set(values))  # type: ignore[type-var]


Distinct = Annotated[list[T], AfterValidator(_distinct)]
"""A list kept sorted, each value once (SDGs, certifications, CORSIA phases)."""
MAX_LOCKS_PER_REQUEST = 500
"""The most selections one ``immobilize_many`` request takes (one registry transaction)."""
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

    code: ProgramCode = Field(description="the program's serial code: VCS, GS, ACR, CAR, CDM, PACM, PURO, CCER, ...")
    category: ProgramCategory
    name: Name | None = Field(None, description="default: the name the serial catalogue knows")
    unit_type: ShortCode | None = Field(None, description="default: the catalogue's unit (VCU, VER, CER, ...)")
    unit_decimals: int | None = Field(
        None, description="one unit is 10**-unit_decimals tonne (0: tonnes, 3: kilograms); default: the catalogue's"
    )
    ccp_eligible: StrictBool = False
    corsia_phases: Distinct[CorsiaPhase] = Field(default_factory=list)

    @field_validator("unit_decimals")
    @classmethod
    def _unit(cls, value: int | None) -> int | None:
        return None if value is None else _checked(check_unit_decimals, value, "unit_decimals")


class ProjectCreate(labels.CreditLabels, _Request):
    """A project and the labels its issuances carry unless an issuance says otherwise (see
    ``bridge.registry.labels`` for the label rules).

    ``host_country`` may be an ISO 3166-1 alpha-2 or alpha-3 code or a country's name (``Kenya``,
    ``COTE D'IVOIRE``): it is stored as alpha-2. Requests of the older form, with ``corsia_eligible`` and
    ``corsia_phase``, still read (``labels.legacy_corsia``).
    """

    program: ProgramCode
    project_id: Code
    name: Text
    methodology_id: Code = Field(description="the methodology's short id (on-chain in a credit class)")
    methodology: Text | None = Field(None, description="the methodology or protocol as the registry names it")
    methodology_version: Label | None = None
    methodology_category: Text
    sector: Text
    sectoral_scope: ShortCode
    host_country: CountryText = Field(description="ISO 3166-1 alpha-2 or alpha-3 code, or the country's name")
    site_location: Text | None = None
    site_state: Text | None = None
    proponent: Text | None = Field(None, description="the project developer or proponent")
    status: Label | None = Field(None, description="the project's status as the registry states it")
    crediting_period_start: date | None = None
    crediting_period_end: date | None = None
    activity_structure: ActivityStructure | None = None
    poa_id: Code | None = Field(None, description="the programme of activities this activity belongs to")
    ex_post: StrictBool = True
    sdg_goals: Distinct[Annotated[int, Field(strict=True, ge=1, le=17)]] = Field(default_factory=list)
    additional_certifications: Distinct[Code] = Field(default_factory=list)
    source_fields: SourceFields = Field(default_factory=dict)

    _legacy = model_validator(mode="before")(labels.legacy_corsia)

    @field_validator("host_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return _checked(country_code, value, "host_country")

    @model_validator(mode="after")
    def _crediting_period(self) -> Self:
        start, end = self.crediting_period_start, self.crediting_period_end
        if start is not None and end is not None and start > end:
            raise ValueError("crediting_period_start: the crediting period starts after it ends")
        if (self.poa_id is not None) != (self.activity_structure is ActivityStructure.ACTIVITY):
            raise ValueError("poa_id: name the programme exactly when activity_structure is activity")
        return self


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


class IssueRequest(labels.LabelOverrides, _Request):  # type: ignore[misc,valid-type]
    """Issue ``quantity`` new units of a project's vintage into a holding account.

    The vintage is the monitoring period, which may span two calendar years (a serial that prints one
    vintage year then needs it as the program field ``vintage``). Units are numbered one of two ways:

    * ``serial``: exactly the block a registry printed (an import), e.g. ``GS1-1-KE-GS11603-16-2025-30256-1-5463``;
      it must be the project's program, project and country, and name ``quantity`` units (a bare batch id,
      Cercarbono or Isometric, takes its size from ``quantity``);
    * else the ledger makes the serial: ``first_unit`` pins the first unit number (it must not overlap an
      earlier issuance in the same numbering space), by default the next free number; ``program_fields``
      are the program's own serial fields (see ``serials.make_serial``), e.g. ``{"sectoral_scope": "14"}``
      or Gold Standard's own issuance number ``{"issuance_id": "30307"}``.

    Labels left out are the project's. ``buffer_quantity`` units (the highest-numbered) go to the
    registry's buffer pool at issuance, the rest to ``to_account``.
    """

    program: ProgramCode
    project_id: Code
    to_account: AccountId
    quantity: Quantity = Field(description="units issued, in the program's unit (kilograms for Isometric)")
    vintage_start: date
    vintage_end: date
    issued_on: date | None = Field(None, description="default: the day of the operation")
    serial: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=300)] | None = Field(
        None, description="the serial a registry printed for these units (the ledger makes one otherwise)"
    )
    first_unit: Quantity | None = Field(None, description="default: the next free unit number")
    program_fields: dict[Code, Code] = Field(default_factory=dict)
    buffer_quantity: Annotated[int, Field(strict=True, ge=0, le=10**15)] = Field(
        0, description="units deposited into the registry's buffer pool at issuance"
    )
    verification_body: Text | None = None
    source_fields: SourceFields = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.vintage_start > self.vintage_end:
            raise ValueError("vintage_start: the vintage starts after it ends")
        if self.serial is not None and (self.first_unit is not None or self.program_fields):
            raise ValueError("serial: the serial names the units; give neither first_unit nor program_fields")
        if self.buffer_quantity >= self.quantity:
            raise ValueError("buffer_quantity: the buffer takes part of the units issued, not all of them")
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
    """Retire held units for a beneficiary (final). The operator may retire units on a holder's behalf and
    record a past retirement's time (``retired_at``, e.g. from a registry's export)."""

    beneficiary: Text = Field(description="on whose behalf the units are retired")
    reason: LongText = Field(description="the claim the retirement supports")
    details: LongText | None = None
    retirement_account: AccountId | None = Field(None, description="default: the registry's retirement account")
    retired_at: AwareDatetime | None = Field(
        None, description="operator only: when a past retirement happened (default: now)"
    )


class CancelRequest(BlockSelection):
    """Cancel held units (the operator: also buffer units, in any account, and a past cancellation's time)."""

    reason: LongText
    cancellation_account: AccountId | None = Field(None, description="default: the registry's cancellation account")
    cancelled_at: AwareDatetime | None = Field(
        None, description="operator only: when a past cancellation happened (default: now)"
    )


class BufferRequest(BlockSelection):
    """Deposit held units into the buffer pool (reversal risk of nature-based projects)."""

    buffer_account: AccountId | None = Field(None, description="default: the registry's buffer pool account")


class ImmobilizeRequest(BlockSelection):
    """Lock held units in a trust account, recording the token that represents them."""

    trust_account: AccountId = Field(description="the trust account that locks the units (e.g. the bridge's)")
    marketplace: Label = Field(description="where the units are represented, e.g. the bridge's name")
    marketplace_identifier: MarketplaceIdentifier
    marketplace_link: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)] | None = None


class LockSelection(BlockSelection):
    """One selection of an ``ImmobilizeManyRequest``: the units, and the token that will represent them."""

    marketplace_identifier: MarketplaceIdentifier
    marketplace_link: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)] | None = None


class ImmobilizeManyRequest(_Request):
    """Lock many selections of one account's held units in a trust account at once: one journal entry, one
    commit, all or nothing. Each locked block gets its own lock id, consecutive in the order of ``locks``."""

    trust_account: AccountId = Field(description="the trust account that locks the units (e.g. the bridge's)")
    marketplace: Label = Field(description="where the units are represented, e.g. the bridge's name")
    from_account: AccountId | None = Field(
        None, description="the account every selection takes units from (default: the first block's)"
    )
    locks: list[LockSelection] = Field(min_length=1, max_length=MAX_LOCKS_PER_REQUEST)

    @property
    def serial(self) -> str | None:
        """The block that names the acting account when ``from_account`` does not (the first selection's)."""
        return self.locks[0].serial

    def selections(self) -> list[ImmobilizeRequest]:
        """Each selection as the single ``immobilize`` request it stands for."""
        shared = {"trust_account": self.trust_account, "marketplace": self.marketplace}
        return [
            ImmobilizeRequest.model_validate(
                {**lock.model_dump(), **shared, "from_account": lock.from_account or self.from_account}
            )
            for lock in self.locks
        ]


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


def _checked(check: Any, value: Any, field: str) -> Any:
    """``check(value, field)`` inside a validator: its coded refusal becomes a validation error of ``field``."""
    try:
        return check(value, field)
    except RegistryError as exc:
        raise ValueError(exc.message.removeprefix(f"{field}: ")) from None
