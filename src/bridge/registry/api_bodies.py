"""Request bodies of the registry HTTP API, with the examples its OpenAPI document shows.

The bodies check the shape of a request (JSON types, required fields, no unknown fields: a mistake
here is a 422 ``invalid_request`` naming the field, e.g. ``body.quantity``). The values themselves
(quantities in range, known accounts, serial formats, label rules) are the ledger's to judge, so a
request refused over HTTP is refused with the same code as the same call made in-process.
Each body's fields are the keyword arguments of the ``Registry`` method of the same name, minus
``actor_account`` (the API key decides who acts) and ``request_id`` (the ``Idempotency-Key`` header).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from bridge.registry.enums import (
    AccountKind,
    Article6Authorization,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    MitigationType,
    ProgramCategory,
)

VCS_SERIAL: Final = "8812-2000001-2010000-VCS-VCU-263-VER-ID-14-1477-01012021-31122021-1"
ACR_SERIAL: Final = "ACR-US-412-2019-1203-1 to 2500"
TOKEN_ADDRESS: Final = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def fields(self) -> dict[str, Any]:
        """The body as the ledger method's keyword arguments."""
        return self.model_dump()


class _Selection(_Body):
    """Which units: ``serial`` (a whole block, or its lowest ``quantity`` units) or ``issuance_id`` +
    ``quantity`` (the lowest-numbered units of that issuance in ``from_account``)."""

    serial: StrictStr | None = Field(None, description="the block's serial, exactly as the registry prints it")
    issuance_id: StrictInt | None = Field(None, description="select units of this issuance (with quantity)")
    quantity: StrictInt | None = Field(None, description="how many units (whole tonnes); default: the whole block")
    from_account: StrictInt | None = Field(
        None, description="the account to take units from (default: the block's, or the key's only account)"
    )


class TransferBody(_Selection):
    to_account: StrictInt = Field(description="the holding account receiving the units")


class RetireBody(_Selection):
    beneficiary: StrictStr = Field(description="on whose behalf the units are retired")
    reason: StrictStr = Field(description="the claim the retirement supports")
    details: StrictStr | None = None
    retirement_account: StrictInt | None = Field(None, description="default: the registry's retirement account")


class CancelBody(_Selection):
    reason: StrictStr
    cancellation_account: StrictInt | None = Field(None, description="default: the registry's cancellation account")


class BufferBody(_Selection):
    buffer_account: StrictInt | None = Field(None, description="default: the registry's buffer pool account")


class MarketplaceIdentifierBody(_Body):
    chain_id: StrictInt
    token_address: StrictStr
    batch_id: StrictStr


class ImmobilizeBody(_Selection):
    trust_account: StrictInt = Field(description="the trust account that locks the units (e.g. the bridge's)")
    marketplace: StrictStr = Field(description="where the units are represented, e.g. the bridge's name")
    marketplace_identifier: MarketplaceIdentifierBody
    marketplace_link: StrictStr | None = None


class ReleaseBody(_Selection):
    to_account: StrictInt = Field(description="the holding account the units go back to")


class RetireFromTrustBody(_Selection):
    beneficiary: StrictStr
    reason: StrictStr
    settles: list[StrictStr] = Field(description="the retirements made elsewhere (on-chain certificates) it settles")
    details: StrictStr | None = None
    retirement_account: StrictInt | None = None


class FreezeBody(_Selection):
    reason: StrictStr = Field(description="why the units are frozen (e.g. issued in error)")


class UnfreezeBody(_Selection):
    reason: StrictStr | None = None


class ProgramBody(_Body):
    code: StrictStr = Field(description="the program's serial code: VCS, GS, ACR, CAR, CDM, PACM, PURO, CCER, ...")
    category: ProgramCategory
    name: StrictStr | None = None
    unit_type: StrictStr | None = None
    ccp_eligible: StrictBool = False
    corsia_phases: list[CorsiaPhase] = Field(default_factory=list)


class ProjectBody(_Body):
    program: StrictStr
    project_id: StrictStr
    name: StrictStr
    methodology_id: StrictStr
    methodology_category: StrictStr
    sector: StrictStr
    sectoral_scope: StrictStr
    host_country: StrictStr = Field(description="ISO 3166-1 alpha-2")
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
    sdg_goals: list[StrictInt] = Field(default_factory=list)
    additional_certifications: list[StrictStr] = Field(default_factory=list)


class AccountBody(_Body):
    kind: AccountKind
    owner: StrictStr
    name: StrictStr | None = None


class IssueBody(_Body):
    program: StrictStr
    project_id: StrictStr
    to_account: StrictInt
    quantity: StrictInt
    vintage_start: date
    vintage_end: date
    issued_on: date | None = None
    first_unit: StrictInt | None = None
    program_fields: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class ApiKeyBody(_Body):
    accounts: list[StrictInt] = Field(default_factory=list, description="the registry accounts the key acts for")
    operator: StrictBool = Field(False, description="the registry operator's key (administrative operations)")
    label: StrictStr | None = None


# --- OpenAPI examples ------------------------------------------------------------------------------


def _examples(**named: tuple[str, dict[str, Any]]) -> dict[str, Example]:
    return {name: Example(summary=summary, value=value) for name, (summary, value) in named.items()}


TRANSFER_EXAMPLES: Final = _examples(
    part_of_block=("500 units of a block", {"serial": VCS_SERIAL, "quantity": 500, "to_account": 5}),
    by_issuance=("units of an issuance", {"issuance_id": 3, "quantity": 1200, "to_account": 5, "from_account": 4}),
)
RETIRE_EXAMPLES: Final = _examples(
    whole_block=(
        "retire a whole block for a beneficiary",
        {
            "serial": ACR_SERIAL,
            "beneficiary": "Northwind Airlines",
            "reason": "CORSIA offsetting requirement, 2024 compliance period",
            "details": "flight operations 2024",
        },
    ),
    by_issuance=(
        "retire 250 t of an issuance",
        {"issuance_id": 7, "quantity": 250, "beneficiary": "Contoso Ltd", "reason": "2023 net-zero claim"},
    ),
)
CANCEL_EXAMPLES: Final = _examples(
    holder=("cancel held units", {"serial": VCS_SERIAL, "quantity": 100, "reason": "Used for an NDC transfer"}),
    reversal=(
        "operator: buffer units cover a reversal",
        {"issuance_id": 2, "quantity": 3000, "from_account": 3, "reason": "Reversal after the 2023 fire"},
    ),
)
BUFFER_EXAMPLES: Final = _examples(
    deposit=("deposit 10% of an issuance in the buffer pool", {"issuance_id": 2, "quantity": 4000}),
)
IMMOBILIZE_EXAMPLES: Final = _examples(
    tokenize=(
        "lock 500 t in the bridge's trust account for a token batch",
        {
            "serial": VCS_SERIAL,
            "quantity": 500,
            "trust_account": 6,
            "marketplace": "Carbon Bridge",
            "marketplace_identifier": {"chain_id": 31337, "token_address": TOKEN_ADDRESS, "batch_id": "1"},
            "marketplace_link": f"evm:31337/{TOKEN_ADDRESS}",
        },
    ),
)
RELEASE_EXAMPLES: Final = _examples(
    redeem=("release 25 t from trust to a redeemer", {"issuance_id": 3, "quantity": 25, "to_account": 5}),
)
RETIRE_FROM_TRUST_EXAMPLES: Final = _examples(
    settle=(
        "retire 3 t from trust, settling on-chain retirements",
        {
            "issuance_id": 3,
            "quantity": 3,
            "beneficiary": "Fabrikam GmbH",
            "reason": "Scope 3 offsetting 2024",
            "settles": ["31337:cert:17", "31337:cert:18"],
        },
    ),
)
FREEZE_EXAMPLES: Final = _examples(
    issuance=("freeze a whole issuance issued in error", {"issuance_id": 4, "reason": "Double issuance under review"}),
    block=("freeze one block", {"serial": VCS_SERIAL, "reason": "Under investigation"}),
)
UNFREEZE_EXAMPLES: Final = _examples(
    issuance=("unfreeze an issuance", {"issuance_id": 4, "reason": "Review closed: issuance confirmed"}),
)
PROGRAM_EXAMPLES: Final = _examples(
    vcs=(
        "Verra's VCS",
        {"code": "VCS", "category": "independent", "ccp_eligible": True, "corsia_phases": ["pilot", "first"]},
    ),
    ccer=("China's CCER", {"code": "CCER", "category": "government"}),
)
PROJECT_EXAMPLES: Final = _examples(
    redd=(
        "a REDD+ project with labels",
        {
            "program": "VCS",
            "project_id": "1477",
            "name": "Katingan Peatland Restoration and Conservation",
            "methodology_id": "VM0007",
            "methodology_category": "REDD+",
            "sector": "Agriculture, Forestry and Other Land Use",
            "sectoral_scope": "14",
            "host_country": "ID",
            "mitigation_type": "reduction",
            "ccp_approved": True,
            "corsia_eligible": True,
            "corsia_phase": "first",
            "sdg_goals": [1, 13, 15],
            "additional_certifications": ["CCB"],
        },
    ),
)
ACCOUNT_EXAMPLES: Final = _examples(
    holding=("a custodian's holding account", {"kind": "holding", "owner": "Acme Custody"}),
    trust=("the bridge's trust account", {"kind": "trust", "owner": "Carbon Bridge", "name": "Carbon Bridge trust"}),
)
ISSUE_EXAMPLES: Final = _examples(
    vintage=(
        "issue the 2021 vintage",
        {
            "program": "VCS",
            "project_id": "1477",
            "to_account": 4,
            "quantity": 10000,
            "vintage_start": "2021-01-01",
            "vintage_end": "2021-12-31",
        },
    ),
)
API_KEY_EXAMPLES: Final = _examples(
    custodian=("a key for a custodian's account", {"accounts": [4], "label": "Acme Custody back office"}),
    operator=("another operator key", {"operator": True, "label": "registry operations team"}),
)
