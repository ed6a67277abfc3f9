"""Climate Action Reserve serials::

    CAR-<unit type>-CC-<project>-<project type code>-<developer id>-<state>-<vintage>-<batch>-<start> to <end>
    CAR-1-US-1021-6-340-CA-2018-5521-100001 to 104000

The unit type is ``1`` for the CRT (Climate Reserve Tonne) or ``ROC`` for a Registry Offset Credit (credits
of ARB compliance projects the Reserve lists). The state is the US state (or other country's subdivision)
code, two or three uppercase letters. Units are numbered from 1 in every batch, so unit numbers are unique
only within one issuance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import (
    IssuanceNumbering,
    IssueSpec,
    SerialBlock,
    YearVintage,
    split_to_range,
)

UNIT_TYPES: Final = {"1": "CRT", "ROC": "ROC"}
"""Unit type as printed -> the unit it stands for."""
_STATE: Final = re.compile(r"[A-Z]{2,3}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CARSerial(IssuanceNumbering, YearVintage, SerialBlock):
    """A Climate Action Reserve serial (see the module docstring)."""

    program: str = "CAR"
    unit_type: str = "1"
    country: str = field()
    project_id: str = field()
    project_type: str
    developer_id: str
    state: str
    vintage: int
    batch: str

    _programs: ClassVar[frozenset[str]] = frozenset({"CAR"})
    _format_name: ClassVar[str] = "Climate Action Reserve"

    def _validate(self) -> None:
        f.check_choice(self.unit_type, "unit_type", UNIT_TYPES)
        f.check_country(self.country)
        f.check_digits(self.project_id, "project_id")
        f.check_digits(self.project_type, "project_type")
        f.check_digits(self.developer_id, "developer_id")
        f.check_text(self.state, "state", _STATE, "a state code (two or three uppercase letters)")
        f.check_year(self.vintage, "vintage")
        f.check_digits(self.batch, "batch")

    @property
    def unit_name(self) -> str:
        """The unit the type stands for: CRT or ROC."""
        return UNIT_TYPES[self.unit_type]

    @property
    def issuance_ref(self) -> str:
        return (
            f"{self.program}-{self.unit_type}-{self.country}-{self.project_id}-{self.project_type}"
            f"-{self.developer_id}-{self.state}-{self.vintage}-{self.batch}"
        )

    def _render(self) -> str:
        return f"{self.issuance_ref}-{self.start} to {self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts, end = split_to_range(text)
        f.count_fields(parts, 10, "a Climate Action Reserve serial before ' to <end>'")
        tag, unit_type, country, project, project_type, developer, state, vintage, batch, start = parts
        f.expect(tag, program, "program")
        return {
            "unit_type": unit_type,
            "country": country,
            "project_id": project,
            "project_type": project_type,
            "developer_id": developer,
            "state": state,
            "vintage": f.parse_int(vintage, "vintage"),
            "batch": batch,
            **f.unit_range(start, end),
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        project = spec.project()
        return {
            "unit_type": spec.take("unit_type", "1"),
            "country": spec.country,
            "project_id": project,
            "project_type": spec.take("project_type", "1"),
            "developer_id": spec.take("developer_id", f.derived_number(f"CAR:{project}", 3)),
            "state": spec.take("state", "CA" if spec.country == "US" else str(spec.country)),
            "vintage": spec.vintage_year(),
            "batch": spec.take("batch", spec.numeric_issuance_id(5)),
        }
