"""Label cells as the registries word them -> the registry's labels (``bridge.registry.labels``)."""

from __future__ import annotations

from typing import Any, Final

from bridge.registry.enums import (
    Article6Authorization,
    CorrespondingAdjustmentDeclaration,
    CorrespondingAdjustmentStatus,
    Eligibility,
    MitigationType,
)
from bridge.registry.imports import cells
from bridge.registry.imports.table import Row

PILOT_VINTAGES: Final = range(2016, 2021)
"""Vintages CORSIA's pilot phase (2021-2023) accepts."""
FIRST_PHASE_VINTAGES: Final = range(2021, 2027)
"""Vintages CORSIA's first phase (2024-2026) accepts."""

_ARTICLE6: Final = {
    "not applicable": Article6Authorization.NOT_APPLICABLE,
    "n/a": Article6Authorization.NOT_APPLICABLE,
    "na": Article6Authorization.NOT_APPLICABLE,
    "no": Article6Authorization.NOT_AUTHORIZED,
    "not authorized": Article6Authorization.NOT_AUTHORIZED,
    "not authorised": Article6Authorization.NOT_AUTHORIZED,
    "unauthorized": Article6Authorization.NOT_AUTHORIZED,
    "yes": Article6Authorization.AUTHORIZED,
    "authorized": Article6Authorization.AUTHORIZED,
    "authorised": Article6Authorization.AUTHORIZED,
}


def mitigation(row: Row, column: str, *, removal_words: tuple[str, ...] = ("removal",)) -> MitigationType:
    """Removal when the cell says so (``Removal``, ``Verified Removal: Yes``), else reduction."""
    value = row.text(column).lower()
    if value in cells.YES or any(word in value for word in removal_words):
        return MitigationType.REMOVAL
    return MitigationType.REDUCTION


def article6(row: Row, column: str) -> Article6Authorization | None:
    """Article 6 authorization as worded (``Not Applicable``, ``Authorized for NDC use``, ...); None: blank."""
    value = " ".join(row.text(column).lower().split())
    if not value:
        return None
    if value in _ARTICLE6:
        return _ARTICLE6[value]
    if value.startswith("authori"):
        ndc = "ndc" in value
        other = "oimp" in value or "other international" in value
        if ndc and other:
            return Article6Authorization.NDC_AND_OTHER_PURPOSES
        if ndc:
            return Article6Authorization.NDC_USE
        if other:
            return Article6Authorization.OTHER_INTERNATIONAL_MITIGATION_PURPOSES
        return Article6Authorization.AUTHORIZED
    raise cells.refuse(row, column, "is no Article 6 authorization (Not Applicable, Authorized ..., Not Authorized)")


def corresponding_adjustment(row: Row, column: str) -> dict[str, Any]:
    """``Yes``: committed and completed; ``No``: not required; blank: unknown (the defaults)."""
    said = cells.eligibility(row, column)
    if said is Eligibility.YES:
        return {
            "corresponding_adjustment_declaration": CorrespondingAdjustmentDeclaration.COMMITTED,
            "corresponding_adjustment_status": CorrespondingAdjustmentStatus.COMPLETED,
        }
    if said is Eligibility.NO:
        return {
            "corresponding_adjustment_declaration": CorrespondingAdjustmentDeclaration.NOT_REQUIRED,
            "corresponding_adjustment_status": CorrespondingAdjustmentStatus.NOT_APPLICABLE,
        }
    return {}


def corsia_phases(row: Row, pilot: str, first: str) -> dict[str, Eligibility]:
    """CORSIA eligibility from a registry's two phase columns."""
    return {"corsia_pilot": cells.eligibility(row, pilot), "corsia_first_phase": cells.eligibility(row, first)}


def corsia_by_vintage(row: Row, column: str, vintage: int) -> dict[str, Eligibility]:
    """CORSIA eligibility from one ``CORSIA Eligible`` column: the phase whose vintages hold ``vintage`` takes
    the cell's answer, the other phase ``no`` when the answer is yes (a vintage fits one phase) and
    unknown otherwise."""
    said = cells.eligibility(row, column)
    labels = {"corsia_pilot": Eligibility.UNKNOWN, "corsia_first_phase": Eligibility.UNKNOWN}
    for name, vintages in (("corsia_pilot", PILOT_VINTAGES), ("corsia_first_phase", FIRST_PHASE_VINTAGES)):
        if vintage in vintages:
            labels[name] = said
        elif said is Eligibility.YES:
            labels[name] = Eligibility.NO
    return labels
