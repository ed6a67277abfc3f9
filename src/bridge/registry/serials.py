"""Serial numbers: text that names a block of consecutive units [start, end] of one issuance.

``parse(text)`` reads a serial of any modelled program (detecting the program when not given) into a
``SerialBlock`` subclass; ``format(block)`` prints it back, and ``format(parse(s)) == s`` for every
valid ``s``; ``make_serial(...)`` builds the block the ledger issues. Every malformed serial raises
``SerialFormatError`` (code ``serial_malformed``, or ``unknown_program``) whose ``field`` names the
field at fault and whose message says why, e.g. "vintage end 31132019 is not a date".

Formats, one class each (field meanings in the class's module under ``_serial_formats``)::

    VCS          7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1   VerraSerial
    VCS (older)  7201-40000001-40000500-VCU-263-MER-ID-14-1477-01012019-31122019-1       VerraSerial
    GS           GS1-1-UG-GS2211-7-2021-18830-1001-3500                                  GoldStandardSerial
    GS (CERs)    RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014                       GoldStandardCERSerial
    ACR          ACR-US-412-2019-1203-1 to 2500                                          ACRSerial
    ART          ART-GY-102-2019-3-2500001 to 2600000, FCPF-CI-130-2023-20-1 to 46404    ARTSerial
    CAR          CAR-1-US-1021-6-340-CA-2018-5521-100001 to 104000 (unit type 1 or ROC)  CARSerial
    CDM          CN-5-0-1001-2000-2-2-1234                                               CDMSerial
                 (party, unit type, suppl. unit type, start, end, original CP, applicable CP, project)
    PACM         PACM-BR-5-0-1-5000-1-1-17  (PACM- then the CDM elements)                CDMSerial
    PURO         PURO_PR_CORC100+_FI_<facility>_2023_<issuance uuid>_1-500               PuroSerial
    CERCARBONO   CDC_1_1_1_321_14_1 (a whole batch), CDC_1_1_1_321_14_1:1-500 (a part)   CercarbonoSerial
    ISOMETRIC    iss_1KP6EDZ8K1S036PY (a whole issuance), iss_1KP6EDZ8K1S036PY:1-500     IsometricSerial
    others       CCER-2024-000731-1-5000  (<PROGRAM>-<block id>-<start>-<end>)           OpaqueSerial

Conventions:

* Numbers (range bounds, years, Verra scope, Kyoto types and periods) are ints and must be printed
  without leading zeros (``start 0400 has a leading zero``); identifiers made of digits (batch,
  project, issuance ids, ...) are kept as printed text, leading zeros included. Both make the
  round trip exact. Unit numbers are at most ``2**63 - 1`` (registries store them as 64-bit
  integers): a serial naming larger ones is malformed, whatever its program.
* Splitting: ``block.split(n)`` gives the operated part the LOWEST ``n`` unit numbers and moves the
  remainder's start up: retiring 300 of 1-10000 yields 1-300 (retired) and 301-10000 (held); the
  parts never overlap, cover the block exactly, and keep every other field (``issuance_ref``,
  ``unit_space``).
* ``unit_space`` is where unit numbers are unique: the program code (VCS, CDM, PACM, opaque programs),
  or one issuance where the registry numbers every issuance from 1 (GS, ACR, ART, CAR:
  ``<program>:<issuance_ref>``; Puro: ``PURO:<uuid>``; batch serials: ``<program>:<batch>``); Gold
  Standard CERs are numbered per originating party (``GS:CER:<party>``).
* Batch serials (Cercarbono, Isometric) name a batch, not units: the bare id is the whole batch and its
  size is not printed (``parse(text, quantity=N)`` gives it); parts print ``<batch>:<start>-<end>`` over
  the batch's derived unit numbers 1..quantity (``_serial_formats/batch.py``).
* Programs whose serial has only a vintage year report Jan 1 - Dec 31 of it; CDM/PACM, Gold Standard
  CER, batch and opaque serials have no vintage (None), opaque and batch serials no project or country.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Final

from bridge.registry._serial_formats import _fields as f
from bridge.registry._serial_formats.acr import ART_TAGS, ACRSerial, ARTSerial
from bridge.registry._serial_formats.base import IssueSpec, SerialBlock, project_number
from bridge.registry._serial_formats.batch import BatchSerial, CercarbonoSerial, IsometricSerial
from bridge.registry._serial_formats.car import CARSerial
from bridge.registry._serial_formats.gold_standard import GoldStandardSerial
from bridge.registry._serial_formats.gold_standard_cer import SEPARATOR as CER_SEPARATOR
from bridge.registry._serial_formats.gold_standard_cer import GoldStandardCERSerial
from bridge.registry._serial_formats.kyoto import CDMSerial
from bridge.registry._serial_formats.opaque import LEGACY_OPAQUE, OpaqueSerial
from bridge.registry._serial_formats.programs import (
    KILOGRAM_DECIMALS,
    PROGRAMS,
    TONNE_DECIMALS,
    ProgramInfo,
    SerialKind,
    codes_of,
)
from bridge.registry._serial_formats.puro import PuroSerial
from bridge.registry._serial_formats.verra import VerraSerial
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError

__all__ = [
    "KILOGRAM_DECIMALS",
    "PROGRAMS",
    "TONNE_DECIMALS",
    "ACRSerial",
    "ARTSerial",
    "BatchSerial",
    "CARSerial",
    "CDMSerial",
    "CercarbonoSerial",
    "GoldStandardCERSerial",
    "GoldStandardSerial",
    "IsometricSerial",
    "OpaqueSerial",
    "ProgramInfo",
    "PuroSerial",
    "SerialBlock",
    "SerialKind",
    "VerraSerial",
    "detect_program",
    "format",
    "format_serial",
    "make_serial",
    "parse",
    "program_info",
    "project_number",
]

SERIAL_CLASSES: Final[dict[SerialKind, type[SerialBlock]]] = {
    SerialKind.VERRA: VerraSerial,
    SerialKind.GOLD_STANDARD: GoldStandardSerial,
    SerialKind.ACR: ACRSerial,
    SerialKind.CAR: CARSerial,
    SerialKind.KYOTO: CDMSerial,
    SerialKind.PURO: PuroSerial,
    SerialKind.ART: ARTSerial,
    SerialKind.CERCARBONO: CercarbonoSerial,
    SerialKind.ISOMETRIC: IsometricSerial,
    SerialKind.OPAQUE: OpaqueSerial,
}

_TAGGED: Final = frozenset({"ACR", "CAR", "PACM"}) | codes_of(SerialKind.OPAQUE) | LEGACY_OPAQUE
"""Programs whose serial starts with ``<CODE>-``."""
_PREFIXES: Final = (("PURO_", "PURO"), ("CDC_", "CERCARBONO"), ("iss_", "ISOMETRIC"))
"""Programs whose serial starts with ``<prefix>`` (no dash)."""


def program_info(program: str) -> ProgramInfo:
    """The program with code ``program`` (case-insensitive); ``unknown_program`` otherwise."""
    info = PROGRAMS.get(program.upper()) if isinstance(program, str) else None
    if info is None:
        raise SerialFormatError(
            f"program {f.show(program)} is not one the registry models ({', '.join(PROGRAMS)})",
            code=RegistryErrorCode.UNKNOWN_PROGRAM,
            field="program",
        )
    return info


def _guess_program(text: str) -> str | None:
    for prefix, program in _PREFIXES:
        if text.startswith(prefix):
            return program
    if text.startswith("GS") and text[2:3].isdecimal():
        return "GS"
    head = text.partition("-")[0]
    if head in _TAGGED:
        return head
    if head in ART_TAGS:
        return "ART"
    if head.isascii() and head.isdecimal():
        return "VCS"
    if head in f.ISO_COUNTRIES:
        return "GS" if CER_SEPARATOR in text else "CDM"
    return None


def _serial_class(info: ProgramInfo, text: str) -> type[SerialBlock]:
    """The format class that reads ``text`` as a serial of ``info``'s program."""
    if info.code in LEGACY_OPAQUE and text.startswith(f"{info.code}-"):
        return OpaqueSerial
    if info.kind is SerialKind.GOLD_STANDARD and CER_SEPARATOR in text:
        return GoldStandardCERSerial
    return SERIAL_CLASSES[info.kind]


def detect_program(text: str) -> str:
    """The program code of serial ``text``, from its shape alone (the serial is not validated)."""
    program = _guess_program(text)
    if program is None:
        raise SerialFormatError(
            f"serial {f.show(text)} has the shape of no program's serial",
            code=RegistryErrorCode.UNKNOWN_PROGRAM,
            field="program",
        )
    return program


def parse(text: str, program: str | None = None, *, quantity: int | None = None) -> SerialBlock:
    """Read serial ``text`` of ``program`` (detected from the text when None).

    ``quantity``: how many units the serial names, when known (an export's quantity column). A bare
    batch serial (Cercarbono, Isometric) takes its size from it; any other serial must name exactly that
    many units (``quantity_invalid`` otherwise). Raises ``SerialFormatError`` naming the field at fault.
    """
    if not isinstance(text, str):
        raise f.invalid("serial", text, "is not text")
    if not text:
        raise f.malformed("serial", "serial is empty")
    if text.strip() != text:
        raise f.invalid("serial", text, "has leading or trailing whitespace")
    if program is None:
        info = PROGRAMS[detect_program(text)]
    else:
        info = program_info(program)
        guessed = _guess_program(text)
        if guessed is not None and guessed != info.code:
            raise f.invalid("program", info.code, f"does not match the serial, which reads as a serial of {guessed}")
    cls = _serial_class(info, text)
    block = cls(program=info.code, **cls._parse_fields(text, info.code))
    if quantity is None:
        return block
    if isinstance(block, BatchSerial) and block.whole:
        return block.sized(quantity)
    if block.quantity != quantity:
        raise RegistryError(
            f"quantity {quantity} is not the {block.quantity} units serial {text} names",
            code=RegistryErrorCode.QUANTITY_INVALID,
            field="quantity",
        )
    return block


# Shadows the builtin on purpose (the contract names it ``format``): this module uses f-strings only.
def format(block: SerialBlock) -> str:
    """The serial text of ``block``, exactly as its registry prints it."""
    if not isinstance(block, SerialBlock):
        raise TypeError(f"format() takes a SerialBlock, not {type(block).__name__}")
    return str(block)


format_serial = format
"""Alias of ``format`` for callers that keep the builtin ``format`` in scope."""


def make_serial(
    program: str,
    *,
    start: int,
    end: int,
    project_id: str,
    country: str,
    vintage_start: datetime.date,
    vintage_end: datetime.date,
    ledger_issuance_id: str,
    program_fields: Mapping[str, str] | None = None,
) -> SerialBlock:
    """The block the ledger issues: units ``start``..``end`` of ``program`` for one issuance.

    ``program_fields`` set a format's own fields by attribute name (e.g. Verra ``sectoral_scope``,
    ``type_code``, ``form="12"``; Gold Standard ``issuance_id`` (the registry's issuance number) or
    ``form="cer"``; CAR ``state``, ``developer_id``, ``unit_type``; Puro ``facility``; ``vintage``, the
    serial's year when the vintage period spans two years); unknown names are refused. They are a mapping,
    not keyword arguments, so a field may share a name with an argument here.

    Defaults: batch / issuance numbers are ``ledger_issuance_id`` when it is digits, else a stable number
    derived from it; Puro's issuance uuid is ``ledger_issuance_id`` when it is a uuid, else a uuid5 of it;
    Puro's facility is the project id; CAR's state is CA for the US, else the country code; CAR's developer
    id is derived from the project id; batch ids are derived from ``ledger_issuance_id``. A program code
    prefix on ``project_id`` is dropped (``VCS1477`` -> ``1477``). Serials without a vintage, project or
    country simply do not carry the given ones.
    """
    info = program_info(program)
    fields = dict(program_fields or {})
    spec = IssueSpec(
        program=info.code,
        project_id=project_id,
        country=country,
        vintage_start=vintage_start,
        vintage_end=vintage_end,
        ledger_issuance_id=ledger_issuance_id,
        extra=fields,
    )
    cls = SERIAL_CLASSES[info.kind]
    if info.kind is SerialKind.GOLD_STANDARD:
        form = spec.take("form", "ver")
        f.check_choice(form, "form", ("ver", "cer"))
        cls = GoldStandardCERSerial if form == "cer" else GoldStandardSerial
    made = cls._make_fields(spec)
    spec.finish()
    return cls(program=info.code, start=start, end=end, **made)
