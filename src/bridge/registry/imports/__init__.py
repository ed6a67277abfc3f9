"""Importing the registries' own exports: ``Importer`` (``core``), one module per registry's formats
(``formats``), the CSV quirks (``table``) and cell values (``cells``) they share, and the report."""

from bridge.registry.imports.core import Importer, RegistryPort, request_id
from bridge.registry.imports.formats import FORMATS, ExportFormat, detect, format_named
from bridge.registry.imports.report import FileReport, ImportReport, RowRefusal

__all__ = [
    "FORMATS",
    "ExportFormat",
    "FileReport",
    "ImportReport",
    "Importer",
    "RegistryPort",
    "RowRefusal",
    "detect",
    "format_named",
    "request_id",
]
