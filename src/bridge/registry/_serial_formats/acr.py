"""ACR serials::

    ACR-CC-<project>-<vintage year>-<batch>-<start> to <end>
    ACR-US-412-2019-1203-1 to 2500

host country (ISO-2); ACR project number; vintage year; batch number; unit block start and end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock, YearVintage, split_to_range


@dataclass(frozen=True, slots=True, kw_only=True)
class ACRSerial(YearVintage, SerialBlock):
    """An ACR serial (see the module docstring)."""

    program: str = "ACR"
    country: str = field()
    project_id: str = field()
    vintage: int
    batch: str

    _programs: ClassVar[frozenset[str]] = frozenset({"ACR"})
    _format_name: ClassVar[str] = "ACR"

    def _validate(self) -> None:
        f.check_country(self.country)
        f.check_digits(self.project_id, "project_id")
        f.check_year(self.vintage, "vintage")
        f.check_digits(self.batch, "batch")

    @property
    def issuance_ref(self) -> str:
        return f"{self.program}-{self.country}-{self.project_id}-{self.vintage}-{self.batch}"

    def _render(self) -> str:
        return f"{self.issuance_ref}-{self.start} to {self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts, end = split_to_range(text)
        f.count_fields(parts, 6, "an ACR serial before ' to <end>'")
        tag, country, project, vintage, batch, start = parts
        f.expect(tag, program, "program")
        return {
            "country": country,
            "project_id": project,
            "vintage": f.parse_int(vintage, "vintage"),
            "batch": batch,
            "start": f.parse_int(start, "start"),
            "end": f.parse_int(end, "end"),
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        return {
            "country": spec.country,
            "project_id": spec.project(),
            "vintage": spec.vintage_year(),
            "batch": spec.take("batch", spec.numeric_issuance_id(5)),
        }
