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
    OPAQUE = "opaque"


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """A crediting program: its code (as in serials and ``SerialBlock.program``), names and format."""

    code: str
    name: str
    unit: str
    registry: str
    kind: SerialKind


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
    ProgramInfo("ISOMETRIC", "Isometric", "Isometric credit", "Isometric Registry", SerialKind.OPAQUE),
)

PROGRAMS: Final = MappingProxyType({info.code: info for info in _ALL})
"""Program code -> ``ProgramInfo``, for every program the registry models."""


def codes_of(kind: SerialKind) -> frozenset[str]:
    """The codes of the programs whose serials have format ``kind``."""
    return frozenset(code for code, info in PROGRAMS.items() if info.kind is kind)
