"""From a registry credit to its on-chain credit class (the attributes a class token carries)."""

from __future__ import annotations

from bridge.chain.attestation import Adjustment, CreditClass, Label, yyyymmdd
from bridge.registry.enums import (
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    MitigationType,
)
from bridge.registry.schemas import CreditPublic

_ADJUSTMENT = {
    CorrespondingAdjustmentStatus.NOT_STARTED: Adjustment.NOT_STARTED,
    CorrespondingAdjustmentStatus.PENDING: Adjustment.PENDING,
    CorrespondingAdjustmentStatus.COMPLETED: Adjustment.COMPLETED,
    CorrespondingAdjustmentStatus.NOT_APPLICABLE: Adjustment.NOT_APPLICABLE,
}


def credit_class_of(credit: CreditPublic) -> CreditClass:
    """The class of a registry credit: program + project + vintage, with its labels.

    The labels are the issuance's (an issuance may carry other labels than its project's defaults: CCP
    approval, CORSIA eligibility, removal vs. reduction). Every verifier derives the class this same way
    from what the registry shows, so a class attribute that the registry does not back can never be
    attested.
    """
    project, issuance = credit.project, credit.issuance
    labels = Label(0)
    if issuance.ccp_approved:
        labels |= Label.CCP_APPROVED
    if issuance.corsia_eligible:
        labels |= Label.CORSIA_ELIGIBLE
    if issuance.mitigation_type == MitigationType.REMOVAL:
        labels |= Label.REMOVAL
    if issuance.article6_authorization.authorized:
        labels |= Label.ARTICLE6_AUTHORIZED
    adjustment = _ADJUSTMENT[issuance.corresponding_adjustment_status]
    if (
        issuance.corresponding_adjustment_declaration == CorrespondingAdjustmentDeclaration.UNKNOWN
        and adjustment == Adjustment.NOT_APPLICABLE
    ):
        adjustment = Adjustment.UNKNOWN
    return CreditClass(
        program=credit.program.code,
        project_id=project.project_id,
        vintage_start=yyyymmdd(issuance.vintage_start),
        vintage_end=yyyymmdd(issuance.vintage_end),
        methodology=project.methodology_id,
        host_country=project.host_country,
        labels=int(labels),
        adjustment=adjustment,
        unit_decimals=credit.program.unit_decimals,
    )


def labels_of(mask: int) -> list[str]:
    """The label names of a class's bitmask: ``ccp_approved``, ``corsia_eligible``, ``removal``, ..."""
    return [label.name.lower() for label in Label if label.name and mask & label]


def vintage_of(attributes: dict[str, int | str]) -> str:
    """The vintage as people write it: ``2019``, or ``2019-2020`` for a period over two years."""
    start, end = int(attributes.get("vintage_start", 0)) // 10_000, int(attributes.get("vintage_end", 0)) // 10_000
    return str(start) if start == end else f"{start}-{end}"


def class_name(attributes: dict[str, int | str], project_name: str | None) -> str:
    """A class by name: program, project id and name, vintage (``VCS 1477 Katingan Peatland 2019``)."""
    parts = [str(attributes.get("program", "")), str(attributes.get("project_id", ""))]
    if project_name:
        parts.append(project_name)
    parts.append(vintage_of(attributes))
    return " ".join(part for part in parts if part)
