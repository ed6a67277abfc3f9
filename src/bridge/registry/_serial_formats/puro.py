"""Puro.earth serials::

    PURO_PR_CORC100+_<CC>_<facility>_<vintage year>_<issuance uuid>_<start>-<end>
    PURO_PR_CORC100+_FI_helsinki-bc-1_2023_0b1f7a3e-8f0c-4d3e-9a57-6c2b1d9e4f10_1-500

``PR`` (the registry) is a literal; ``CORC100+`` is the credit type (``CORC<durability years>+``).
The facility is letters, digits and inner dashes (no ``_``); it is the serial's project id. The uuid is
kept in lowercase canonical form, so that one issuance has one unit space: Puro numbers units from 1 in
every issuance, so ranges are unique only within it (``unit_space`` is ``PURO:<uuid>``).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock, YearVintage

_CREDIT_TYPE: Final = re.compile(r"CORC[1-9][0-9]*\+")
_FACILITY: Final = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UUID_ANY_CASE: Final = re.compile(_UUID.pattern, re.IGNORECASE)
_NAMESPACE: Final = uuid.UUID("5a0c6a2e-63b1-4c55-9d0a-6b1f1a1c0e01")
"""Namespace of the uuid5 that ``make_serial`` derives from a non-uuid issuance id."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PuroSerial(YearVintage, SerialBlock):
    """A Puro.earth serial (see the module docstring)."""

    program: str = "PURO"
    credit_type: str = "CORC100+"
    country: str = field()
    facility: str
    vintage: int
    issuance_uuid: str

    _programs: ClassVar[frozenset[str]] = frozenset({"PURO"})
    _format_name: ClassVar[str] = "Puro"

    def _validate(self) -> None:
        f.check_text(self.credit_type, "credit_type", _CREDIT_TYPE, "CORC<years>+ (e.g. CORC100+)")
        f.check_country(self.country)
        f.check_text(self.facility, "facility", _FACILITY, "letters, digits and inner dashes")
        f.check_year(self.vintage, "vintage")
        if not isinstance(self.issuance_uuid, str) or not _UUID.fullmatch(self.issuance_uuid):
            raise f.invalid("issuance_uuid", self.issuance_uuid, "is not a lowercase uuid")

    @property
    def project_id(self) -> str:
        return self.facility

    @property
    def unit_space(self) -> str:
        return f"{self.program}:{self.issuance_uuid}"

    @property
    def issuance_ref(self) -> str:
        return (
            f"{self.program}_PR_{self.credit_type}_{self.country}_{self.facility}_{self.vintage}_{self.issuance_uuid}"
        )

    def _render(self) -> str:
        return f"{self.issuance_ref}_{self.start}-{self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts = text.split("_")
        f.count_fields(parts, 8, "a Puro serial (separated by _)")
        tag, registry, credit_type, country, facility, vintage, issuance_uuid, block = parts
        f.expect(tag, program, "program")
        f.expect(registry, "PR", "registry")
        start, end = f.split_range(block)
        return {
            "credit_type": credit_type,
            "country": country,
            "facility": facility,
            "vintage": f.parse_int(vintage, "vintage"),
            "issuance_uuid": issuance_uuid,
            **f.unit_range(start, end),
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        if _UUID_ANY_CASE.fullmatch(spec.ledger_issuance_id):
            derived = spec.ledger_issuance_id.lower()
        else:
            derived = str(uuid.uuid5(_NAMESPACE, spec.ledger_issuance_id))
        return {
            "credit_type": spec.take("credit_type", "CORC100+"),
            "country": spec.country,
            "facility": spec.take("facility", spec.project()),
            "vintage": spec.vintage_year(),
            "issuance_uuid": spec.take("issuance_uuid", derived),
        }
