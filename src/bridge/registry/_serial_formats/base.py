"""``SerialBlock``: a block of consecutive units [start, end] named by one serial number."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Self

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.programs import PROGRAMS
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError


@dataclass(frozen=True, slots=True, kw_only=True)
class SerialBlock:
    """Units ``start``..``end`` (inclusive) of one issuance, as one program's serial number names them.

    Abstract: every program format is a subclass (``VerraSerial``, ``GoldStandardSerial``, ...). An
    instance is always valid -- the constructor checks every field and raises ``SerialFormatError``
    naming the field -- so ``format(block)`` always parses back to an equal block.

    Subclasses that carry a project id, country or vintage declare them as fields with ``= field()``:
    a bare annotation would pick up the base property below as the field's default.
    """

    program: str
    start: int
    end: int

    names_units: ClassVar[bool] = True
    """False for programs whose serial names a batch, not units (``BatchSerial``)."""
    _programs: ClassVar[frozenset[str]] = frozenset()
    _format_name: ClassVar[str] = "serial"

    def __post_init__(self) -> None:
        if type(self) is SerialBlock:
            raise TypeError("SerialBlock is abstract: use parse(), make_serial() or a program's subclass")
        self._check_program()
        self._check_range()
        self._validate()

    def _check_range(self) -> None:
        f.check_int(self.start, "start", minimum=1, maximum=f.MAX_UNIT_NUMBER)
        f.check_int(self.end, "end", minimum=1, maximum=f.MAX_UNIT_NUMBER)
        if self.start > self.end:
            raise f.out_of_order("start", str(self.start), "end", str(self.end))

    def _check_program(self) -> None:
        if self.program in self._programs:
            return
        if isinstance(self.program, str) and self.program in PROGRAMS:
            raise f.invalid("program", self.program, f"does not print {self._format_name} serials")
        raise SerialFormatError(
            f"program {f.show(self.program)} is not one the registry models",
            code=RegistryErrorCode.UNKNOWN_PROGRAM,
            field="program",
        )

    def _validate(self) -> None:
        """Check the format's own fields (hook for subclasses)."""

    def _render(self) -> str:
        """The serial as the registry prints it (hook for subclasses)."""
        raise NotImplementedError

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        """Constructor arguments (all but ``program``) read from ``text`` (hook for subclasses).

        Converts text to values, raising on text that is no number or date; the constructor then
        checks the values themselves.
        """
        raise NotImplementedError

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        """Constructor arguments (all but ``program``, ``start``, ``end``) for ``make_serial``."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self._render()

    # --- what every block answers ----------------------------------------------------------------

    @property
    def quantity(self) -> int:
        """Number of units in the block: ``end - start + 1``."""
        return self.end - self.start + 1

    @property
    def last_unit(self) -> int:
        """The block's last unit number (``end``; a batch of unknown size runs to the largest number)."""
        return self.end

    @property
    def unit_space(self) -> str:
        """The numbering space in which unit numbers are unique: the program code unless overridden."""
        return self.program

    @property
    def issuance_ref(self) -> str:
        """The serial without its range: the same for every block split out of one issued block."""
        raise NotImplementedError

    @property
    def project_id(self) -> str | None:
        """The project identifier as the serial prints it, or None when the serial has none."""
        return None

    @property
    def country(self) -> str | None:
        """ISO 3166-1 alpha-2 host country, or None when the serial has none."""
        return None

    @property
    def vintage_start(self) -> datetime.date | None:
        """First day of the vintage (Jan 1 when the serial has only a year), or None."""
        return None

    @property
    def vintage_end(self) -> datetime.date | None:
        """Last day of the vintage (Dec 31 when the serial has only a year), or None."""
        return None

    # --- range arithmetic ------------------------------------------------------------------------

    def with_range(self, start: int, end: int) -> Self:
        """The same block with units ``start``..``end``; validated like any block."""
        return replace(self, start=start, end=end)

    def split(self, quantity: int) -> tuple[Self, Self | None]:
        """Split off the first ``quantity`` units: ``(start..start+quantity-1, rest or None)``.

        Convention: the operated part (retired, transferred, ...) takes the LOWEST unit numbers and
        the remainder's start moves up. Retiring 300 of 1-10000 gives 1-300 and 301-10000. The two
        parts never overlap and cover the block exactly; all other fields are unchanged.
        """
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= self.quantity:
            raise RegistryError(
                f"quantity {quantity} is not between 1 and the block's {self.quantity} units",
                code=RegistryErrorCode.INVALID_REQUEST,
                field="quantity",
            )
        cut = self.start + quantity - 1
        head = self.with_range(self.start, cut)
        rest = self.with_range(cut + 1, self.end) if cut < self.end else None
        return head, rest

    def overlaps(self, other: SerialBlock) -> bool:
        """True when both blocks share at least one unit (same unit space, intersecting ranges)."""
        return self.unit_space == other.unit_space and self.start <= other.last_unit and other.start <= self.last_unit


class IssuanceNumbering:
    """Mixin (list it before ``SerialBlock``) for programs that number the units of each issuance from 1.

    ACR, ART, CAR and Gold Standard print ``1 to 2500`` for the first units of every batch, so unit
    numbers are unique only within one issuance: the numbering space is ``<program>:<issuance_ref>``.
    """

    __slots__ = ()
    program: str

    @property
    def issuance_ref(self) -> str:
        raise NotImplementedError

    @property
    def unit_space(self) -> str:
        return f"{self.program}:{self.issuance_ref}"


class YearVintage:
    """Mixin (list it before ``SerialBlock``) for serials that print only a vintage year.

    The vintage then runs from Jan 1 to Dec 31 of that year.
    """

    __slots__ = ()
    vintage: int

    @property
    def vintage_start(self) -> datetime.date:
        return datetime.date(self.vintage, 1, 1)

    @property
    def vintage_end(self) -> datetime.date:
        return datetime.date(self.vintage, 12, 31)


def split_to_range(text: str) -> tuple[list[str], str]:
    """``...-<start> to <end>`` (ACR, CAR) -> (dash-separated fields up to start, end text)."""
    head, separator, end = text.rpartition(" to ")
    if not separator:
        raise f.malformed("end", "serial has no '<start> to <end>' range")
    return head.split("-"), end


@dataclass(slots=True, kw_only=True)
class IssueSpec:
    """What ``make_serial`` was asked for; formats ``take`` their own fields from ``extra``."""

    program: str
    project_id: str
    country: str
    vintage_start: datetime.date
    vintage_end: datetime.date
    ledger_issuance_id: str
    extra: dict[str, str]
    _taken: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        f.check_date(self.vintage_start, "vintage_start")
        f.check_date(self.vintage_end, "vintage_end")
        if self.vintage_start > self.vintage_end:
            raise f.out_of_order(
                "vintage_start", self.vintage_start.isoformat(), "vintage_end", self.vintage_end.isoformat()
            )
        if not isinstance(self.ledger_issuance_id, str) or not self.ledger_issuance_id:
            raise f.invalid("ledger_issuance_id", self.ledger_issuance_id, "is not a non-empty text")

    def take(self, name: str, default: str) -> str:
        """The program field ``name`` from ``extra``, else ``default``."""
        self._taken.add(name)
        return str(self.extra.get(name, default))

    def finish(self) -> None:
        """Refuse program fields no format took (most likely a misspelt name)."""
        unknown = sorted(set(self.extra) - self._taken)
        if unknown:
            known = ", ".join(sorted(self._taken)) or "none"
            raise f.malformed(
                unknown[0], f"{f.label(unknown[0])} is not a field of {self.program} serials (known: {known})"
            )

    def project(self) -> str:
        """``project_id`` without a leading program code (``VCS1477`` or ``VCS-1477`` -> ``1477``)."""
        return project_number(str(self.project_id), self.program)

    def vintage_year(self) -> int:
        """The vintage year a serial of a program printing only a year carries: the program field
        ``vintage`` when given (it must lie within the vintage period), else the period's one year.

        A monitoring period may span two calendar years (``2024-03-02..2025-03-10``); its serial then
        names the year the registry assigned (``vintage``), which must be given.
        """
        first, last = self.vintage_start.year, self.vintage_end.year
        if "vintage" in self.extra:
            year = f.parse_int(self.take("vintage", ""), "vintage")
            if not first <= year <= last:
                raise f.invalid("vintage", year, f"is outside the vintage period {first}-{last}")
            return year
        self.take("vintage", "")
        if first != last:
            raise f.malformed(
                "vintage",
                f"vintage {self.vintage_start.isoformat()}..{self.vintage_end.isoformat()} spans several "
                f"years; a {self.program} serial carries one vintage year: give it (program field vintage)",
            )
        return first

    def numeric_issuance_id(self, digits: int) -> str:
        """The ledger's issuance id when it is a number a serial can print, else a stable number derived
        from it."""
        if f.is_digits(self.ledger_issuance_id):
            return self.ledger_issuance_id
        return f.derived_number(f"{self.program}:{self.ledger_issuance_id}", digits)


def project_number(project_id: str, program: str) -> str:
    """A project id as serials print it: without a leading program code (``ACR1185`` -> ``1185``)."""
    if project_id.upper().startswith(program) and len(project_id) > len(program):
        return project_id[len(program) :].removeprefix("-")
    return project_id
