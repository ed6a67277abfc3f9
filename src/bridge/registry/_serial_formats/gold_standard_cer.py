"""Gold Standard CER ranges: CERs of CDM projects held in the Gold Standard registry, printed as the
first and last Kyoto unit id of the block joined by `` - ``::

    <party>-<unit type>-<unit>-<original CP>-<applicable CP>-<LULUCF activity>-<CDM project>
    RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014        (units 1463953..1467609: 3,657 CERs)

party: the originating party (host country, ISO-2); unit type 5 = CER (6 tCER, 7 lCER); original and
applicable commitment period (1 or 2, applicable never before original); LULUCF activity (0: none);
the CDM project number (not the Gold Standard project: ``project_id`` is None, ``cdm_project_id`` has it).
Both ids must agree on every element but the unit number. Kyoto unit numbers are unique per originating
party, so the numbering space is ``GS:CER:<party>``. No vintage is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock
from bridge.registry._serial_formats.kyoto import LAST_YEAR_OF_FIRST_PERIOD, UNIT_TYPES

SEPARATOR: Final = " - "
MAX_LULUCF_ACTIVITY: Final = 99
_SHARED: Final = ("country", "unit_type", "original_period", "applicable_period", "lulucf_activity", "cdm_project_id")
"""The elements both unit ids of a range must print alike (all but the unit number)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldStandardCERSerial(SerialBlock):
    """A range of CERs in the Gold Standard registry (see the module docstring)."""

    program: str = "GS"
    country: str = field()
    unit_type: int = 5
    original_period: int
    applicable_period: int
    lulucf_activity: int = 0
    cdm_project_id: str

    _programs: ClassVar[frozenset[str]] = frozenset({"GS"})
    _format_name: ClassVar[str] = "Gold Standard CER"

    def _validate(self) -> None:
        f.check_country(self.country)
        f.check_int(self.unit_type, "unit_type", minimum=0)
        f.check_choice(self.unit_type, "unit_type", UNIT_TYPES["CDM"])
        f.check_int(self.original_period, "original_period", minimum=1, maximum=2)
        f.check_int(self.applicable_period, "applicable_period", minimum=1, maximum=2)
        if self.original_period > self.applicable_period:
            raise f.out_of_order(
                "original_period", str(self.original_period), "applicable_period", str(self.applicable_period)
            )
        f.check_int(self.lulucf_activity, "lulucf_activity", minimum=0, maximum=MAX_LULUCF_ACTIVITY)
        f.check_digits(self.cdm_project_id, "cdm_project_id")

    @property
    def unit_name(self) -> str:
        """CER, tCER or lCER."""
        return UNIT_TYPES["CDM"][self.unit_type]

    @property
    def unit_space(self) -> str:
        return f"{self.program}:CER:{self.country}"

    def _unit_id(self, unit: int | None) -> str:
        number = [] if unit is None else [str(unit)]
        return "-".join(
            [
                self.country,
                str(self.unit_type),
                *number,
                str(self.original_period),
                str(self.applicable_period),
                str(self.lulucf_activity),
                self.cdm_project_id,
            ]
        )

    @property
    def issuance_ref(self) -> str:
        return self._unit_id(None)

    def _render(self) -> str:
        return f"{self._unit_id(self.start)}{SEPARATOR}{self._unit_id(self.end)}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        first, separator, last = text.partition(SEPARATOR)
        if not separator:
            raise f.malformed("end", f"serial has no '<first unit id>{SEPARATOR}<last unit id>' range")
        start, end = _read_unit_id(first, "start"), _read_unit_id(last, "end")
        for name in _SHARED:
            if start[name] != end[name]:
                raise f.invalid(name, end[name], f"of the last unit id differs from {start[name]} of the first")
        shared = {name: start[name] for name in _SHARED}
        return {**shared, "start": start["unit"], "end": end["unit"]}

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        period = "2" if spec.vintage_end.year > LAST_YEAR_OF_FIRST_PERIOD else "1"
        original = f.parse_int(spec.take("original_period", period), "original_period")
        return {
            "country": spec.country,
            "unit_type": f.parse_int(spec.take("unit_type", "5"), "unit_type"),
            "original_period": original,
            "applicable_period": f.parse_int(spec.take("applicable_period", str(original)), "applicable_period"),
            "lulucf_activity": f.parse_int(spec.take("lulucf_activity", "0"), "lulucf_activity"),
            "cdm_project_id": spec.take("cdm_project_id", spec.project()),
        }


def _read_unit_id(text: str, which: str) -> dict[str, Any]:
    """The elements of one Kyoto unit id as Gold Standard prints it (``which``: start or end)."""
    parts = text.split("-")
    if len(parts) != 7:
        raise f.malformed(
            "serial", f"the {'first' if which == 'start' else 'last'} unit id has {len(parts)} fields; it has 7"
        )
    country, unit_type, unit, original, applicable, activity, project = parts
    return {
        "country": country,
        "unit_type": f.parse_int(unit_type, "unit_type"),
        "unit": f.parse_int(unit, which),
        "original_period": f.parse_int(original, "original_period"),
        "applicable_period": f.parse_int(applicable, "applicable_period"),
        "lulucf_activity": f.parse_int(activity, "lulucf_activity"),
        "cdm_project_id": project,
    }
