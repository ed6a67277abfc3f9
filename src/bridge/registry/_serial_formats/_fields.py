"""Field parsing and checks shared by the serial formats.

Every failure is a ``SerialFormatError`` whose ``field`` is the dataclass attribute at fault and whose
message reads "<field> <value as printed> <why>", e.g. "vintage end 31132019 is not a date".

Two kinds of numeric fields:

* numbers (unit range bounds, years, Verra sectoral scope, Kyoto unit types and periods) are ``int``
  and must be printed in canonical decimal: a leading zero is rejected, so printing the int gives the
  text back exactly;
* identifiers made of digits (batch, project, issuance, developer ids, ...) are kept as the text the
  registry printed, so leading zeros survive a round trip.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Collection
from typing import Final

from bridge.registry.errors import SerialFormatError

MIN_YEAR: Final = 1980
"""Earliest vintage year accepted (no credited activity predates it)."""
MAX_YEAR: Final = 2100
"""Latest vintage year accepted."""
MAX_IDENTIFIER_LENGTH: Final = 64
MAX_UNIT_NUMBER: Final = 2**63 - 1
"""Largest unit number a serial may name: registries store unit numbers as signed 64-bit integers."""
MAX_NUMBER_DIGITS: Final = len(str(MAX_UNIT_NUMBER))
"""Longest number a serial may print (longer text is refused before it is converted)."""

_DIGITS: Final = re.compile(r"[0-9]+")
_CANONICAL: Final = re.compile(r"0|[1-9][0-9]*")

_ISO_CODES: Final = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
    XK
"""
ISO_COUNTRIES: Final = frozenset(_ISO_CODES.split())
"""ISO 3166-1 alpha-2 codes, plus XK (Kosovo, user-assigned but used by registries)."""


def label(field: str) -> str:
    """The field's name as a message prints it: ``vintage_end`` -> ``vintage end``."""
    return field.replace("_", " ")


def show(value: object) -> str:
    """A value as the message prints it: text as is, unless empty or padded with whitespace."""
    text = str(value)
    return text if text and text.strip() == text else repr(text)


def malformed(field: str, message: str, **details: object) -> SerialFormatError:
    return SerialFormatError(message, field=field, details=details or None)


def invalid(field: str, value: object, why: str) -> SerialFormatError:
    """``<field> <value> <why>``, e.g. ``start 0400 has a leading zero``."""
    return malformed(field, f"{label(field)} {show(value)} {why}", value=str(value))


# --- text -> value ------------------------------------------------------------------------------


def parse_int(text: str, field: str) -> int:
    """A number printed in canonical decimal (``0`` or no leading zero)."""
    if not _DIGITS.fullmatch(text):
        raise invalid(field, text, "is not a number")
    if not _CANONICAL.fullmatch(text):
        raise invalid(field, text, "has a leading zero")
    if len(text) > MAX_NUMBER_DIGITS:
        raise malformed(
            field, f"{label(field)} has {len(text)} digits, more than {MAX_NUMBER_DIGITS}", digits=len(text)
        )
    return int(text)


def unit_range(start: str, end: str) -> dict[str, int]:
    """A block's first and last unit as its serial prints them (``start`` and ``end`` fields)."""
    return {"start": parse_int(start, "start"), "end": parse_int(end, "end")}


def split_range(text: str) -> tuple[str, str]:
    """The first and last unit of a block printed as ``<start>-<end>``, as printed."""
    start, dash, end = text.partition("-")
    if not dash:
        raise invalid("end", text, "is not a range <start>-<end>")
    return start, end


def parse_ddmmyyyy(text: str, field: str) -> datetime.date:
    """A date printed as DDMMYYYY."""
    if len(text) != 8 or not _DIGITS.fullmatch(text):
        raise invalid(field, text, "is not a date (DDMMYYYY)")
    try:
        return datetime.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise invalid(field, text, "is not a date") from None


def parse_flag(text: str, field: str) -> bool:
    if text not in ("0", "1"):
        raise invalid(field, text, "is not a flag (0 or 1)")
    return text == "1"


def expect(text: str, expected: str, field: str) -> None:
    """A literal field, e.g. ``VCS`` in a Verra serial."""
    if text != expected:
        raise invalid(field, text, f"is not {expected}")


def count_fields(parts: list[str], expected: int, what: str) -> None:
    if len(parts) != expected:
        raise malformed(
            "serial",
            f"serial has {len(parts)} fields; {what} has {expected}",
            fields=len(parts),
        )


# --- value checks (run by every SerialBlock on construction) -------------------------------------


def check_int(value: object, field: str, *, minimum: int, maximum: int | None = None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(field, value, "is not an integer")
    if value < minimum:
        raise invalid(field, value, f"is below {minimum}")
    if maximum is not None and value > maximum:
        raise invalid(field, value, f"is above {maximum}")


def check_year(value: object, field: str) -> None:
    check_int(value, field, minimum=MIN_YEAR, maximum=MAX_YEAR)


def check_date(value: object, field: str) -> None:
    # datetime is a date subclass, but a serial prints only the day: refuse it rather than lose the time
    if type(value) is not datetime.date:
        raise invalid(field, value, "is not a date")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise invalid(field, ddmmyyyy(value), f"is outside the years {MIN_YEAR}-{MAX_YEAR}")


def check_flag(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise invalid(field, value, "is not a flag (True or False)")


def check_text(value: object, field: str, pattern: re.Pattern[str], expected: str) -> None:
    """A text field that must match ``pattern`` (fully); ``expected`` describes the shape."""
    if not isinstance(value, str):
        raise invalid(field, value, "is not text")
    if not value:
        raise malformed(field, f"{label(field)} is empty", value=value)
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise invalid(field, value, f"is longer than {MAX_IDENTIFIER_LENGTH} characters")
    if not pattern.fullmatch(value):
        raise invalid(field, value, f"is not {expected}")


def is_digits(text: str) -> bool:
    """Whether ``text`` is a digits-only identifier a serial can print."""
    return bool(_DIGITS.fullmatch(text)) and len(text) <= MAX_IDENTIFIER_LENGTH


def check_digits(value: object, field: str) -> None:
    check_text(value, field, _DIGITS, "a number")


def check_country(value: object, field: str = "country") -> None:
    if not isinstance(value, str):
        raise invalid(field, value, "is not text")
    if value not in ISO_COUNTRIES:
        raise invalid(field, value, "is not an ISO 3166-1 alpha-2 country code (two uppercase letters)")


def check_choice(value: object, field: str, choices: Collection[object]) -> None:
    if value not in choices:
        allowed = ", ".join(sorted(str(choice) for choice in choices))
        raise invalid(field, value, f"is not one of {allowed}")


def out_of_order(first: str, first_text: str, second: str, second_text: str) -> SerialFormatError:
    """``first`` must not exceed ``second``; blames ``second``: "start 500 > end 400"."""
    return malformed(
        second,
        f"{label(first)} {first_text} > {label(second)} {second_text}",
        **{first: first_text, second: second_text},
    )


def ddmmyyyy(value: datetime.date) -> str:
    return f"{value.day:02d}{value.month:02d}{value.year:04d}"


def derived_number(seed: str, digits: int) -> str:
    """A stable ``digits``-digit number (no leading zero) derived from ``seed``."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    low = 10 ** (digits - 1)
    return str(low + number % (9 * low))
