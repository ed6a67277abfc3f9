"""Verra (VCS) serials.

Current form, 13 fields::

    BATCH-START-END-VCS-VCU-NNN-VER-CC-SCOPE-PROJECT-DDMMYYYY-DDMMYYYY-F
    7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1

batch (issuance) number; unit block start and end; program ``VCS``; unit type ``VCU``; a numeric code
(kept as printed, its meaning is not published); registry ``VER``; ISO-2 host country; sectoral scope
(1-16); VCS project id; vintage start and end (DDMMYYYY); additional-certification flag (0/1).

Older form from the previous registry operator, 12 fields: no ``VCS`` field and ``MER`` for ``VER``::

    BATCH-START-END-VCU-NNN-MER-CC-SCOPE-PROJECT-DDMMYYYY-DDMMYYYY-F

``legacy_format`` records which form was read, so ``format`` prints it back unchanged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock

UNIT_TYPES: Final = frozenset({"VCU"})
SECTORAL_SCOPES: Final = range(1, 17)
REGISTRY_CODE: Final = "VER"
LEGACY_REGISTRY_CODE: Final = "MER"


@dataclass(frozen=True, slots=True, kw_only=True)
class VerraSerial(SerialBlock):
    """A Verra serial (see the module docstring for both printed forms)."""

    program: str = "VCS"
    batch: str
    unit_type: str = "VCU"
    type_code: str
    country: str = field()
    sectoral_scope: int
    project_id: str = field()
    vintage_start: datetime.date = field()
    vintage_end: datetime.date = field()
    additional_certification: bool = False
    legacy_format: bool = False

    _programs: ClassVar[frozenset[str]] = frozenset({"VCS"})
    _format_name: ClassVar[str] = "Verra"

    def _validate(self) -> None:
        f.check_digits(self.batch, "batch")
        f.check_choice(self.unit_type, "unit_type", UNIT_TYPES)
        f.check_digits(self.type_code, "type_code")
        f.check_country(self.country)
        f.check_int(
            self.sectoral_scope, "sectoral_scope", minimum=SECTORAL_SCOPES.start, maximum=SECTORAL_SCOPES.stop - 1
        )
        f.check_digits(self.project_id, "project_id")
        f.check_date(self.vintage_start, "vintage_start")
        f.check_date(self.vintage_end, "vintage_end")
        if self.vintage_start > self.vintage_end:
            raise f.out_of_order(
                "vintage_start", f.ddmmyyyy(self.vintage_start), "vintage_end", f.ddmmyyyy(self.vintage_end)
            )
        f.check_flag(self.additional_certification, "additional_certification")
        f.check_flag(self.legacy_format, "legacy_format")

    @property
    def registry_code(self) -> str:
        """``VER``, or ``MER`` in the older 12-field form."""
        return LEGACY_REGISTRY_CODE if self.legacy_format else REGISTRY_CODE

    def _after_range(self) -> list[str]:
        return [
            *([] if self.legacy_format else [self.program]),
            self.unit_type,
            self.type_code,
            self.registry_code,
            self.country,
            str(self.sectoral_scope),
            self.project_id,
            f.ddmmyyyy(self.vintage_start),
            f.ddmmyyyy(self.vintage_end),
            "1" if self.additional_certification else "0",
        ]

    def _render(self) -> str:
        return "-".join([self.batch, str(self.start), str(self.end), *self._after_range()])

    @property
    def issuance_ref(self) -> str:
        return "-".join([self.batch, *self._after_range()])

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts = text.split("-")
        if len(parts) == 13:
            f.expect(parts[3], program, "program")
            legacy, rest = False, parts[4:]
        elif len(parts) == 12 and parts[3] != program:
            legacy, rest = True, parts[3:]
        else:
            raise f.malformed(
                "serial",
                f"serial has {len(parts)} fields; a Verra serial has 13 (12 in the older form)",
                fields=len(parts),
            )
        batch, start, end = parts[:3]
        unit_type, type_code, registry, country, scope, project, vintage_start, vintage_end, flag = rest
        start_number = f.parse_int(start, "start")
        end_number = f.parse_int(end, "end")
        f.expect(registry, LEGACY_REGISTRY_CODE if legacy else REGISTRY_CODE, "registry")
        return {
            "batch": batch,
            "start": start_number,
            "end": end_number,
            "unit_type": unit_type,
            "type_code": type_code,
            "country": country,
            "sectoral_scope": f.parse_int(scope, "sectoral_scope"),
            "project_id": project,
            "vintage_start": f.parse_ddmmyyyy(vintage_start, "vintage_start"),
            "vintage_end": f.parse_ddmmyyyy(vintage_end, "vintage_end"),
            "additional_certification": f.parse_flag(flag, "additional_certification"),
            "legacy_format": legacy,
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        form = spec.take("form", "13")
        f.check_choice(form, "form", ("12", "13"))
        return {
            "batch": spec.take("batch", spec.numeric_issuance_id(5)),
            "unit_type": spec.take("unit_type", "VCU"),
            "type_code": spec.take("type_code", "1"),
            "country": spec.country,
            "sectoral_scope": f.parse_int(spec.take("sectoral_scope", "1"), "sectoral_scope"),
            "project_id": spec.project(),
            "vintage_start": spec.vintage_start,
            "vintage_end": spec.vintage_end,
            "additional_certification": f.parse_flag(
                spec.take("additional_certification", "0"), "additional_certification"
            ),
            "legacy_format": form == "12",
        }
