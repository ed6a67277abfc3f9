"""ACR serials, and ART TREES serials (the same shape under ART's program tags)::

    ACR-CC-<project>-<vintage year>-<batch>-<start> to <end>
    ACR-US-412-2019-1203-1 to 2500

    <ART or FCPF>-CC-<program id>-<vintage year>-<batch>-<start> to <end>
    ART-GY-102-2019-3-2500001 to 2600000
    FCPF-CI-130-2023-20-1 to 46404

host country (ISO-2); project (ART: jurisdictional program) number; vintage year; batch number; unit
block start and end. The ART registry prints ``ART`` for TREES credits and ``FCPF`` for credits of the
World Bank's FCPF Carbon Fund programs it holds; both are program ART, the tag is kept as printed.
Units are numbered from 1 in every batch, so unit numbers are unique only within one issuance.
"""

from __future__ import annotations

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

ART_TAGS: Final = ("ART", "FCPF")
"""The tags an ART registry serial starts with (``ART``: TREES credits; ``FCPF``: FCPF Carbon Fund)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ACRSerial(IssuanceNumbering, YearVintage, SerialBlock):
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
    def tag(self) -> str:
        """The serial's first field: the program tag."""
        return self.program

    @property
    def issuance_ref(self) -> str:
        return f"{self.tag}-{self.country}-{self.project_id}-{self.vintage}-{self.batch}"

    def _render(self) -> str:
        return f"{self.issuance_ref}-{self.start} to {self.end}"

    @classmethod
    def _read_tag(cls, tag: str, program: str) -> dict[str, Any]:
        f.expect(tag, program, "program")
        return {}

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        parts, end = split_to_range(text)
        f.count_fields(parts, 6, f"an {cls._format_name} serial before ' to <end>'")
        tag, country, project, vintage, batch, start = parts
        return {
            **cls._read_tag(tag, program),
            "country": country,
            "project_id": project,
            "vintage": f.parse_int(vintage, "vintage"),
            "batch": batch,
            **f.unit_range(start, end),
        }

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        return {
            "country": spec.country,
            "project_id": spec.project(),
            "vintage": spec.vintage_year(),
            "batch": spec.take("batch", spec.numeric_issuance_id(5)),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ARTSerial(ACRSerial):
    """An ART TREES serial: ACR's shape, tagged ``ART`` or ``FCPF`` (see the module docstring)."""

    program: str = "ART"
    art_tag: str = "ART"

    _programs: ClassVar[frozenset[str]] = frozenset({"ART"})
    _format_name: ClassVar[str] = "ART"

    def _validate(self) -> None:
        f.check_choice(self.art_tag, "art_tag", ART_TAGS)
        ACRSerial._validate(self)

    @property
    def tag(self) -> str:
        return self.art_tag

    @classmethod
    def _read_tag(cls, tag: str, program: str) -> dict[str, Any]:
        if tag not in ART_TAGS:
            raise f.invalid("art_tag", tag, f"is not one of {', '.join(ART_TAGS)}")
        return {"art_tag": tag}

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        return {**ACRSerial._make_fields(spec), "art_tag": spec.take("art_tag", "ART")}
