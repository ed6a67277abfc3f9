"""Serials of programs without a public serial format (CCER, ACCU, T-VER, J-Credit, JCM, ...).

The registry prints them as::

    <PROGRAM>-<block id>-<start>-<end>
    CCER-2024-000731-1-5000

The block id is letters and digits, possibly in groups joined by ``-`` or ``.``; it is split off by
reading start and end from the right. It carries nothing the registry interprets: project, country
and vintage are None (the ledger keeps them with the issuance). Unit numbers are unique per program.

Isometric blocks were printed this way (``ISOMETRIC-<block id>-<start>-<end>``) before the registry modelled
Isometric's own issuance ids (``batch``): such serials still read, so ledgers written then stay valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock
from bridge.registry._serial_formats.programs import SerialKind, codes_of

_BLOCK_ID: Final = re.compile(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")
LEGACY_OPAQUE: Final = frozenset({"ISOMETRIC"})
"""Programs with a format of their own whose older opaque serials (``<PROGRAM>-...``) still read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpaqueSerial(SerialBlock):
    """A block of a program without a public serial format (see the module docstring)."""

    block_id: str

    _programs: ClassVar[frozenset[str]] = codes_of(SerialKind.OPAQUE) | LEGACY_OPAQUE
    _format_name: ClassVar[str] = "opaque"

    def _validate(self) -> None:
        f.check_text(self.block_id, "block_id", _BLOCK_ID, "letters and digits (groups joined by - or .)")

    @property
    def issuance_ref(self) -> str:
        return f"{self.program}-{self.block_id}"

    def _render(self) -> str:
        return f"{self.issuance_ref}-{self.start}-{self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        tag, _, rest = text.partition("-")
        f.expect(tag, program, "program")
        parts = rest.rsplit("-", 2)
        if len(parts) != 3:
            raise f.malformed("serial", f"serial is not {program}-<block id>-<start>-<end>")
        block_id, start, end = parts
        return {"block_id": block_id, **f.unit_range(start, end)}

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        default = spec.ledger_issuance_id if _BLOCK_ID.fullmatch(spec.ledger_issuance_id) else None
        if default is None or len(default) > f.MAX_IDENTIFIER_LENGTH:
            default = f.derived_number(f"{spec.program}:{spec.ledger_issuance_id}", 10)
        return {"block_id": spec.take("block_id", default)}
