"""What an import reports, per file: rows imported, unchanged and refused (each with its row, column, code
and message), and the units imported in the program's own unit. ``carbon-bridge registry import --json``
prints ``ImportReport``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RowRefusal(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int = Field(description="the data row (1: the first row after the header; 0: the file itself)")
    column: str | None = Field(description="the export's column at fault, when one is")
    code: str
    message: str


class FileReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    format: str | None = Field(description="the export format the header was read as (None: not recognised)")
    rows: int = Field(description="data rows in the file")
    imported: int = Field(description="rows that changed the registry")
    unchanged: int = Field(description="rows the registry already held (an earlier import)")
    refused: list[RowRefusal]
    units_imported: int = Field(description="units of the imported rows, in the program's own unit (kg: Isometric)")


class ImportReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    files: list[FileReport]

    @property
    def refused(self) -> int:
        return sum(len(report.refused) for report in self.files)
