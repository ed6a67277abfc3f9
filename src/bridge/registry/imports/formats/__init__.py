"""The registry exports the importer reads, one module per registry, and telling them apart by header."""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

from bridge.registry.errors import ImportRefusal, RegistryErrorCode
from bridge.registry.imports.formats import acr, art, car, cercarbono, gold_standard, isometric, verra
from bridge.registry.imports.formats.base import Column, ExportFormat, ProgramDefaults
from bridge.registry.imports.formats.records import Action, RowRecords

__all__ = ["FORMATS", "Action", "Column", "ExportFormat", "ProgramDefaults", "RowRecords", "detect", "format_named"]

FORMATS: Final = MappingProxyType(
    {
        export.name: export
        for export in (
            verra.PROJECTS,
            verra.TRANSACTIONS,
            gold_standard.PROJECTS,
            gold_standard.ISSUANCES,
            gold_standard.RETIREMENTS,
            acr.ISSUANCES,
            acr.RETIREMENTS,
            acr.CANCELLATIONS,
            car.ISSUANCES,
            car.RETIREMENTS,
            art.ISSUANCES,
            art.RETIREMENTS,
            cercarbono.ISSUANCES,
            isometric.ISSUANCES,
        )
    }
)
"""Every export format by name (``verra-transactions``, ``gs-retirements``, ...)."""


def detect(header: Iterable[str]) -> ExportFormat:
    """The format whose identifying columns the header has (the most specific one when several do)."""
    columns = set(header)
    matching = [export for export in FORMATS.values() if export.signature <= columns]
    if not matching:
        raise ImportRefusal(
            f"the header is none of the exports the importer reads ({', '.join(FORMATS)})",
            code=RegistryErrorCode.IMPORT_UNKNOWN_FORMAT,
            field="format",
        )
    return max(matching, key=lambda export: len(export.signature))


def format_named(name: str, header: Iterable[str]) -> ExportFormat:
    """The format called ``name``, if the header has its identifying columns."""
    export = FORMATS.get(name.strip().lower())
    if export is None:
        raise ImportRefusal(
            f"{name!r} is no export format the importer reads ({', '.join(FORMATS)})",
            code=RegistryErrorCode.IMPORT_UNKNOWN_FORMAT,
            field="format",
        )
    missing = sorted(export.signature - set(header))
    if missing:
        raise ImportRefusal(
            f"the file is not a {export.name} export: it lacks {', '.join(missing)}",
            code=RegistryErrorCode.IMPORT_MISSING_COLUMNS,
            field=missing[0],
        )
    return export
