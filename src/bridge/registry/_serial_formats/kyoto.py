"""Kyoto unit identifiers (CDM) and their Article 6.4 successor (PACM).

The Kyoto registries identify a block of units by eight elements; this registry prints them in their
standard order, dash-separated::

    <party>-<unit type>-<supplementary unit type>-<start>-<end>-<original CP>-<applicable CP>-<project>
    CN-5-0-1001-2000-2-2-1234

party: the originating party (host country), ISO 3166-1 alpha-2; unit type: 5 = CER, 6 = tCER,
7 = lCER; supplementary unit type: 0 when not applicable; original and applicable commitment period:
1 (2008-2012) or 2 (2013-2020), applicable never before original; project: the CDM project number.

PACM (Paris Agreement Crediting Mechanism, Article 6.4) serials have the same eight elements behind a
``PACM-`` tag (the mechanism's own text form is not published; this is the registry's)::

    PACM-BR-5-0-1-5000-1-1-17

there unit type 5 = A6.4ER and the periods are the mechanism's crediting-period numbers (>= 1).

A Kyoto identifier carries no vintage: ``vintage_start`` / ``vintage_end`` are None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock

UNIT_TYPES: Final = {
    "CDM": {5: "CER", 6: "tCER", 7: "lCER"},
    "PACM": {5: "A6.4ER"},
}
MAX_PERIOD: Final = {"CDM": 2, "PACM": None}
LAST_YEAR_OF_FIRST_PERIOD: Final = 2012
MAX_SUPPLEMENTARY_UNIT_TYPE: Final = 99


@dataclass(frozen=True, slots=True, kw_only=True)
class CDMSerial(SerialBlock):
    """A CDM or PACM unit identifier (see the module docstring)."""

    program: str = "CDM"
    country: str = field()
    unit_type: int = 5
    supplementary_unit_type: int = 0
    original_period: int
    applicable_period: int
    project_id: str = field()

    _programs: ClassVar[frozenset[str]] = frozenset({"CDM", "PACM"})
    _format_name: ClassVar[str] = "Kyoto unit identifier"

    def _validate(self) -> None:
        f.check_country(self.country)
        f.check_int(self.unit_type, "unit_type", minimum=0)
        f.check_choice(self.unit_type, "unit_type", UNIT_TYPES[self.program])
        f.check_int(
            self.supplementary_unit_type, "supplementary_unit_type", minimum=0, maximum=MAX_SUPPLEMENTARY_UNIT_TYPE
        )
        maximum = MAX_PERIOD[self.program]
        f.check_int(self.original_period, "original_period", minimum=1, maximum=maximum)
        f.check_int(self.applicable_period, "applicable_period", minimum=1, maximum=maximum)
        if self.original_period > self.applicable_period:
            raise f.out_of_order(
                "original_period", str(self.original_period), "applicable_period", str(self.applicable_period)
            )
        f.check_digits(self.project_id, "project_id")

    @property
    def unit_name(self) -> str:
        """The unit the type code stands for: CER, tCER, lCER or A6.4ER."""
        return UNIT_TYPES[self.program][self.unit_type]

    def _fields(self, with_range: bool) -> list[str]:
        return [
            *([] if self.program == "CDM" else [self.program]),
            self.country,
            str(self.unit_type),
            str(self.supplementary_unit_type),
            *([str(self.start), str(self.end)] if with_range else []),
            str(self.original_period),
            str(self.applicable_period),
            self.project_id,
        ]

    @property
    def issuance_ref(self) -> str:
        return "-".join(self._fields(with_range=False))

    def _render(self) -> str:
        return "-".join(self._fields(with_range=True))

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts = text.split("-")
        if program != "CDM":
            f.expect(parts[0], program, "program")
            parts = parts[1:]
        f.count_fields(parts, 8, f"a {program} unit identifier" + ("" if program == "CDM" else " after its tag"))
        country, unit_type, supplementary, start, end, original, applicable, project = parts
        return {
            "country": country,
            "unit_type": f.parse_int(unit_type, "unit_type"),
            "supplementary_unit_type": f.parse_int(supplementary, "supplementary_unit_type"),
            **f.unit_range(start, end),
            "original_period": f.parse_int(original, "original_period"),
            "applicable_period": f.parse_int(applicable, "applicable_period"),
            "project_id": project,
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        # CDM: credits of a vintage after 2012 belong to the second commitment period
        second_period = spec.program == "CDM" and spec.vintage_end.year > LAST_YEAR_OF_FIRST_PERIOD
        period = "2" if second_period else "1"
        original = f.parse_int(spec.take("original_period", period), "original_period")
        return {
            "country": spec.country,
            "unit_type": f.parse_int(spec.take("unit_type", "5"), "unit_type"),
            "supplementary_unit_type": f.parse_int(
                spec.take("supplementary_unit_type", "0"), "supplementary_unit_type"
            ),
            "original_period": original,
            "applicable_period": f.parse_int(spec.take("applicable_period", str(original)), "applicable_period"),
            "project_id": spec.project(),
        }
