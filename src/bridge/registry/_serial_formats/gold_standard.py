"""Gold Standard serials::

    GS1-1-CC-GS<project>-<n>-<vintage year>-<issuance id>-<start>-<end>
    GS1-1-UG-GS2211-7-2021-18830-1001-3500

``GS1-1`` is read as ``GS<serial version>-<unit type>`` (the registry does not publish their meaning;
both are kept as printed, ``1`` and ``1`` by default). ``<n>`` is kept as ``sequence``. The ``GS`` in
``GS2211`` is decoration: ``project_id`` is ``2211``. ``issuance_id`` is the registry's own issuance
number. Units are numbered from 1 in every issuance (unit numbers are unique only within one).

Gold Standard also holds CERs of CDM projects, printed as two Kyoto unit ids: ``gold_standard_cer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssuanceNumbering, IssueSpec, SerialBlock, YearVintage


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldStandardSerial(IssuanceNumbering, YearVintage, SerialBlock):
    """A Gold Standard serial (see the module docstring)."""

    program: str = "GS"
    serial_version: str = "1"
    unit_type: str = "1"
    country: str = field()
    project_id: str = field()
    sequence: str
    vintage: int
    issuance_id: str

    _programs: ClassVar[frozenset[str]] = frozenset({"GS"})
    _format_name: ClassVar[str] = "Gold Standard"

    def _validate(self) -> None:
        f.check_digits(self.serial_version, "serial_version")
        f.check_digits(self.unit_type, "unit_type")
        f.check_country(self.country)
        f.check_digits(self.project_id, "project_id")
        f.check_digits(self.sequence, "sequence")
        f.check_year(self.vintage, "vintage")
        f.check_digits(self.issuance_id, "issuance_id")

    @property
    def issuance_ref(self) -> str:
        return (
            f"GS{self.serial_version}-{self.unit_type}-{self.country}-GS{self.project_id}-{self.sequence}"
            f"-{self.vintage}-{self.issuance_id}"
        )

    def _render(self) -> str:
        return f"{self.issuance_ref}-{self.start}-{self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts = text.split("-")
        f.count_fields(parts, 9, "a Gold Standard serial")
        version, unit_type, country, project, sequence, vintage, issuance_id, start, end = parts
        if not version.startswith("GS"):
            raise f.invalid("serial_version", version, "is not GS<version>")
        if not project.startswith("GS"):
            raise f.invalid("project_id", project, "is not GS<project>")
        return {
            "serial_version": version.removeprefix("GS"),
            "unit_type": unit_type,
            "country": country,
            "project_id": project.removeprefix("GS"),
            "sequence": sequence,
            "vintage": f.parse_int(vintage, "vintage"),
            "issuance_id": issuance_id,
            **f.unit_range(start, end),
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        return {
            "serial_version": spec.take("serial_version", "1"),
            "unit_type": spec.take("unit_type", "1"),
            "country": spec.country,
            "project_id": spec.project(),
            "sequence": spec.take("sequence", "1"),
            "vintage": spec.vintage_year(),
            "issuance_id": spec.take("issuance_id", spec.numeric_issuance_id(5)),
        }
