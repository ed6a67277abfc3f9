"""Reading one cell of an export as the value its column holds, or refusing it naming the column.

Values come as the registries write them: thousands separators (``1,454,054``), fractional tonnes
(``2765.37``), dates in several forms (``2026-04-13T12:35:58.842275``, ``3/24/2026 9:08:01 PM``,
``03/19/2026``, ``2019-03-07T18:33:46.000Z``), yes/no cells that may be blank, country names. Every
refusal is an ``ImportRefusal`` whose ``field`` is the column: ``cell_empty`` for a missing value the row
needs, ``cell_invalid`` for a value its column cannot hold, ``quantity_invalid`` for a quantity that is not
a whole number of the program's units (never rounded).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from bridge.registry.countries import country_code
from bridge.registry.enums import Eligibility
from bridge.registry.errors import ImportRefusal, RegistryError, RegistryErrorCode
from bridge.registry.imports.table import Row
from bridge.registry.units import units_from_tonnes

_GROUPED: Final = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_PLAIN: Final = re.compile(r"[0-9]+(\.[0-9]+)?")
_WHOLE_FLOAT: Final = re.compile(r"([0-9]+)\.0+")
_DATE_FORMATS: Final = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")
_TIME_FORMATS: Final = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S")
YES: Final = frozenset({"yes", "y", "true", "1"})
NO: Final = frozenset({"no", "n", "false", "0"})


def refuse(row: Row, column: str, why: str, code: RegistryErrorCode = RegistryErrorCode.CELL_INVALID) -> ImportRefusal:
    value = row.text(column)
    shown = f" {value!r}" if value else ""
    return ImportRefusal(f"{column}{shown}: {why}", code=code, field=column)


def _empty(row: Row, column: str, *, required: bool) -> None:
    """What an empty cell reads as: None, or ``cell_empty`` when the column is ``required``."""
    if required:
        raise refuse(row, column, "is empty", RegistryErrorCode.CELL_EMPTY)
    return None


def text(row: Row, column: str, *, required: bool = False) -> str | None:
    """The cell's text (None when empty; ``cell_empty`` when ``required``)."""
    return row.text(column) or _empty(row, column, required=required)


def decimal(row: Row, column: str) -> Decimal | None:
    """A number as registries print it (``1,454,054``, ``2765.37``); None when empty."""
    value = row.text(column).replace(" ", "")
    if not value:
        return None
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    if not _PLAIN.fullmatch(value):
        raise refuse(row, column, "is not a number")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise refuse(row, column, "is not a number") from None


def tonnes(row: Row, column: str, unit_decimals: int, *, required: bool = True) -> int | None:
    """A quantity printed in tonnes as a whole number of the program's units (2765.37 t at 3 decimals:
    2765370 kg); ``quantity_invalid`` when it is not one."""
    value = decimal(row, column)
    if value is None:
        return _empty(row, column, required=required)
    try:
        return units_from_tonnes(value, unit_decimals, field=column)
    except RegistryError as exc:
        raise ImportRefusal(exc.message, code=exc.code, field=column) from None


def whole(row: Row, column: str, *, required: bool = True) -> int | None:
    """A whole number (a quantity already in the program's units, a year); ``1,000`` reads 1000."""
    value = decimal(row, column)
    if value is None:
        return _empty(row, column, required=required)
    if value != value.to_integral_value():
        raise refuse(row, column, "is not a whole number", RegistryErrorCode.QUANTITY_INVALID)
    return int(value)


def identifier(row: Row, column: str, *, required: bool = False) -> str | None:
    """An id a spreadsheet tool may have printed as a float (``11191.0`` is ``11191``)."""
    value = text(row, column, required=required)
    if value is None:
        return None
    match = _WHOLE_FLOAT.fullmatch(value)
    return match.group(1) if match else value


def moment(row: Row, column: str, *, required: bool = False) -> datetime | None:
    """A date or date and time in any form the exports use, as a UTC datetime (times without a zone are
    UTC: the exports that print times say GMT)."""
    value = text(row, column, required=required)
    if value is None:
        return None
    iso = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = _strptime(value)
        if parsed is None:
            raise refuse(row, column, "is not a date") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def day(row: Row, column: str, *, required: bool = False) -> date | None:
    found = moment(row, column, required=required)
    return None if found is None else found.date()


def period(row: Row, column: str, *, required: bool = False) -> tuple[date, date] | None:
    """``2010-01-01 / 2018-09-30``: a first and last day."""
    value = text(row, column, required=required)
    if value is None:
        return None
    first, separator, last = value.partition("/")
    if separator and "-" in first:
        start, end = _iso_day(first.strip()), _iso_day(last.strip())
        if start is not None and end is not None and start <= end:
            return start, end
    raise refuse(row, column, "is not a period <first day> / <last day>")


def eligibility(row: Row, column: str) -> Eligibility:
    """Yes, No, or blank (the registry does not say)."""
    value = row.text(column).lower()
    if not value:
        return Eligibility.UNKNOWN
    if value in YES:
        return Eligibility.YES
    if value in NO:
        return Eligibility.NO
    raise refuse(row, column, "is not yes, no or blank")


def flag(row: Row, column: str) -> bool:
    """Yes / True: True; No, False or blank: False."""
    return eligibility(row, column) is Eligibility.YES


def country(row: Row, column: str, *, default: str | None = None) -> str:
    """An ISO 3166-1 alpha-2 code from a code or a country's name (``default`` when empty)."""
    value = text(row, column, required=default is None)
    if value is None:
        return str(default)
    try:
        return country_code(value, column)
    except RegistryError:
        raise refuse(row, column, "is not a country (an ISO 3166-1 code or a country's name)") from None


def sdgs(row: Row, column: str) -> list[int]:
    """UN SDG numbers from ``09: Industry...;13: Climate Action``, ``4,13,6`` or ``[3, 7]``."""
    goals = []
    value = row.text(column).strip("[]")
    for part in value.split(";") if ";" in value else value.split(","):
        number = part.split(":", 1)[0].strip()
        if not number:
            continue
        if not number.isdigit() or not 1 <= int(number) <= 17:
            raise refuse(row, column, f"names {number!r}, no UN SDG (1-17)")
        goals.append(int(number))
    return sorted(set(goals))


def _strptime(value: str) -> datetime | None:
    for pattern in (*_TIME_FORMATS, *_DATE_FORMATS):
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


def _iso_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
