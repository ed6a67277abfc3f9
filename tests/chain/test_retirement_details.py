"""What a retirement states, in Python and in the contract: one list of purposes, the same personal-data
hash, ISO 3166 codes checked before anything is signed, and the details as the event carries them."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bridge.chain.retirement import (
    PURPOSE_TEXT,
    PersonalData,
    Purpose,
    RecordedDetails,
    RetirementDetails,
    purposes_text,
)

ROOT = Path(__file__).resolve().parents[2]
INTERFACE = ROOT / "contracts" / "interfaces" / "IRetirementLedger.sol"
LEDGER = ROOT / "contracts" / "bridge" / "RetirementLedger.sol"


def test_the_contract_lists_the_purposes_declared_in_python() -> None:
    comment = " ".join(line.strip().removeprefix("///").strip() for line in INTERFACE.read_text().splitlines())
    assert purposes_text() + "." in comment
    (highest,) = re.findall(r"uint8 public constant MAX_PURPOSE = (\d+);", LEDGER.read_text())
    assert int(highest) == max(Purpose) and set(PURPOSE_TEXT) == set(Purpose)


def test_a_purpose_is_named_by_its_label_or_code() -> None:
    assert Purpose.parse("voluntary_offsetting") is Purpose.parse("Voluntary-Offsetting") is Purpose.parse(1)
    for bad in ("offsetting", 9, -1, True, None):
        with pytest.raises(ValueError, match="not a purpose"):
            Purpose.parse(bad)  # type: ignore[arg-type]


def test_countries_and_jurisdictions_are_checked_against_iso_3166() -> None:
    ok = RetirementDetails(beneficiary_name="A", consumption_country="de", claim_jurisdiction="us-ca")
    assert (ok.consumption_country, ok.claim_jurisdiction) == ("DE", "US-CA")
    assert RetirementDetails(beneficiary_name="A", claim_jurisdiction="FR").claim_jurisdiction == "FR"
    for field, value in (
        ("consumption_country", "XX"),
        ("consumption_country", "DEU"),
        ("claim_jurisdiction", "US-ZZ"),
        ("claim_jurisdiction", "XX-1"),
    ):
        with pytest.raises(ValidationError, match=field):
            RetirementDetails(beneficiary_name="A", **{field: value})


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"beneficiary_name": " "},
        {"beneficiary_name": "A" * 201},
        {"beneficiary_name": "é" * 101},  # 202 bytes: the contract counts bytes
        {"beneficiary_name": "A", "reason": "r" * 501},
        {"beneficiary_name": "A", "consumption_start": date(2025, 1, 1)},
        {"beneficiary_name": "A", "consumption_start": date(2025, 2, 1), "consumption_end": date(2025, 1, 1)},
        {"beneficiary_name": "A", "personal_data_hash": "0x" + "11" * 32},
        {"beneficiary_name": "A", "beneficiary_address": "0x1234"},
        {"beneficiary_name": "A", "purpose": "world_peace"},
        {"beneficiary_name": "A", "extra": 1},
    ],
)
def test_malformed_details_are_refused_before_signing(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RetirementDetails(**fields)  # type: ignore[arg-type]


@given(
    name=st.text(min_size=1, max_size=40).filter(lambda t: t.strip()),
    entity=st.text(max_size=40),
    salt=st.binary(min_size=32, max_size=32),
)
def test_the_personal_data_hash_binds_salt_and_both_names(name: str, entity: str, salt: bytes) -> None:
    data = PersonalData(salt="0x" + salt.hex(), beneficiary_name=name, retiring_entity=entity)
    digest = data.digest()
    assert digest == PersonalData(salt="0x" + salt.hex(), beneficiary_name=name, retiring_entity=entity).digest()
    assert digest != PersonalData(salt="0x" + salt.hex(), beneficiary_name=name + "x", retiring_entity=entity).digest()
    assert digest != PersonalData(salt="0x" + salt.hex(), beneficiary_name=name, retiring_entity=entity + "x").digest()
    other = bytes([salt[0] ^ 1]) + salt[1:]
    assert digest != PersonalData(salt="0x" + other.hex(), beneficiary_name=name, retiring_entity=entity).digest()


def test_details_read_back_from_the_struct_as_they_were_stated() -> None:
    stated = RetirementDetails(
        beneficiary_name="Ann",
        beneficiary_address="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        retiring_entity="Ann's employer",
        purpose="ndc",
        consumption_country="KE",
        consumption_start=date(2024, 2, 29),
        consumption_end=date(2024, 12, 31),
        claim_jurisdiction="KE-30",
        reason="why",
    )
    recorded = RecordedDetails.from_event(stated.as_tuple())
    assert recorded.model_dump() == stated.model_dump() | {"purpose": "ndc"}
    assert recorded.unknown == []
    odd = list(stated.as_tuple())
    odd[4], odd[7], odd[5], odd[3] = b"QQ", b"QQ-9\0\0", 20240230, 42  # what a direct caller could send
    shown = RecordedDetails.from_event(tuple(odd))
    assert shown.unknown == ["consumption_country", "claim_jurisdiction"]
    assert shown.consumption_start is None and shown.purpose == "42"
