"""Rows as registries write them, good and bad: the quirks an import reads through, and the refusals that
name a row's column and code while the file's other rows import."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api_factories import PREFIX, serving
from bridge.registry.auth import issue_api_key
from bridge.registry.client import HttpRegistryClient
from bridge.registry.errors import RegistryErrorCode as C
from bridge.registry.imports import Importer
from bridge.registry.ledger import Registry
from registry_factories import TickingClock

EXPORTS = Path(__file__).parent / "data" / "exports"
VERRA_SERIAL = "19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1"
GS_ISSUED = "GS1-1-UG-GS11236-16-2024-30307-1-19149"


@pytest.fixture
def importing(new_registry: Callable[..., Registry]) -> Registry:
    return new_registry(clock=TickingClock(datetime(2026, 6, 1, tzinfo=UTC)))


def header_of(sample: str) -> list[str]:
    with (EXPORTS / sample).open(encoding="utf-8-sig", newline="") as source:
        return next(csv.reader(source))


def write(path: Path, header: list[str], rows: list[dict[str, str]], *, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as target:
        writer = csv.writer(target, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column.strip(), "") for column in header])
    return path


def verra_row(**changes: str) -> dict[str, str]:
    row = {
        "Issuance Date": "2026-04-03",
        "Vintage Start": "2020-01-01",
        "Vintage End": "2020-12-31",
        "ID": "1340",
        "Name": "Bale Mountains Eco-region REDD+ project",
        "Country/Area": "Ethiopia",
        "Project Type": "Agriculture Forestry and Other Land Use",
        "Methodology": "VM0015",
        "Total Vintage Quantity": "1,454,054",
        "Quantity Issued": "425",
        "Serial Number": VERRA_SERIAL,
    }
    return {**row, **changes}


def gs_row(**changes: str) -> dict[str, str]:
    row = {
        "Vintage": "2024",
        "Credit Status": "Issued",
        "Quantity": "19,149",
        "GSID": "11236",
        "Project Name": "BioLite Improved Cook stoves Programme - CPA 028",
        "Project Developer": "BioLite Inc.",
        "Country": "Uganda",
        "Project Type": "Energy Efficiency - Domestic",
        "Programme of Activities": "VPA",
        "POA GSID": "11191.0",
        "Product Type": "VER",
        "Issuance Date": "2026-04-13T12:35:58.842275",
        "Monitoring Period Start": "2024-01-01",
        "Monitoring Period End": "2024-12-08",
        "Serial Number": GS_ISSUED,
        "Label": "Emission Reduction",
        "Article Six Authorization": "Not Applicable",
    }
    return {**row, **changes}


def test_the_quirks_of_real_exports_are_read_through(importing: Registry, tmp_path: Path) -> None:
    """A byte-order mark, CRLF lines, a quoted multi-line cell, thousands separators, a spreadsheet's
    "Unnamed" column, trailing empty cells, a blank line, and whitespace around column names."""
    header = [f" {name} " if name == "Credit Status" else name for name in header_of("gold-standard/issuances.csv")]
    header += ["Unnamed: 18", ""]
    second = gs_row(
        Quantity="2,497",
        GSID="11235",
        **{"Serial Number": "GS1-1-UG-GS11235-16-2024-30306-1-2497", "Project Name": "CPA 022\nsupported by Korea"},
    )
    path = write(tmp_path / "gs.csv", header, [gs_row(), {}, second], bom=True)
    report = Importer(importing).import_file(path)
    assert (report.format, report.rows, report.imported, report.refused) == ("gs-issuances", 2, 2, [])
    assert report.units_imported == 19_149 + 2_497
    assert importing.get_project(program="GS", project_id="11235").name == "CPA 022\nsupported by Korea"
    issuance = importing.get_credit(GS_ISSUED).issuance
    assert issuance.source_fields["Credit Status"] == "Issued"
    assert "Unnamed: 18" not in issuance.source_fields


def test_bad_rows_are_refused_naming_row_column_and_code_and_the_rest_import(
    importing: Registry, tmp_path: Path
) -> None:
    rows = [
        verra_row(),
        verra_row(**{"Quantity Issued": "12.5"}),
        verra_row(**{"Country/Area": "Narnia"}),
        verra_row(**{"Serial Number": VERRA_SERIAL.replace("-VCU-", "-VCX-")}),
        verra_row(**{"Serial Number": ""}),
        verra_row(**{"Quantity Issued": "426"}),
        verra_row(**{"Issuance Date": "31/31/2026"}),
        verra_row(**{"Serial Number": VERRA_SERIAL.replace("-ET-", "-KE-")}),
        verra_row(**{"Retirement/Cancellation Date": "2026-04-10", "Quantity Issued": "1,000"}),
    ]
    path = write(tmp_path / "verra.csv", header_of("verra/transactions.csv"), rows)
    before = importing.journal_head()
    report = Importer(importing).import_file(path)
    assert (report.rows, report.imported, report.units_imported) == (9, 1, 425)
    found = [(r.row, r.column, r.code) for r in report.refused]
    assert found == [
        (2, "Quantity Issued", C.QUANTITY_INVALID),
        (3, "Country/Area", C.CELL_INVALID),
        (4, "Serial Number", C.SERIAL_MALFORMED),
        (5, "Serial Number", C.CELL_EMPTY),
        (6, "Quantity Issued", C.QUANTITY_INVALID),
        (7, "Issuance Date", C.CELL_INVALID),
        (8, "Serial Number", C.INVALID_REQUEST),
        (9, "Quantity Issued", C.QUANTITY_INVALID),
    ]
    assert "12.5 t is not a whole number of tonnes" in report.refused[0].message
    assert importing.journal_head().seq > before.seq
    assert len(importing.list_issuances(program="VCS")) == 1


def test_kilograms_that_are_not_the_tonnes_column_or_not_whole_are_refused(importing: Registry, tmp_path: Path) -> None:
    header = header_of("isometric/issuances.csv")
    base = {
        "id": "iss_1KP6EDZ8K1S036PY",
        "issued_at": "2026-04-14T16:50:41.621676Z",
        "project_id": "prj_1JYCV03BW1S0RTE5",
        "supplier.organisation.name": "Alt Carbon",
        "credit_batch_size_total.credits": "2765.37",
        "credit_batch_size_total.credit_kgs": "2765370",
        "supplier.location.country_code": "IND",
    }
    rows = [
        base,
        {**base, "id": "iss_1KNWQGW3W1S00T4H", "credit_batch_size_total.credits": "2765.3705"},
        {**base, "id": "iss_1KN4715T51S0BCKZ", "credit_batch_size_total.credits": "2765.371"},
        {**base, "id": "iss_1KN4715T51S0BCKX", "credit_batch_size_total.credit_kgs": "2765370.5"},
    ]
    report = Importer(importing).import_file(write(tmp_path / "iso.csv", header, rows))
    assert (report.imported, report.units_imported) == (1, 2_765_370)
    assert [(r.row, r.column, r.code) for r in report.refused] == [
        (2, "credit_batch_size_total.credits", C.QUANTITY_INVALID),
        (3, "credit_batch_size_total.credits", C.QUANTITY_INVALID),
        (4, "credit_batch_size_total.credit_kgs", C.QUANTITY_INVALID),
    ]
    assert importing.get_project(program="ISOMETRIC", project_id="prj_1JYCV03BW1S0RTE5").host_country == "IN"


def test_a_retirement_of_units_another_export_issued_retires_them_where_they_are(
    importing: Registry, tmp_path: Path
) -> None:
    issued = write(tmp_path / "issued.csv", header_of("gold-standard/issuances.csv"), [gs_row()])
    retirement = {
        **gs_row(Quantity="5,354", **{"Serial Number": GS_ISSUED.replace("-1-19149", "-110-5463")}),
        "Credit Status": "Retired",
        "Retirement Date": "2026-04-20",
        "Using Entity": "Hilti Corporation",
        "Use Case": "Voluntary",
        "Note": "Scope 1 and 2\nof 2025",
    }
    retired = write(tmp_path / "retired.csv", header_of("gold-standard/retirements.csv"), [retirement])
    importer = Importer(importing)
    assert importer.import_file(issued).imported == 1
    report = importer.import_file(retired)
    assert (report.imported, report.refused, report.units_imported) == (1, [], 5_354)
    blocks = importing.list_blocks(program="GS")
    assert [(b.start, b.end, b.status) for b in blocks] == [
        (1, 109, "held"),
        (110, 5463, "retired"),
        (5464, 19149, "held"),
    ]
    [record] = importing.list_retirements(beneficiary="Hilti")
    assert record.details == "Scope 1 and 2\nof 2025" and record.retired_at == datetime(2026, 4, 20, tzinfo=UTC)
    assert Importer(importing).import_file(retired).unchanged == 1
    assert importing.check_integrity().ok


def test_a_file_of_no_known_format_or_missing_the_forced_formats_columns_is_refused_whole(
    importing: Registry, tmp_path: Path
) -> None:
    strange = write(tmp_path / "strange.csv", ["a", "b"], [{"a": "1", "b": "2"}])
    report = Importer(importing).import_file(strange)
    assert (report.format, report.rows, [(r.row, r.code) for r in report.refused]) == (
        None,
        1,
        [(0, C.IMPORT_UNKNOWN_FORMAT)],
    )
    verra = write(tmp_path / "verra.csv", header_of("verra/transactions.csv"), [verra_row()])
    forced = Importer(importing).import_file(verra, format_name="gs-issuances")
    assert [(r.row, r.code, r.column) for r in forced.refused] == [(0, C.IMPORT_MISSING_COLUMNS, "GSID")]
    assert Importer(importing).import_file(verra, format_name="verra-transactions").imported == 1


def test_a_program_counted_in_another_unit_refuses_the_file(importing: Registry) -> None:
    importing.create_program(code="ISOMETRIC", category="independent", unit_decimals=0)
    report = Importer(importing).import_file(EXPORTS / "isometric/issuances.csv")
    assert [(r.row, r.code) for r in report.refused] == [(0, C.QUANTITY_INVALID)]
    assert "counts units of 10^-0 t here" in report.refused[0].message


def test_over_http_the_operator_imports_and_a_holders_key_may_not(importing: Registry, tmp_path: Path) -> None:
    holder = importing.create_account(kind="holding", owner="Acme")
    paths = [EXPORTS / "gold-standard/retirements.csv", EXPORTS / "american-carbon-registry/issuances.csv"]
    with serving(importing) as http:
        refused = Importer(HttpRegistryClient(PREFIX, issue_api_key(importing, accounts=[holder.id]), http=http))
        denied = refused.import_files(paths)
        assert {r.code for f in denied.files for r in f.refused} == {C.FORBIDDEN}
        operator = HttpRegistryClient(PREFIX, issue_api_key(importing, operator=True), http=http)
        report = Importer(operator).import_files(paths)
    assert report.refused == 0 and [f.imported for f in report.files] == [3, 3]
    assert importing.get_credit("GS1-1-KE-GS11603-16-2025-30256-110-5463").block.status == "retired"
