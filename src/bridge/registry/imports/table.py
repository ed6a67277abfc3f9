"""A registry's CSV export as a header and rows, with the quirks real exports have.

Read as UTF-8 (a byte-order mark is dropped; a file that is not UTF-8 is read as Windows-1252, the other
encoding spreadsheet exports use). Cells may hold quoted commas and line breaks. Column names are compared
with their whitespace trimmed and collapsed (``Program  Country`` is ``Program Country``). Columns a
spreadsheet tool added (``Unnamed: 31``) or with no name are dropped, and so are the empty cells past the
header that such tools leave at the end of a row; a row with text past the header is kept and reports it
(``overflow``). Rows with no text at all are skipped. Rows are numbered 1, 2, ... after the header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bridge.registry.errors import ImportRefusal, RegistryErrorCode

_SPREADSHEET_INDEX: Final = re.compile(r"Unnamed: \d+")
_SPACES: Final = re.compile(r"\s+")
csv.field_size_limit(2**24)  # descriptions of several MB in one cell still read


def column_name(text: str) -> str:
    """A header cell as columns are compared: trimmed, inner whitespace collapsed to one space."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Row:
    """One data row: its number (1 for the first row after the header) and its cells by column name."""

    number: int
    cells: Mapping[str, str]
    overflow: tuple[str, ...] = ()

    def text(self, column: str) -> str:
        """The cell's text, trimmed (``""`` for an empty cell or a column the file lacks)."""
        return self.cells.get(column, "").strip()


@dataclass(frozen=True)
class Table:
    path: str
    header: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)


def read_table(path: str | Path) -> Table:
    """The table in the CSV file at ``path``; ``import_unreadable`` when it is no CSV text."""
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRefusal(
            f"{path} is not CSV: {exc}", code=RegistryErrorCode.IMPORT_UNREADABLE, field="file"
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportRefusal(f"{path} has no header row", code=RegistryErrorCode.IMPORT_UNREADABLE, field="file")
    names = [column_name(cell) for cell in records[0]]
    kept = [index for index, name in enumerate(names) if name and not _SPREADSHEET_INDEX.fullmatch(name)]
    header = tuple(names[index] for index in kept)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportRefusal(
            f"{path} names columns twice: {', '.join(repeated)}",
            code=RegistryErrorCode.IMPORT_UNREADABLE,
            field=repeated[0],
        )
    rows: list[Row] = []
    for record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        cells = {names[index]: record[index] for index in kept if index < len(record)}
        dropped = set(range(len(names))) - set(kept)
        overflow = tuple(
            cell for index, cell in enumerate(record) if cell.strip() and (index >= len(names) or index in dropped)
        )
        rows.append(Row(number=len(rows) + 1, cells=cells, overflow=overflow))
    return Table(path=str(path), header=header, rows=rows)


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportRefusal(
            f"{path} cannot be read: {exc.strerror or exc}", code=RegistryErrorCode.IMPORT_UNREADABLE, field="file"
        ) from None
