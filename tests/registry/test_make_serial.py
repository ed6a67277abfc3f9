"""Serials the ledger makes (``make_serial``), and batch serials sized by the quantity beside them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bridge.registry import serials
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError
from bridge.registry.serials import (
    PROGRAMS,
    CARSerial,
    CDMSerial,
    CercarbonoSerial,
    IsometricSerial,
    PuroSerial,
    make_serial,
    parse,
)
from test_serials import ACR, CERCARBONO, GS_CER, ISOMETRIC, UUID

UNKNOWN = RegistryErrorCode.UNKNOWN_PROGRAM
D = datetime.date


# --- make_serial ----------------------------------------------------------------------------------

ISSUE: dict[str, Any] = {
    "start": 1,
    "end": 1000,
    "project_id": "1477",
    "country": "KE",
    "vintage_start": D(2021, 1, 1),
    "vintage_end": D(2021, 12, 31),
    "ledger_issuance_id": "ISS-000042",
}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_made_serial_of_every_program_parses_back(program: str) -> None:
    block = make_serial(program, **ISSUE)
    text = serials.format(block)
    assert parse(text) == block
    assert block.program == program
    assert block.quantity == 1000
    assert block.project_id in ("1477", None)
    assert block.country in ("KE", None)
    assert block.vintage_start in (D(2021, 1, 1), None)
    assert make_serial(program, **ISSUE) == block  # deterministic


def test_made_verra_serial_takes_program_fields() -> None:
    block = make_serial(
        "VCS",
        **{**ISSUE, "project_id": "VCS1477", "ledger_issuance_id": "9044"},
        program_fields={"sectoral_scope": "14", "type_code": "263", "additional_certification": "1", "form": "12"},
    )
    assert serials.format(block) == "9044-1-1000-VCU-263-MER-KE-14-1477-01012021-31122021-1"


def test_made_car_serial_defaults_and_overrides_the_state() -> None:
    us = make_serial("CAR", **{**ISSUE, "country": "US"})
    assert isinstance(us, CARSerial)
    assert us.state == "CA"
    texas = make_serial("CAR", **{**ISSUE, "country": "US"}, program_fields={"state": "TX", "developer_id": "340"})
    assert isinstance(texas, CARSerial)
    assert (texas.state, texas.developer_id) == ("TX", "340")
    roc = make_serial("CAR", **{**ISSUE, "country": "US"}, program_fields={"unit_type": "ROC"})
    assert serials.format(roc).startswith("CAR-ROC-US-1477-")


def test_made_puro_serial_derives_its_uuid_from_the_issuance() -> None:
    one = make_serial("PURO", **ISSUE)
    other = make_serial("PURO", **{**ISSUE, "ledger_issuance_id": "ISS-000043"})
    assert isinstance(one, PuroSerial)
    assert one.unit_space != other.unit_space
    assert one.facility == "1477"
    given = make_serial("PURO", **{**ISSUE, "ledger_issuance_id": UUID.upper()}, program_fields={"facility": "plant-7"})
    assert given.unit_space == f"PURO:{UUID}"
    assert given.project_id == "plant-7"


def test_made_cdm_serial_picks_the_commitment_period_from_the_vintage() -> None:
    first = make_serial("CDM", **{**ISSUE, "vintage_start": D(2010, 1, 1), "vintage_end": D(2010, 12, 31)})
    assert isinstance(first, CDMSerial)
    assert (first.original_period, first.applicable_period) == (1, 1)
    second = make_serial("CDM", **ISSUE)
    assert isinstance(second, CDMSerial)
    assert second.original_period == 2


def test_made_serial_with_a_numeric_issuance_id_prints_it() -> None:
    block = make_serial("GS", **{**ISSUE, "ledger_issuance_id": "18830"})
    assert serials.format(block) == "GS1-1-KE-GS1477-1-2021-18830-1-1000"


def test_a_gold_standard_issuance_number_given_as_a_field_is_printed_not_the_ledger_id() -> None:
    """The GS serial field ``issuance_id`` shares its name with no argument of make_serial any more: the
    ledger's own id is ``ledger_issuance_id``, program fields come as a mapping."""
    block = make_serial("GS", **{**ISSUE, "ledger_issuance_id": "7"}, program_fields={"issuance_id": "30307"})
    assert serials.format(block) == "GS1-1-KE-GS1477-1-2021-30307-1-1000"


def test_a_monitoring_period_over_two_years_prints_the_vintage_year_given() -> None:
    period = {"vintage_start": D(2024, 3, 2), "vintage_end": D(2025, 3, 10)}
    block = make_serial("GS", **{**ISSUE, **period}, program_fields={"vintage": "2025", "issuance_id": "30256"})
    assert serials.format(block) == "GS1-1-KE-GS1477-1-2025-30256-1-1000"
    with pytest.raises(SerialFormatError) as raised:
        make_serial("GS", **{**ISSUE, **period})
    assert raised.value.field == "vintage"
    assert "give it (program field vintage)" in raised.value.message
    with pytest.raises(SerialFormatError) as raised:
        make_serial("ACR", **{**ISSUE, **period}, program_fields={"vintage": "2023"})
    assert (raised.value.field, raised.value.message) == (
        "vintage",
        "vintage 2023 is outside the vintage period 2024-2025",
    )


def test_made_gold_standard_cer_and_batch_serials() -> None:
    cer = make_serial("GS", **{**ISSUE, "country": "RW"}, program_fields={"form": "cer", "cdm_project_id": "7014"})
    assert serials.format(cer) == "RW-5-1-2-2-0-7014 - RW-5-1000-2-2-0-7014"
    batch = make_serial("CERCARBONO", **ISSUE, program_fields={"batch": CERCARBONO})
    assert serials.format(batch) == f"{CERCARBONO}:1-1000"
    derived = make_serial("ISOMETRIC", **ISSUE)
    assert isinstance(derived, IsometricSerial) and derived.batch.startswith("iss_") and len(derived.batch) == 20


@pytest.mark.parametrize(
    ("program", "changes", "extra", "field"),
    [
        ("VCS", {"project_id": "P-1"}, {}, "project_id"),
        ("VCS", {"country": "ke"}, {}, "country"),
        ("VCS", {"vintage_start": D(2022, 1, 1)}, {}, "vintage_end"),
        ("VCS", {"start": 10, "end": 9}, {}, "end"),
        ("VCS", {}, {"sectoral_scope": "20"}, "sectoral_scope"),
        ("VCS", {}, {"form": "11"}, "form"),
        ("VCS", {}, {"scope": "14"}, "scope"),
        ("GS", {"vintage_end": D(2022, 6, 30)}, {}, "vintage"),
        ("GS", {}, {"form": "kyoto"}, "form"),
        ("GS", {}, {"vintage": "2020"}, "vintage"),
        ("PURO", {}, {"facility": "a_b"}, "facility"),
        ("CCER", {}, {"block_id": "a b"}, "block_id"),
        ("CDM", {}, {"unit_type": "1"}, "unit_type"),
        ("CAR", {}, {"unit_type": "2"}, "unit_type"),
        ("ART", {}, {"art_tag": "REDD"}, "art_tag"),
        ("CERCARBONO", {}, {"batch": "CDC-1"}, "batch"),
        ("ISOMETRIC", {}, {"batch": "iss_1"}, "batch"),
    ],
)
def test_make_serial_refuses_what_the_format_cannot_carry(
    program: str, changes: dict[str, Any], extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(SerialFormatError) as raised:
        make_serial(program, **{**ISSUE, **changes}, program_fields=extra)
    assert raised.value.field == field


def test_make_serial_of_an_unknown_program_is_refused() -> None:
    with pytest.raises(SerialFormatError) as raised:
        make_serial("NOPE", **ISSUE)
    assert (raised.value.code, raised.value.field) == (UNKNOWN, "program")


# --- batches and quantities -------------------------------------------------------------------------


def test_a_bare_batch_serial_takes_its_size_from_the_quantity_and_prints_back_bare() -> None:
    whole = parse(CERCARBONO, quantity=62740)
    assert isinstance(whole, CercarbonoSerial)
    assert (whole.start, whole.end, whole.quantity, whole.whole) == (1, 62740, 62740, True)
    assert serials.format(whole) == CERCARBONO
    as_block = whole.with_range(1, 62740)
    assert serials.format(as_block) == f"{CERCARBONO}:1-62740"
    retired, held = as_block.split(500)
    assert held is not None
    assert (serials.format(retired), serials.format(held)) == (f"{CERCARBONO}:1-500", f"{CERCARBONO}:501-62740")
    assert retired.issuance_ref == held.issuance_ref == CERCARBONO


def test_the_size_of_a_bare_batch_serial_is_unknown_without_its_quantity() -> None:
    whole = parse(ISOMETRIC)
    assert whole.end is None
    with pytest.raises(RegistryError) as raised:
        _ = whole.quantity
    assert (raised.value.code, raised.value.field) == (RegistryErrorCode.QUANTITY_INVALID, "quantity")
    assert whole.overlaps(parse(f"{ISOMETRIC}:900-1000"))
    assert not whole.overlaps(parse("iss_1KNWQGW3W1S00T4H:1-5"))


@pytest.mark.parametrize(("text", "quantity"), [(ACR, 2500), (GS_CER, 3657), (f"{ISOMETRIC}:1-2765370", 2765370)])
def test_a_quantity_given_with_a_serial_must_be_the_units_it_names(text: str, quantity: int) -> None:
    assert parse(text, quantity=quantity).quantity == quantity
    with pytest.raises(RegistryError) as raised:
        parse(text, quantity=quantity + 1)
    assert (raised.value.code, raised.value.field) == (RegistryErrorCode.QUANTITY_INVALID, "quantity")
