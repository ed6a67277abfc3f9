"""The crediting programs the registry models, and which serial format each one prints."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class SerialKind(StrEnum):
    """The serial-number formats; several programs may share one (CDM and PACM, the opaque ones)."""

    VERRA = "verra"
    GOLD_STANDARD = "gold_standard"
    ACR = "acr"
    CAR = "car"
    KYOTO = "kyoto"
    PURO = "puro"
    ART = "art"
    CERCARBONO = "cercarbono"
    ISOMETRIC = "isometric"
    OPAQUE = "opaque"


TONNE_DECIMALS: Final = 0
"""``unit_decimals`` of a program counting whole tonnes of CO2e (most programs)."""
KILOGRAM_DECIMALS: Final = 3
"""``unit_decimals`` of a program counting kilograms: one unit is 10**-3 tonne (Isometric)."""


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """A crediting program: its code (as in serials and ``SerialBlock.program``), names and format.

    ``unit_decimals`` says what one registry unit is: 10**-unit_decimals tonne of CO2e (0: a tonne,
    3: a kilogram). A registry quantity is always a whole number of units.
    """

    code: str
    name: str
    unit: str
    registry: str
    kind: SerialKind
    unit_decimals: int = TONNE_DECIMALS


_ALL: Final = (
    ProgramInfo("VCS", "Verified Carbon Standard (Verra)", "VCU", "Verra Registry", SerialKind.VERRA),
    ProgramInfo(
        "GS", "Gold Standard for the Global Goals", "VER", "Gold Standard Impact Registry", SerialKind.GOLD_STANDARD
    ),
    ProgramInfo("ACR", "ACR (American Carbon Registry)", "ERT", "ACR Registry", SerialKind.ACR),
    ProgramInfo("CAR", "Climate Action Reserve", "CRT", "Reserve Registry", SerialKind.CAR),
    ProgramInfo("CDM", "Clean Development Mechanism (Kyoto Protocol)", "CER", "CDM Registry", SerialKind.KYOTO),
    ProgramInfo(
        "PACM",
        "Paris Agreement Crediting Mechanism (Article 6.4)",
        "A6.4ER",
        "Article 6.4 Mechanism Registry",
        SerialKind.KYOTO,
    ),
    ProgramInfo("PURO", "Puro.earth", "CORC", "Puro Registry", SerialKind.PURO),
    ProgramInfo(
        "ART",
        "Architecture for REDD+ Transactions (ART TREES)",
        "TREES credit",
        "ART Registry",
        SerialKind.ART,
    ),
    ProgramInfo("CERCARBONO", "Cercarbono", "CCV", "EcoRegistry (Cercarbono)", SerialKind.CERCARBONO),
    ProgramInfo(
        "ISOMETRIC", "Isometric", "Isometric credit (kg)", "Isometric Registry", SerialKind.ISOMETRIC, KILOGRAM_DECIMALS
    ),
    ProgramInfo(
        "CCER", "China Certified Emission Reduction", "CCER", "National CCER Registration System", SerialKind.OPAQUE
    ),
    ProgramInfo(
        "ACCU",
        "Australian Carbon Credit Unit Scheme",
        "ACCU",
        "Australian National Registry of Emissions Units",
        SerialKind.OPAQUE,
    ),
    ProgramInfo(
        "TVER",
        "Thailand Voluntary Emission Reduction Program (T-VER)",
        "TVER",
        "T-VER Registry (TGO)",
        SerialKind.OPAQUE,
    ),
    ProgramInfo("JCREDIT", "J-Credit Scheme (Japan)", "J-Credit", "J-Credit Registry", SerialKind.OPAQUE),
    ProgramInfo("JCM", "Joint Crediting Mechanism (Japan)", "JCM credit", "JCM Registry", SerialKind.OPAQUE),
    ProgramInfo("ARBOC", "California Compliance Offset Program", "ARBOC", "CITSS", SerialKind.OPAQUE),
    ProgramInfo("PV", "Plan Vivo", "PVC", "Plan Vivo Registry", SerialKind.OPAQUE),
    ProgramInfo("GCC", "Global Carbon Council", "ACC", "GCC Registry", SerialKind.OPAQUE),
)

PROGRAMS: Final = MappingProxyType({info.code: info for info in _ALL})
"""Program code -> ``ProgramInfo``, for every program the registry models."""


def codes_of(kind: SerialKind) -> frozenset[str]:
    """The codes of the programs whose serials have format ``kind``."""
    return frozenset(code for code, info in PROGRAMS.items() if info.kind is kind)
