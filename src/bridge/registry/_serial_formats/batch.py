"""Serials that name an issuance batch, not a unit range: Cercarbono and Isometric.

Their registries print one id per issuance and give its quantity in another column::

    CDC_1_1_1_321_14_1                  Cercarbono batch (CDC_ and groups of letters and digits joined by _)
    iss_1KP6EDZ8K1S036PY                Isometric issuance (iss_ and 16 Crockford base32 characters)

This registry numbers the units of such a batch 1..quantity (derived unit numbers: the numbering space is
``<program>:<batch>``), so that any part of it can be operated on and traced back. A part prints the batch,
``:`` and its derived range::

    CDC_1_1_1_321_14_1                  the whole batch as the registry exports it (``whole``: range not printed)
    CDC_1_1_1_321_14_1:1-62740          the same units as a ledger block: every unit of a 62,740-unit batch
    CDC_1_1_1_321_14_1:1-500            its first 500 units (retiring 500 of the batch leaves :501-62740 held)

The bare form does not say how many units the batch has: ``parse(text, quantity=N)`` gives it (the
registry's issuance knows it); without it the block's ``end`` is None and ``quantity`` is refused. The
ledger prints every block it holds with its range, and the issuance's own serial is the bare batch id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Final, Self

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock
from bridge.registry.errors import RegistryError, RegistryErrorCode

RANGE_SEPARATOR: Final = ":"
_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSerial(SerialBlock):
    """Units ``start``..``end`` of one batch (see the module docstring). Abstract: one subclass per program.

    ``whole``: the serial is the bare batch id, naming every unit of the batch (``start`` is 1; ``end``
    is the batch's quantity when known, else None).
    """

    batch: str
    start: int = 1
    end: int | None = None  # type: ignore[assignment]  # None: a whole batch of unknown size
    whole: bool = False

    names_units: ClassVar[bool] = False
    _pattern: ClassVar[re.Pattern[str]] = re.compile("")
    _shape: ClassVar[str] = ""

    def _check_range(self) -> None:
        f.check_flag(self.whole, "whole")
        if self.whole:
            f.check_int(self.start, "start", minimum=1, maximum=1)
            if self.end is None:
                return
        elif self.end is None:
            raise f.malformed("end", "end is missing: a part of a batch prints <batch>:<start>-<end>")
        SerialBlock._check_range(self)

    def _validate(self) -> None:
        f.check_text(self.batch, "batch", self._pattern, self._shape)

    @property
    def quantity(self) -> int:
        if self.end is None:
            raise RegistryError(
                f"serial {self.batch} names a whole batch without its size: give its quantity",
                code=RegistryErrorCode.QUANTITY_INVALID,
                field="quantity",
            )
        return self.end - self.start + 1

    @property
    def last_unit(self) -> int:
        return f.MAX_UNIT_NUMBER if self.end is None else self.end

    @property
    def unit_space(self) -> str:
        return f"{self.program}:{self.batch}"

    @property
    def issuance_ref(self) -> str:
        return self.batch

    def with_range(self, start: int, end: int) -> Self:
        return replace(self, start=start, end=end, whole=False)

    def sized(self, quantity: int) -> Self:
        """The whole batch with its ``quantity`` (the bare form, now with its units known)."""
        return replace(self, start=1, end=quantity, whole=True)

    def _render(self) -> str:
        if self.whole:
            return self.batch
        return f"{self.batch}{RANGE_SEPARATOR}{self.start}-{self.end}"

    @classmethod
    def _parse_fields(cls, text: str, program: str) -> dict[str, Any]:
        batch, separator, span = text.partition(RANGE_SEPARATOR)
        if not separator:
            return {"batch": batch, "whole": True}
        start, end = f.split_range(span)
        return {"batch": batch, **f.unit_range(start, end)}

    @classmethod
    def _make_fields(cls, spec: IssueSpec) -> dict[str, Any]:
        return {"batch": spec.take("batch", cls._derived_batch(spec))}

    @classmethod
    def _derived_batch(cls, spec: IssueSpec) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class CercarbonoSerial(BatchSerial):
    """A Cercarbono batch serial: ``CDC_`` then groups of letters and digits joined by ``_``."""

    program: str = "CERCARBONO"

    _programs: ClassVar[frozenset[str]] = frozenset({"CERCARBONO"})
    _format_name: ClassVar[str] = "Cercarbono"
    _pattern: ClassVar[re.Pattern[str]] = re.compile(r"CDC(?:_[A-Za-z0-9]+)+")
    _shape: ClassVar[str] = "CDC_ and groups of letters and digits joined by _"

    @classmethod
    def _derived_batch(cls, spec: IssueSpec) -> str:
        return f"CDC_{spec.numeric_issuance_id(10)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class IsometricSerial(BatchSerial):
    """An Isometric issuance id: ``iss_`` then 16 Crockford base32 characters."""

    program: str = "ISOMETRIC"

    _programs: ClassVar[frozenset[str]] = frozenset({"ISOMETRIC"})
    _format_name: ClassVar[str] = "Isometric"
    _pattern: ClassVar[re.Pattern[str]] = re.compile(r"iss_[0-9A-HJKMNP-TV-Z]{16}")
    _shape: ClassVar[str] = "iss_ and 16 Crockford base32 characters (0-9, A-Z without I, L, O, U)"

    @classmethod
    def _derived_batch(cls, spec: IssueSpec) -> str:
        number = int.from_bytes(hashlib.sha256(f"ISOMETRIC:{spec.ledger_issuance_id}".encode()).digest()[:10], "big")
        return "iss_" + "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(15, -1, -1))
