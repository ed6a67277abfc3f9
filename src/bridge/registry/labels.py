"""The labels a credit carries, declared once: per issuance, with the project's values as defaults.

Real registries label issuances, not projects: one project has CCP-approved and unapproved issuances,
removals and reductions, a CORSIA eligibility that differs per vintage and per compliance phase. So a
project declares default labels (``CreditLabels``, a part of ``ProjectCreate``) and an issuance may
override any of them (``LabelOverrides``: the same fields, each optional, a part of ``IssueRequest``);
the issuance stores the labels in force (``resolve``), and whatever reads labels for a credit (the
bridge's class, its eligibility policy, pools) reads the issuance's.

Rules, checked where labels are set (``check``): CCP approval needs ex-post issuance and a CCP-eligible
program; CORSIA eligibility in a phase needs a program eligible in that phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, Field, StrictBool, create_model, model_validator

from bridge.registry.enums import (
    Article6Authorization,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    CorsiaPhase,
    Eligibility,
    MitigationType,
)
from bridge.registry.errors import RegistryError, RegistryErrorCode


class CreditLabels(BaseModel):
    """What buyers, pools and the bridge filter a credit on (the ICVCM, CORSIA and Article 6 labels)."""

    mitigation_type: MitigationType = Field(description="removal of CO2, or reduction (avoidance) of emissions")
    ccp_approved: StrictBool = Field(False, description="CCP-approved (ICVCM Core Carbon Principles)")
    corsia_pilot: Eligibility = Field(
        Eligibility.UNKNOWN, description="eligible for CORSIA's pilot phase (2021-2023 compliance period)"
    )
    corsia_first_phase: Eligibility = Field(
        Eligibility.UNKNOWN, description="eligible for CORSIA's first phase (2024-2026 compliance period)"
    )
    article6_authorization: Article6Authorization = Field(
        Article6Authorization.NOT_AUTHORIZED, description="host-country authorization under Article 6"
    )
    corresponding_adjustment_declaration: CorrespondingAdjustmentDeclaration = (
        CorrespondingAdjustmentDeclaration.UNKNOWN
    )
    corresponding_adjustment_status: CorrespondingAdjustmentStatus = CorrespondingAdjustmentStatus.NOT_APPLICABLE
    arb_eligible: Eligibility = Field(Eligibility.UNKNOWN, description="eligible for California's ARB compliance")
    ecology_eligible: Eligibility = Field(
        Eligibility.UNKNOWN, description="eligible for Washington Ecology's compliance program"
    )
    reversible: Eligibility = Field(Eligibility.UNKNOWN, description="the stored carbon is at risk of reversal")


LABEL_FIELDS: Final = tuple(CreditLabels.model_fields)
"""Every label's name, in declaration order (also the columns projects and issuances store)."""
PHASE_FIELDS: Final = {CorsiaPhase.PILOT: "corsia_pilot", CorsiaPhase.FIRST: "corsia_first_phase"}
"""The label that holds each CORSIA phase's eligibility."""

LabelOverrides: type[BaseModel] = create_model(
    "LabelOverrides",
    __doc__="Labels of one issuance that differ from its project's (None: the project's value).",
    **{
        name: (info.annotation | None, Field(None, description=f"{info.description or name}; default: the project's"))
        for name, info in CreditLabels.model_fields.items()
    },  # type: ignore[call-overload]
)


def eligible_phases(labels: Mapping[str, Any]) -> list[CorsiaPhase]:
    """The CORSIA phases ``labels`` (label name -> value) make a credit eligible in, oldest first."""
    return [phase for phase, name in PHASE_FIELDS.items() if labels.get(name) == Eligibility.YES]


class LabelsPublic(CreditLabels):
    """The labels in force, as the registry shows them, with two conveniences derived from them:
    ``corsia_eligible`` (eligible in some phase) and ``corsia_phase`` (the latest such phase)."""

    corsia_eligible: bool = Field(False, description="derived: eligible for CORSIA in some phase")
    corsia_phase: CorsiaPhase | None = Field(None, description="derived: the latest CORSIA phase it is eligible in")

    @model_validator(mode="before")
    @classmethod
    def _derive(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        eligible = eligible_phases(data)
        return {**data, "corsia_eligible": bool(eligible), "corsia_phase": eligible[-1] if eligible else None}


def legacy_corsia(data: Any) -> Any:
    """Requests written before CORSIA was labelled per phase (``corsia_eligible`` + ``corsia_phase``, as
    old journals and clients send them) read as the per-phase labels: eligible in the phase named, the
    other phase unknown; not eligible: nothing known. Both forms at once are refused."""
    if not isinstance(data, dict) or not {"corsia_eligible", "corsia_phase"} & data.keys():
        return data
    data = dict(data)
    eligible, phase = data.pop("corsia_eligible", False), data.pop("corsia_phase", None)
    if set(PHASE_FIELDS.values()) & data.keys():
        raise ValueError("corsia_phase: give corsia_pilot and corsia_first_phase, or corsia_eligible and corsia_phase")
    if eligible is not True and eligible is not False:
        raise ValueError("corsia_phase: corsia_eligible must be true or false")
    if eligible != (phase is not None):
        raise ValueError("corsia_phase: give a CORSIA phase exactly when corsia_eligible is true")
    if phase is not None:
        data[PHASE_FIELDS[CorsiaPhase(phase)]] = Eligibility.YES
    return data


def resolve(defaults: Any, overrides: BaseModel) -> dict[str, Any]:
    """The labels in force: each override that is set, else the default (a project row or model)."""
    return {
        name: value if (value := getattr(overrides, name)) is not None else getattr(defaults, name)
        for name in LABEL_FIELDS
    }


def check(labels: dict[str, Any], *, ex_post: bool, ccp_eligible: bool, corsia_phases: list[str], program: str) -> None:
    """Refuse (``label_inconsistent``, naming the label) labels that contradict each other or the program."""
    if labels["ccp_approved"] and not ex_post:
        _refuse("ccp_approved", "only ex-post issued credits can be CCP-approved")
    if labels["ccp_approved"] and not ccp_eligible:
        _refuse("ccp_approved", f"program {program} is not CCP-eligible")
    for phase, name in PHASE_FIELDS.items():
        if labels[name] == Eligibility.YES and str(phase) not in corsia_phases:
            _refuse(name, f"program {program} is not CORSIA-eligible in the {phase} phase")


def _refuse(field: str, message: str) -> None:
    raise RegistryError(f"{field}: {message}", code=RegistryErrorCode.LABEL_INCONSISTENT, field=field)
