"""Pool eligibility rules: the on-chain ``PoolRules`` struct as a validated model, and its checks in Python.

``PoolRules`` mirrors ``contracts/interfaces/ICarbonPool.sol`` field for field (``to_tuple`` /
``from_tuple`` convert to and from the ABI tuple). ``eligibility`` mirrors ``PoolEligibility._evaluate``
exactly: the same checks in the same order, returning the same ``EligibilityReason`` codes, so a
service can tell a trader which rule a class fails without a chain call. A change to one must be made to
the other (the test suite compares both on random classes and rules).

Validation here is stricter than the contract's (which only refuses duplicates, a minimum vintage that is
not 0 or 8 digits, and unknown label bits): host countries must look like ISO 3166-1 alpha-2 codes, the
minimum vintage must be a real calendar date, labels are given by name, and no entry may be empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import IntEnum
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer, field_validator

from bridge.chain.attestation import Adjustment, CreditClass, Label
from bridge.pools.errors import PoolError, PoolErrorCode

KNOWN_LABELS = int(Label.CCP_APPROVED | Label.CORSIA_ELIGIBLE | Label.REMOVAL | Label.ARTICLE6_AUTHORIZED)
LABEL_NAMES: dict[str, Label] = {label.name: label for label in Label if label.name is not None}

Program = Annotated[str, Field(min_length=1, max_length=32)]
Methodology = Annotated[str, Field(min_length=1, max_length=64)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class EligibilityReason(IntEnum):
    """Why a class may or may not enter a pool: ``ICarbonPool.sol``'s ``EligibilityReason``, same values."""

    ELIGIBLE = 0
    NOT_BRIDGE_TOKEN = 1
    PROGRAM_NOT_ALLOWED = 2
    METHODOLOGY_NOT_ALLOWED = 3
    METHODOLOGY_DENIED = 4
    VINTAGE_TOO_OLD = 5
    HOST_COUNTRY_NOT_ALLOWED = 6
    NOT_CCP_APPROVED = 7
    NOT_CORSIA_ELIGIBLE = 8
    NOT_REMOVAL = 9
    NOT_ARTICLE6_AUTHORIZED = 10
    NO_CORRESPONDING_ADJUSTMENT = 11


class Eligibility(NamedTuple):
    eligible: bool
    reason: EligibilityReason


# The label checks in the contract's order: the lowest missing bit names the reason.
_LABEL_REASONS = (
    (Label.CCP_APPROVED, EligibilityReason.NOT_CCP_APPROVED),
    (Label.CORSIA_ELIGIBLE, EligibilityReason.NOT_CORSIA_ELIGIBLE),
    (Label.REMOVAL, EligibilityReason.NOT_REMOVAL),
    (Label.ARTICLE6_AUTHORIZED, EligibilityReason.NOT_ARTICLE6_AUTHORIZED),
)


def _labels_value(value: Any) -> int:
    """A label bitmask from a ``Label``, an int, a name ("CORSIA_ELIGIBLE", case-insensitive) or a list of these."""
    if isinstance(value, bool):
        raise ValueError("labels must be label names or a bitmask, not a bool")
    if isinstance(value, int):
        if value < 0 or value & ~KNOWN_LABELS:
            raise ValueError(f"label bitmask {value} has bits outside the known labels (1 | 2 | 4 | 8)")
        return int(value)
    if isinstance(value, str):
        key = value.strip().upper().replace("-", "_").replace(" ", "_")
        if key not in LABEL_NAMES:
            raise ValueError(f"unknown label {value!r}; known labels: {', '.join(LABEL_NAMES)}")
        return int(LABEL_NAMES[key])
    if isinstance(value, Iterable):
        mask = 0
        for item in value:
            mask |= _labels_value(item)
        return mask
    raise ValueError(f"labels must be label names or a bitmask, not {type(value).__name__}")


class PoolRules(BaseModel):
    """The eligibility rules of a pool. Every rule must pass; an empty set means "any".

    ``required_labels`` is accepted as label names (``["CORSIA_ELIGIBLE"]``), ``Label`` flags or a bitmask,
    and kept as the bitmask; it serializes as the list of names.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    programs: tuple[Program, ...] = ()
    methodologies: tuple[Methodology, ...] = ()
    denied_methodologies: tuple[Methodology, ...] = ()
    host_countries: tuple[Country, ...] = ()
    min_vintage_start: int = Field(default=0, description="YYYYMMDD; 0 = any vintage")
    required_labels: int = Field(default=0, description="bitmask of Label; given as names or flags")
    require_corresponding_adjustment: bool = False

    @field_validator("programs", "methodologies", "denied_methodologies", "host_countries")
    @classmethod
    def _no_duplicates(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise ValueError(f"{value!r} is listed twice")
            seen.add(value)
        return values

    @field_validator("min_vintage_start", mode="before")
    @classmethod
    def _vintage(cls, value: Any) -> int:
        if isinstance(value, date):
            return value.year * 10_000 + value.month * 100 + value.day
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("the minimum vintage must be 0 or a YYYYMMDD date")
        if value == 0:
            return 0
        try:
            date(value // 10_000, value // 100 % 100, value % 100)
        except ValueError:
            raise ValueError(f"{value} is not a YYYYMMDD date") from None
        if not 10_000_000 <= value <= 99_999_999:
            raise ValueError(f"{value} is not a YYYYMMDD date")
        return value

    @field_validator("required_labels", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> int:
        return _labels_value(value)

    @field_serializer("required_labels")
    def _label_names(self, value: int) -> list[str]:
        return self.label_names

    @property
    def labels(self) -> Label:
        return Label(self.required_labels)

    @property
    def label_names(self) -> list[str]:
        return [name for name, label in LABEL_NAMES.items() if self.required_labels & label]

    @classmethod
    def parse(cls, data: PoolRules | dict[str, Any]) -> PoolRules:
        """``data`` as rules, or a ``PoolError`` (``invalid_pool_rules``) naming the first bad field."""
        if isinstance(data, PoolRules):
            return data
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise PoolError(
                f"{where}: {first['msg']}", code=PoolErrorCode.INVALID_POOL_RULES, field=where or None
            ) from None

    def to_tuple(self) -> tuple[list[str], list[str], list[str], list[str], int, int, bool]:
        """The ABI tuple of the contract's ``PoolRules`` struct."""
        return (
            list(self.programs),
            list(self.methodologies),
            list(self.denied_methodologies),
            list(self.host_countries),
            self.min_vintage_start,
            self.required_labels,
            self.require_corresponding_adjustment,
        )

    @classmethod
    def from_tuple(cls, value: Sequence[Any], *, strict: bool = True) -> PoolRules:
        """Rules from the contract's tuple. ``strict=False`` takes them as the chain holds them, unvalidated
        (rules set by other tools may not meet this model's stricter checks)."""
        programs, methodologies, denied, countries, min_vintage, labels, adjustment = value
        fields = {
            "programs": tuple(programs),
            "methodologies": tuple(methodologies),
            "denied_methodologies": tuple(denied),
            "host_countries": tuple(countries),
            "min_vintage_start": int(min_vintage),
            "required_labels": int(labels),
            "require_corresponding_adjustment": bool(adjustment),
        }
        return cls.parse(fields) if strict else cls.model_construct(**fields)

    def eligibility(self, credit_class: CreditClass) -> Eligibility:
        return eligibility(self, credit_class)


def eligibility(rules: PoolRules, credit_class: CreditClass) -> Eligibility:
    """Whether ``credit_class`` meets ``rules``, else the first rule it fails, in the contract's order.

    Mirrors ``PoolEligibility._evaluate``; never returns ``NOT_BRIDGE_TOKEN`` (genuineness is a property of
    a token, checked on-chain only). Comparisons are exact (case-sensitive), like the contract's hashes.
    """
    reason = _first_failure(rules, credit_class)
    return Eligibility(reason is EligibilityReason.ELIGIBLE, reason)


def _first_failure(rules: PoolRules, c: CreditClass) -> EligibilityReason:
    if rules.programs and c.program not in rules.programs:
        return EligibilityReason.PROGRAM_NOT_ALLOWED
    if rules.methodologies and c.methodology not in rules.methodologies:
        return EligibilityReason.METHODOLOGY_NOT_ALLOWED
    if c.methodology in rules.denied_methodologies:
        return EligibilityReason.METHODOLOGY_DENIED
    if c.vintage_start < rules.min_vintage_start:
        return EligibilityReason.VINTAGE_TOO_OLD
    if rules.host_countries and c.host_country not in rules.host_countries:
        return EligibilityReason.HOST_COUNTRY_NOT_ALLOWED
    missing = rules.required_labels & ~int(c.labels)
    for label, reason in _LABEL_REASONS:
        if missing & label:
            return reason
    if rules.require_corresponding_adjustment and c.adjustment != Adjustment.COMPLETED:
        return EligibilityReason.NO_CORRESPONDING_ADJUSTMENT
    return EligibilityReason.ELIGIBLE
