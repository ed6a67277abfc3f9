"""The importer: a registry's export, row by row, into the simulated registry through its own operations.

Every change goes through the registry's operations as the registry operator (in this process on a
``Registry``, or over HTTP with a ``RegistryClient`` holding the operator's key), so the journal records it
and the ledger's rules apply. A row becomes, in order: its program and project when the registry lacks them
(a project is made from the first row that names it), an account for whoever holds the units (one per
account holder or developer the export names; ``to_account`` overrides), the issuance of its units -- with
the registry's own serial where the export gives one -- and what became of them (retired, cancelled, put in
the buffer pool), with the export's dates, beneficiaries and reasons.

Idempotent: each change carries a request id derived from the request it makes (a digest of its fields),
so importing a file again changes nothing and reports its rows as unchanged. A row whose retired units are
already in the registry (another export issued them) retires them where they are. Nothing is dropped
silently: each row is imported, unchanged, or refused naming its row, column, code and message; each
operation is atomic, and a row refused part way is completed by importing it again once the cause is fixed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from bridge.registry.errors import ImportRefusal, RegistryError, RegistryErrorCode
from bridge.registry.imports.formats import ExportFormat, RowRecords, detect, format_named
from bridge.registry.imports.formats.base import label_text
from bridge.registry.imports.report import FileReport, ImportReport, RowRefusal
from bridge.registry.imports.table import read_table
from bridge.registry.schemas import AccountPublic, JournalCheckpoint, ProgramPublic, ProjectPublic

Progress = Callable[[int, int], None]
"""Called with (rows done, rows in the file) as an import goes."""


class RegistryPort(Protocol):
    """What the importer asks of the registry: ``Registry`` (acting as its operator) and ``RegistryClient``
    (with the operator's key) both answer it."""

    def journal_head(self) -> JournalCheckpoint: ...
    def get_program(self, code: str) -> ProgramPublic: ...
    def get_project(self, *, program: str, project_id: str) -> ProjectPublic: ...
    def list_accounts(self, **filters: Any) -> list[AccountPublic]: ...

    create_program: Any
    create_project: Any
    create_account: Any
    issue: Any
    retire: Any
    cancel: Any
    move_to_buffer: Any


def request_id(kind: str, request: dict[str, Any]) -> str:
    """A deterministic idempotency key for one change an import makes: a digest of the whole request, so the
    same row makes the same key, and a row that says something else about the same units another one (which
    the ledger then judges: units already issued, already retired)."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return f"import:{kind}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"


class Importer:
    """Imports export files into ``registry``; ``to_account``: the holding account receiving every imported
    issuance (default: one account per holder the export names)."""

    def __init__(self, registry: RegistryPort, *, to_account: int | None = None) -> None:
        self.registry = registry
        self.to_account = to_account
        self._projects: set[tuple[str, str]] = set()
        self._accounts: dict[str, int] = {}
        self._programs: dict[str, ProgramPublic] = {}

    def import_files(
        self, paths: list[str | Path], *, format_name: str | None = None, progress: Progress | None = None
    ) -> ImportReport:
        return ImportReport(files=[self.import_file(p, format_name=format_name, progress=progress) for p in paths])

    def import_file(
        self, path: str | Path, *, format_name: str | None = None, progress: Progress | None = None
    ) -> FileReport:
        """Import one export file (its format recognised by its header, unless ``format_name`` is given)."""
        table = export = None
        try:
            table = read_table(path)
            export = detect(table.header) if format_name is None else format_named(format_name, table.header)
            self._program(export)
        except RegistryError as exc:
            return FileReport(
                file=str(path),
                format=None if export is None else export.name,
                rows=0 if table is None else len(table.rows),
                imported=0,
                unchanged=0,
                refused=[RowRefusal(row=0, column=exc.field, code=str(exc.code), message=exc.message)],
                units_imported=0,
            )
        start = self.registry.journal_head().seq
        imported = unchanged = units = 0
        refused: list[RowRefusal] = []
        for done, row in enumerate(table.rows, start=1):
            try:
                records = export.read(row)
                changed = self._apply(export, records, start)
            except RegistryError as exc:
                column = exc.field if isinstance(exc, ImportRefusal) else export.column_of(_request_field(exc.field))
                refused.append(RowRefusal(row=row.number, column=column, code=str(exc.code), message=exc.message))
            else:
                if changed:
                    imported += 1
                    units += records.units
                else:
                    unchanged += 1
            if progress is not None:
                progress(done, len(table.rows))
        return FileReport(
            file=str(path),
            format=export.name,
            rows=len(table.rows),
            imported=imported,
            unchanged=unchanged,
            refused=refused,
            units_imported=units,
        )

    # --- one row -------------------------------------------------------------------------------------

    def _apply(self, export: ExportFormat, records: RowRecords, start: int) -> bool:
        """Apply one row's records; whether anything changed (False: every change was made before)."""
        changed = self._project(records.project)
        program, project_id = records.project["program"], records.project["project_id"]
        if records.issuance is not None:
            fields = dict(records.issuance)
            account, made = self._account(records.holder or export.default_holder)
            changed |= made
            request = {"program": program, "project_id": project_id, "to_account": account, **fields}
            try:
                issued = self.registry.issue(**request, request_id=request_id("issue", request))
                changed |= issued.seq > start
            except RegistryError as exc:
                # units another export issued already: what became of them is still this row's to record
                if records.action is None or exc.code is not RegistryErrorCode.OVERLAPPING_BLOCK:
                    raise
        if records.action is not None:
            action = records.action
            request = {"serial": action.serial, **action.fields}
            result = getattr(self.registry, action.operation)(
                **request, request_id=request_id(action.operation, request)
            )
            changed |= result.seq > start
        return changed

    def _program(self, export: ExportFormat) -> None:
        code = export.program.code
        if code in self._programs:
            return
        try:
            program = self.registry.get_program(code)
        except RegistryError as exc:
            if exc.code is not RegistryErrorCode.UNKNOWN_PROGRAM:
                raise
            fields = export.program.create_fields()
            program = self.registry.create_program(**fields, request_id=request_id("program", fields))
        if program.unit_decimals != export.program.unit_decimals:
            raise ImportRefusal(
                f"program {code} counts units of 10^-{program.unit_decimals} t here; the {export.name} export "
                f"counts units of 10^-{export.program.unit_decimals} t",
                code=RegistryErrorCode.QUANTITY_INVALID,
                field=export.quantity_column,
            )
        self._programs[code] = program

    def _project(self, fields: dict[str, Any]) -> bool:
        key = (fields["program"], fields["project_id"])
        if key in self._projects:
            return False
        try:
            self.registry.get_project(program=key[0], project_id=key[1])
            made = False
        except RegistryError as exc:
            if exc.code is not RegistryErrorCode.UNKNOWN_PROJECT:
                raise
            self.registry.create_project(**fields, request_id=request_id("project", fields))
            made = True
        self._projects.add(key)
        return made

    def _account(self, holder: str) -> tuple[int, bool]:
        """The holding account of ``holder`` (made when missing), and whether it was made now."""
        if self.to_account is not None:
            return self.to_account, False
        owner = label_text(holder, 200) or holder
        if owner in self._accounts:
            return self._accounts[owner], False
        found = [
            account.id
            for account in self.registry.list_accounts(owner=owner, kind="holding", status="open")
            if account.owner == owner
        ]
        made = not found
        if made:
            fields = {"kind": "holding", "owner": owner}
            account_id = self.registry.create_account(**fields, request_id=request_id("account", fields)).id
        else:
            account_id = min(found)
        self._accounts[owner] = account_id
        return account_id, made


def _request_field(field: str | None) -> str | None:
    """A refused request field as the registry names it (the HTTP API prefixes its location)."""
    if field is None:
        return None
    for prefix in ("body.", "query.", "path."):
        field = field.removeprefix(prefix)
    return field
