"""Closed vocabularies of the registry ledger (stored as their string values)."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    """What an account is for; it decides which unit statuses may sit in it."""

    HOLDING = "holding"  # a custodian's, trader's or project proponent's account: units are Held
    TRUST = "trust"  # the bridge's (or an exchange's) trust account: units are Immobilised
    RETIREMENT = "retirement"  # units are Retired
    CANCELLATION = "cancellation"  # units are Cancelled
    BUFFER = "buffer"  # the reversal-risk pool: units are Buffer


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class BlockStatus(StrEnum):
    """Status of every unit in a block."""

    HELD = "held"
    IMMOBILIZED = "immobilized"
    RETIRED = "retired"
    CANCELLED = "cancelled"
    BUFFER = "buffer"


#: The only account kind a block of each status may sit in.
STATUS_ACCOUNT_KIND: dict[BlockStatus, AccountKind] = {
    BlockStatus.HELD: AccountKind.HOLDING,
    BlockStatus.IMMOBILIZED: AccountKind.TRUST,
    BlockStatus.RETIRED: AccountKind.RETIREMENT,
    BlockStatus.CANCELLED: AccountKind.CANCELLATION,
    BlockStatus.BUFFER: AccountKind.BUFFER,
}

#: Statuses from which units can still move (``Retired`` and ``Cancelled`` are final).
LIVE_STATUSES: frozenset[BlockStatus] = frozenset({BlockStatus.HELD, BlockStatus.IMMOBILIZED, BlockStatus.BUFFER})


class ProgramCategory(StrEnum):
    INTERNATIONAL = "international"
    GOVERNMENT = "government"
    INDEPENDENT = "independent"


class MitigationType(StrEnum):
    """Removal of CO2 from the atmosphere vs. reduction (avoidance) of emissions."""

    REMOVAL = "removal"
    REDUCTION = "reduction"


class CorsiaPhase(StrEnum):
    PILOT = "pilot"  # 2021-2023
    FIRST = "first"  # 2024-2026


class Eligibility(StrEnum):
    """A yes/no label as registries publish it, where a blank cell means the registry does not say."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Article6Authorization(StrEnum):
    """Host-country authorization under Paris Agreement Article 6 and for which use."""

    NOT_AUTHORIZED = "not_authorized"
    NDC_USE = "ndc_use"
    OTHER_INTERNATIONAL_MITIGATION_PURPOSES = "other_international_mitigation_purposes"
    NDC_AND_OTHER_PURPOSES = "ndc_and_other_purposes"
    AUTHORIZED = "authorized"  # authorized, the use not stated
    NOT_APPLICABLE = "not_applicable"  # the registry says Article 6 does not apply (e.g. Gold Standard VERs)

    @property
    def authorized(self) -> bool:
        return self not in (Article6Authorization.NOT_AUTHORIZED, Article6Authorization.NOT_APPLICABLE)


class ActivityStructure(StrEnum):
    """How a project is registered: on its own, or as a programme of activities and its activities."""

    STANDALONE = "standalone"
    PROGRAMME = "programme"  # a programme of activities (PoA)
    ACTIVITY = "activity"  # one activity of a programme (VPA / CPA): ``poa_id`` names the programme


class CorrespondingAdjustmentDeclaration(StrEnum):
    """CADT ``correspondingAdjustmentDeclaration``."""

    COMMITTED = "Committed"
    NOT_REQUIRED = "Not Required"
    UNKNOWN = "Unknown"


class CorrespondingAdjustmentStatus(StrEnum):
    """CADT ``correspondingAdjustmentStatus``."""

    NOT_STARTED = "Not Started"
    PENDING = "Pending"
    COMPLETED = "Completed"
    NOT_APPLICABLE = "Not Applicable"
