"""Registry units: what one unit of a program is, and exact conversions from the tonnes registries print.

A program counts whole units of 10**-unit_decimals tonne of CO2e: ``unit_decimals`` 0 is a tonne (most
programs), 3 a kilogram (Isometric). Every registry quantity is a whole number of its program's units;
a value that is not (``12.5`` tonnes of a tonne program, ``2765.3705`` t of a kilogram program) is refused
with a coded error naming its field, never rounded. The bridge mints 10**18 token units per tonne, so
one registry unit is worth ``10**(18 - unit_decimals)`` token units whatever the program.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Final

from bridge.registry.errors import RegistryError, RegistryErrorCode

TOKEN_DECIMALS: Final = 18
"""Decimals of a class token: 10**18 token units per tonne."""
UNIT_NAMES: Final = MappingProxyType({0: "tonne", 3: "kilogram"})
"""The units a program may count, by ``unit_decimals``."""
UNIT_SYMBOLS: Final = MappingProxyType({0: "t", 3: "kg"})


def check_unit_decimals(unit_decimals: object, field: str = "unit_decimals") -> int:
    if isinstance(unit_decimals, bool) or unit_decimals not in UNIT_NAMES:
        known = ", ".join(f"{decimals} ({name})" for decimals, name in UNIT_NAMES.items())
        raise RegistryError(
            f"{field}: {unit_decimals!r} is not a unit the registry counts in; known: {known}",
            code=RegistryErrorCode.INVALID_REQUEST,
            field=field,
        )
    return int(unit_decimals)  # type: ignore[call-overload]


def unit_name(unit_decimals: int) -> str:
    return UNIT_NAMES[check_unit_decimals(unit_decimals)]


def unit_symbol(unit_decimals: int) -> str:
    return UNIT_SYMBOLS[check_unit_decimals(unit_decimals)]


def units_from_tonnes(tonnes: Decimal | str, unit_decimals: int, *, field: str = "quantity") -> int:
    """The exact number of units ``tonnes`` is (``Decimal("2765.37")`` t at 3 decimals: 2765370 units).

    Refuses (``quantity_invalid``, naming ``field``) a value that is no number, negative, or not a whole
    number of units.
    """
    decimals = check_unit_decimals(unit_decimals)
    try:
        value = tonnes if isinstance(tonnes, Decimal) else Decimal(tonnes)
    except InvalidOperation:
        raise _invalid(field, f"{tonnes!r} is not a number of tonnes") from None
    if not value.is_finite() or value < 0:
        raise _invalid(field, f"{tonnes} is not a quantity of tonnes")
    units = value.scaleb(decimals)
    if units != units.to_integral_value():
        smallest = UNIT_NAMES[decimals]
        raise _invalid(field, f"{value} t is not a whole number of {smallest}s: the registry never rounds")
    return int(units)


def tonnes_of(units: int, unit_decimals: int) -> Decimal:
    """``units`` as tonnes, exactly (2765370 units at 3 decimals: ``Decimal("2765.370")``)."""
    return Decimal(units).scaleb(-check_unit_decimals(unit_decimals))


def token_units_per_unit(unit_decimals: int) -> int:
    """Token units (10**18 per tonne) one registry unit is worth: 10**18 for a tonne, 10**15 for a kg."""
    return 10 ** (TOKEN_DECIMALS - check_unit_decimals(unit_decimals))


def _invalid(field: str, message: str) -> RegistryError:
    return RegistryError(f"{field}: {message}", code=RegistryErrorCode.QUANTITY_INVALID, field=field)
