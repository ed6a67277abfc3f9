"""Importing the registries' own exports: every sample file imports whole, twice changes nothing, units
add up, and a bad row is refused naming its row, column and code while the others import."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bridge.registry.imports import FORMATS, Importer
from bridge.registry.imports.table import column_name
from bridge.registry.ledger import Registry
from registry_factories import TickingClock

EXPORTS = Path(__file__).parent / "data" / "exports"
SAMPLES = {
    "verra/projects.csv": "verra-projects",
    "verra/transactions.csv": "verra-transactions",
    "gold-standard/projects.csv": "gs-projects",
    "gold-standard/issuances.csv": "gs-issuances",
    "gold-standard/retirements.csv": "gs-retirements",
    "american-carbon-registry/issuances.csv": "acr-issuances",
    "american-carbon-registry/retirements.csv": "acr-retirements",
    "american-carbon-registry/cancellations.csv": "acr-cancellations",
    "climate-action-reserve/issuances.csv": "car-issuances",
    "climate-action-reserve/retirements.csv": "car-retirements",
    "art-trees/issuances.csv": "art-issuances",
    "art-trees/retirements.csv": "art-retirements",
    "cercarbono/issuances.csv": "cercarbono-issuances",
    "isometric/issuances.csv": "isometric-issuances",
}


@pytest.fixture
def importing(new_registry: Callable[..., Registry]) -> Registry:
    """A registry whose clock is past the samples' dates (it refuses retirements dated in its future)."""
    return new_registry(clock=TickingClock(datetime(2026, 6, 1, tzinfo=UTC)))


def column_sum(path: Path, column: str) -> int:
    """The sum of ``column`` as the file prints it (thousands separators dropped), read with csv alone: the
    quantity columns count the program's own unit (tonnes; Isometric's, kilograms)."""
    with path.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        header = [column_name(name) for name in next(reader)]
        total = sum(
            (Decimal(row[header.index(column)].replace(",", "")) for row in reader if row[header.index(column)]),
            Decimal(0),
        )
    assert total == int(total)
    return int(total)


def test_every_format_has_a_sample_and_every_sample_a_format() -> None:
    assert sorted(SAMPLES.values()) == sorted(FORMATS)
    assert sorted(str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*.csv")) == sorted(SAMPLES)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_a_sample_export_imports_every_row_and_its_units(importing: Registry, sample: str) -> None:
    path = EXPORTS / sample
    export = FORMATS[SAMPLES[sample]]
    report = Importer(importing).import_file(path)
    assert report.refused == []
    assert (report.format, report.imported, report.unchanged) == (export.name, report.rows, 0)
    assert report.rows == 3
    expected = column_sum(path, export.quantity_column) if export.quantity_column else 0
    assert report.units_imported == expected
    assert importing.check_integrity().ok and importing.verify_journal().ok


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_importing_a_sample_again_changes_nothing(importing: Registry, sample: str) -> None:
    Importer(importing).import_file(EXPORTS / sample)
    head, state = importing.journal_head(), importing.snapshot()
    again = Importer(importing).import_file(EXPORTS / sample)
    assert (again.imported, again.unchanged, again.refused, again.units_imported) == (0, again.rows, [], 0)
    assert importing.journal_head() == head and importing.snapshot() == state


def test_all_samples_import_into_one_registry_beside_each_other(importing: Registry) -> None:
    paths = [EXPORTS / sample for sample in sorted(SAMPLES)]
    first = Importer(importing).import_files(paths)
    assert first.refused == 0
    assert sum(file.imported for file in first.files) == 3 * len(SAMPLES)
    second = Importer(importing).import_files(paths)
    assert [(f.imported, f.unchanged, f.refused) for f in second.files] == [(0, 3, [])] * len(SAMPLES)
    assert importing.check_integrity().ok


def test_imported_records_keep_the_registries_names_labels_serials_and_dates(importing: Registry) -> None:
    Importer(importing).import_files([EXPORTS / sample for sample in SAMPLES])
    retired = importing.get_credit("FCPF-CI-130-2023-20-1 to 46404")
    assert retired.block.status == "retired" and retired.block.retirement is not None
    assert retired.block.retirement.beneficiary == "Emergent retiring on behalf of Chanel"
    assert retired.block.retirement.retired_at == datetime(2026, 4, 8, tzinfo=UTC)
    assert (retired.program.code, retired.project.project_id, retired.project.host_country) == ("ART", "ART130", "CI")
    assert retired.project.name == "Cote d'Ivoire Tai National Park Area Emission Reductions Program"
    gs = importing.get_credit("GS1-1-UG-GS11236-16-2024-30307-1-19149")
    assert (gs.issuance.article6_authorization, gs.project.activity_structure, gs.project.poa_id) == (
        "not_applicable",
        "activity",
        "11191",
    )
    assert (gs.issuance.vintage_start.isoformat(), gs.issuance.vintage_end.isoformat()) == ("2024-01-01", "2024-12-08")
    [acr] = importing.list_issuances(program="ACR", project_id="ACR1149")
    assert (acr.ccp_approved, acr.verification_body) == (True, "TÜV SÜD America, Inc.")
    acr_project = importing.get_project(program="ACR", project_id="ACR407")
    assert (acr_project.site_state, acr_project.methodology_version) == (
        "WEST VIRGINIA; PENNSYLVANIA",
        "April 25, 2014",
    )
    cancelled = importing.get_credit("ACR-US-407-2025-2899-1 to 179663").block
    assert cancelled.cancellation is not None and cancelled.cancellation.reason == "Convert to ARB offset credits"
    [art102] = importing.list_issuances(program="ART", project_id="ART102")
    assert (art102.quantity, art102.buffer_quantity, art102.corsia_first_phase) == (9_621_384, 535_461, "no")
    car = importing.get_credit("CAR-1-US-1335-31-983-KS-2025-9659-43177 to 43276")
    assert car.block.retirement is not None and car.block.retirement.beneficiary == "ACT Commodities BV"
    verra = importing.get_credit("19381-941412555-941441125-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0")
    assert verra.block.retirement is not None
    assert verra.block.retirement.beneficiary == "Lindblad Expeditions Family of Companies"
    assert verra.project.sectoral_scope == "13"


def test_batches_and_kilograms_import_exactly(importing: Registry) -> None:
    Importer(importing).import_files([EXPORTS / "cercarbono/issuances.csv", EXPORTS / "isometric/issuances.csv"])
    batch = importing.get_credit("CDC_1_1_1_321_14_1")  # the whole batch, by its bare id
    assert (batch.block.serial, batch.issuance.serial, batch.block.quantity) == (
        "CDC_1_1_1_321_14_1:1-62740",
        "CDC_1_1_1_321_14_1",
        62740,
    )
    assert (batch.issuance.vintage_start.isoformat(), batch.issuance.vintage_end.isoformat()) == (
        "2010-01-01",
        "2018-09-30",
    )
    assert batch.project.host_country == "ZZ"
    alt = importing.get_credit("iss_1KP6EDZ8K1S036PY:1-2710062")  # the buffer took the batch's last 55,308 kg
    assert (alt.program.unit, alt.issuance.quantity, alt.issuance.buffer_quantity) == ("kilogram", 2_765_370, 55_308)
    assert alt.issuance.serial == "iss_1KP6EDZ8K1S036PY" and alt.block.quantity == 2_710_062
    buffer = importing.get_credit("iss_1KP6EDZ8K1S036PY:2710063-2765370").block
    assert (buffer.status, buffer.quantity) == ("buffer", 55_308)
    assert alt.issuance.mitigation_type == "removal"
    vaulted = importing.list_issuances(program="ISOMETRIC", serial="iss_1KNWQGW3W1S00T4H")[0]
    assert importing.get_project(program="ISOMETRIC", project_id=vaulted.project_id).host_country == "US"
