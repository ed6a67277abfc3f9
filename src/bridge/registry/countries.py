"""Host countries as registries write them -> ISO 3166-1 alpha-2, through ``pycountry``.

Registries print ISO-2 (``KE``), ISO-3 (``USA``) or names in any case and spelling (``Kenya``,
``COTE D'IVOIRE``, ``United States of America``, ``Viet Nam``). ``country_code`` reads all of them
without guessing: a name must be one of the country's ISO names (official, common or short) or a
spelling registries use that ``ALIASES`` lists, compared without case, accents or punctuation. Anything
else is refused naming the field; nothing is matched fuzzily.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from types import MappingProxyType
from typing import Final

import pycountry

from bridge.registry._serial_formats._fields import ISO_COUNTRIES
from bridge.registry.errors import RegistryError, RegistryErrorCode

ALIASES: Final = MappingProxyType(
    {
        "turkey": "TR",
        "ivory coast": "CI",
        "democratic republic of the congo": "CD",
        "democratic republic of congo": "CD",
        "dr congo": "CD",
        "drc": "CD",
        "congo democratic republic of the": "CD",
        "republic of the congo": "CG",
        "congo republic of the": "CG",
        "republic of korea": "KR",
        "south korea": "KR",
        "north korea": "KP",
        "laos": "LA",
        "lao pdr": "LA",
        "russia": "RU",
        "cape verde": "CV",
        "swaziland": "SZ",
        "macedonia": "MK",
        "burma": "MM",
        "east timor": "TL",
        "the gambia": "GM",
        "the bahamas": "BS",
        "micronesia": "FM",
        "united states": "US",
        "uk": "GB",
        "great britain": "GB",
        "czech republic": "CZ",
        "vatican": "VA",
        "palestine": "PS",
        "kosovo": "XK",
        "xkx": "XK",
    }
)
"""Spellings registries use that are none of the country's ISO names (normalised as ``_normal`` does)."""

UNKNOWN_COUNTRY: Final = "ZZ"
"""ISO 3166-1's user-assigned code for an unknown country: a project whose registry names no country
(Cercarbono's export has no country column) is recorded in ``ZZ``."""
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")


def _normal(text: str) -> str:
    """Lowercase ASCII words: ``Côte d'Ivoire`` and ``COTE D'IVOIRE`` both read ``cote d ivoire``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub(" ", plain.replace("&", " and ")).strip()


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                index[_normal(value)] = country.alpha_2
    index.update(ALIASES)
    return index


def country_code(value: str, field: str = "host_country") -> str:
    """The ISO 3166-1 alpha-2 code of ``value`` (an ISO-2 or ISO-3 code or a country's name; ``ZZ``: unknown)."""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) == 2 and text.upper() in ISO_COUNTRIES | {UNKNOWN_COUNTRY} and (text.isupper() or text.islower()):
        return text.upper()
    code = _index().get(_normal(text)) if text else None
    if code is None:
        raise RegistryError(
            f"{field}: {value!r} is not a country (an ISO 3166-1 code or a country's name)",
            code=RegistryErrorCode.INVALID_REQUEST,
            field=field,
        )
    return code


def subdivision_code(name: str, country: str) -> str | None:
    """The code of ``country``'s subdivision called ``name`` without its country prefix (``ILLINOIS`` in the
    US: ``IL``), or None when ``name`` is none of its ISO 3166-2 subdivisions."""
    wanted = _normal(name)
    for subdivision in pycountry.subdivisions.get(country_code=country) or ():
        if _normal(subdivision.name) == wanted:
            return str(subdivision.code).split("-", 1)[1]
    return None
