"""Serial numbers: examples per program, their fields, detection, and refusals naming the field."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from bridge.registry import serials
from bridge.registry.errors import RegistryError, RegistryErrorCode, SerialFormatError
from bridge.registry.serials import (
    PROGRAMS,
    ACRSerial,
    ARTSerial,
    CARSerial,
    CDMSerial,
    CercarbonoSerial,
    GoldStandardCERSerial,
    GoldStandardSerial,
    IsometricSerial,
    OpaqueSerial,
    PuroSerial,
    SerialBlock,
    VerraSerial,
    format_serial,
    parse,
)

MALFORMED = RegistryErrorCode.SERIAL_MALFORMED
UNKNOWN = RegistryErrorCode.UNKNOWN_PROGRAM
D = datetime.date
UUID = "0b1f7a3e-8f0c-4d3e-9a57-6c2b1d9e4f10"

VERRA = "7201-40000001-40000500-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"
VERRA_OLD = "7201-40000001-40000500-VCU-263-MER-ID-14-1477-01012019-31122019-1"
GS = "GS1-1-UG-GS2211-7-2021-18830-1001-3500"
ACR = "ACR-US-412-2019-1203-1 to 2500"
CAR = "CAR-1-US-1021-6-340-CA-2018-5521-100001 to 104000"
CDM = "CN-5-0-1001-2000-2-2-1234"
PACM = "PACM-BR-5-0-1-5000-1-1-17"
PURO = f"PURO_PR_CORC100+_FI_helsinki-bc-1_2023_{UUID}_1-500"
CCER = "CCER-2024-000731-1-5000"
# from the registries' own exports
CAR_ROC = "CAR-ROC-US-1335-31-983-KS-2025-9205-1 to 5000"
GS_CER = "RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014"
ART = "ART-GY-102-2019-3-2500001 to 2600000"
FCPF = "FCPF-CI-130-2023-20-1 to 46404"
CERCARBONO = "CDC_1_1_1_321_14_1"
ISOMETRIC = "iss_1KP6EDZ8K1S036PY"

# (serial, program, class, expected attribute values)
VALID: list[tuple[str, str, type[SerialBlock], dict[str, Any]]] = [
    (
        VERRA,
        "VCS",
        VerraSerial,
        {
            "batch": "7201",
            "start": 40000001,
            "end": 40000500,
            "unit_type": "VCU",
            "type_code": "263",
            "country": "ID",
            "sectoral_scope": 14,
            "project_id": "1477",
            "vintage_start": D(2019, 1, 1),
            "vintage_end": D(2019, 12, 31),
            "additional_certification": True,
            "legacy_format": False,
            "quantity": 500,
            "unit_space": "VCS",
            "issuance_ref": "7201-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1",
        },
    ),
    (
        VERRA_OLD,
        "VCS",
        VerraSerial,
        {
            "legacy_format": True,
            "registry_code": "MER",
            "country": "ID",
            "quantity": 500,
            "issuance_ref": "7201-VCU-263-MER-ID-14-1477-01012019-31122019-1",
        },
    ),
    (
        "0012-7-7-VCS-VCU-003-VER-BR-3-0042-15062008-14062009-0",
        "VCS",
        VerraSerial,
        {
            "batch": "0012",
            "type_code": "003",
            "project_id": "0042",
            "quantity": 1,
            "vintage_start": D(2008, 6, 15),
            "vintage_end": D(2009, 6, 14),
            "additional_certification": False,
        },
    ),
    (
        GS,
        "GS",
        GoldStandardSerial,
        {
            "serial_version": "1",
            "unit_type": "1",
            "country": "UG",
            "project_id": "2211",
            "sequence": "7",
            "vintage": 2021,
            "issuance_id": "18830",
            "start": 1001,
            "end": 3500,
            "quantity": 2500,
            "vintage_start": D(2021, 1, 1),
            "vintage_end": D(2021, 12, 31),
            "unit_space": "GS:GS1-1-UG-GS2211-7-2021-18830",
            "issuance_ref": "GS1-1-UG-GS2211-7-2021-18830",
        },
    ),
    (
        ACR,
        "ACR",
        ACRSerial,
        {
            "country": "US",
            "project_id": "412",
            "vintage": 2019,
            "batch": "1203",
            "start": 1,
            "end": 2500,
            "vintage_start": D(2019, 1, 1),
            "vintage_end": D(2019, 12, 31),
            "unit_space": "ACR:ACR-US-412-2019-1203",
            "issuance_ref": "ACR-US-412-2019-1203",
        },
    ),
    (
        CAR,
        "CAR",
        CARSerial,
        {
            "unit_type": "1",
            "country": "US",
            "project_id": "1021",
            "project_type": "6",
            "developer_id": "340",
            "state": "CA",
            "vintage": 2018,
            "batch": "5521",
            "start": 100001,
            "end": 104000,
            "quantity": 4000,
            "unit_name": "CRT",
            "unit_space": "CAR:CAR-1-US-1021-6-340-CA-2018-5521",
            "issuance_ref": "CAR-1-US-1021-6-340-CA-2018-5521",
        },
    ),
    ("CAR-1-MX-88-12-7-JAL-2016-9-5 to 5", "CAR", CARSerial, {"state": "JAL", "country": "MX", "quantity": 1}),
    # CAR's Registry Offset Credits (ARB compliance projects), from the Reserve's retirement export
    (CAR_ROC, "CAR", CARSerial, {"unit_type": "ROC", "unit_name": "ROC", "state": "KS", "quantity": 5000}),
    # Gold Standard's CERs: two Kyoto unit ids (from its issuance export: quantity 3,657)
    (
        GS_CER,
        "GS",
        GoldStandardCERSerial,
        {
            "country": "RW",
            "unit_type": 5,
            "unit_name": "CER",
            "start": 1463953,
            "end": 1467609,
            "quantity": 3657,
            "original_period": 2,
            "applicable_period": 2,
            "lulucf_activity": 0,
            "cdm_project_id": "7014",
            "project_id": None,
            "vintage_start": None,
            "unit_space": "GS:CER:RW",
            "issuance_ref": "RW-5-2-2-0-7014",
        },
    ),
    # ART TREES: ACR's shape with the ART and FCPF tags
    (
        ART,
        "ART",
        ARTSerial,
        {
            "art_tag": "ART",
            "country": "GY",
            "project_id": "102",
            "vintage": 2019,
            "batch": "3",
            "start": 2500001,
            "end": 2600000,
            "quantity": 100000,
            "unit_space": "ART:ART-GY-102-2019-3",
            "issuance_ref": "ART-GY-102-2019-3",
        },
    ),
    (FCPF, "ART", ARTSerial, {"art_tag": "FCPF", "country": "CI", "project_id": "130", "quantity": 46404}),
    # batches: Cercarbono and Isometric name an issuance, not units
    (
        CERCARBONO,
        "CERCARBONO",
        CercarbonoSerial,
        {
            "batch": CERCARBONO,
            "whole": True,
            "start": 1,
            "end": None,
            "project_id": None,
            "unit_space": f"CERCARBONO:{CERCARBONO}",
            "issuance_ref": CERCARBONO,
        },
    ),
    ("CDC_7_3_1_323_14_CO_1_2_2018_BF", "CERCARBONO", CercarbonoSerial, {"whole": True}),
    (
        f"{CERCARBONO}:501-62740",
        "CERCARBONO",
        CercarbonoSerial,
        {"whole": False, "start": 501, "end": 62740, "quantity": 62240, "issuance_ref": CERCARBONO},
    ),
    (
        ISOMETRIC,
        "ISOMETRIC",
        IsometricSerial,
        {"batch": ISOMETRIC, "whole": True, "unit_space": f"ISOMETRIC:{ISOMETRIC}"},
    ),
    (f"{ISOMETRIC}:1-2765370", "ISOMETRIC", IsometricSerial, {"quantity": 2765370}),
    (
        CDM,
        "CDM",
        CDMSerial,
        {
            "country": "CN",
            "unit_type": 5,
            "unit_name": "CER",
            "supplementary_unit_type": 0,
            "start": 1001,
            "end": 2000,
            "original_period": 2,
            "applicable_period": 2,
            "project_id": "1234",
            "vintage_start": None,
            "vintage_end": None,
            "unit_space": "CDM",
            "issuance_ref": "CN-5-0-2-2-1234",
        },
    ),
    ("IN-7-0-1-1-1-2-0099", "CDM", CDMSerial, {"unit_name": "lCER", "project_id": "0099", "original_period": 1}),
    (
        PACM,
        "PACM",
        CDMSerial,
        {
            "program": "PACM",
            "country": "BR",
            "unit_name": "A6.4ER",
            "project_id": "17",
            "quantity": 5000,
            "unit_space": "PACM",
            "issuance_ref": "PACM-BR-5-0-1-1-17",
        },
    ),
    (
        PURO,
        "PURO",
        PuroSerial,
        {
            "credit_type": "CORC100+",
            "country": "FI",
            "facility": "helsinki-bc-1",
            "project_id": "helsinki-bc-1",
            "vintage": 2023,
            "issuance_uuid": UUID,
            "start": 1,
            "end": 500,
            "unit_space": f"PURO:{UUID}",
            "vintage_start": D(2023, 1, 1),
            "issuance_ref": f"PURO_PR_CORC100+_FI_helsinki-bc-1_2023_{UUID}",
        },
    ),
    (
        CCER,
        "CCER",
        OpaqueSerial,
        {
            "block_id": "2024-000731",
            "start": 1,
            "end": 5000,
            "project_id": None,
            "country": None,
            "vintage_start": None,
            "unit_space": "CCER",
            "issuance_ref": "CCER-2024-000731",
        },
    ),
    ("ACCU-EOP100213-1-1", "ACCU", OpaqueSerial, {"block_id": "EOP100213", "quantity": 1}),
    ("TVER-P.0123-10-20", "TVER", OpaqueSerial, {"block_id": "P.0123"}),
    ("JCREDIT-R001-1-2", "JCREDIT", OpaqueSerial, {}),
    ("JCM-ID001-5-7", "JCM", OpaqueSerial, {}),
    ("ARBOC-CAFR5120-A-1-1000", "ARBOC", OpaqueSerial, {"block_id": "CAFR5120-A"}),
    ("PV-2020-1-1-9", "PV", OpaqueSerial, {"block_id": "2020-1"}),
    ("GCC-S00123-1-10", "GCC", OpaqueSerial, {}),
    # the form this registry printed for Isometric before it modelled Isometric's issuance ids
    ("ISOMETRIC-ab12cd-1-10", "ISOMETRIC", OpaqueSerial, {"unit_space": "ISOMETRIC"}),
]


@pytest.mark.parametrize(("text", "program", "cls", "expected"), VALID, ids=[v[0] for v in VALID])
def test_valid_serial_parses_to_its_fields_and_prints_back_unchanged(
    text: str, program: str, cls: type[SerialBlock], expected: dict[str, Any]
) -> None:
    block = parse(text)
    assert type(block) is cls
    assert block.program == program
    assert {name: getattr(block, name) for name in expected} == expected
    assert serials.format(block) == text == str(block) == format_serial(block)
    assert parse(text, program) == block
    assert parse(text, program.lower()) == block
    assert serials.detect_program(text) == program


def test_every_program_has_a_valid_example() -> None:
    assert {program for _, program, _, _ in VALID} == set(PROGRAMS)


# (serial, program passed to parse, code, field, words the message contains)
INVALID: list[tuple[str, str | None, RegistryErrorCode, str, str]] = [
    # Verra
    (VERRA.replace("31122019", "31132019"), None, MALFORMED, "vintage_end", "vintage end 31132019 is not a date"),
    (VERRA.replace("01012019", "0101201"), None, MALFORMED, "vintage_start", "is not a date (DDMMYYYY)"),
    (VERRA.replace("01012019", "01011850"), None, MALFORMED, "vintage_start", "outside the years"),
    (
        VERRA.replace("01012019", "01012020"),
        None,
        MALFORMED,
        "vintage_end",
        "vintage start 01012020 > vintage end 31122019",
    ),
    ("7201-500-400-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1", None, MALFORMED, "end", "start 500 > end 400"),
    ("7201-0-400-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1", None, MALFORMED, "start", "start 0 is below 1"),
    ("7201-040-400-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1", None, MALFORMED, "start", "leading zero"),
    ("7201-40-4x0-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1", None, MALFORMED, "end", "end 4x0 is not a number"),
    (VERRA.replace("7201", "72a1"), "VCS", MALFORMED, "batch", "batch 72a1 is not a number"),
    (VERRA.replace("7201", "72a1"), None, UNKNOWN, "program", "shape of no program"),
    (VERRA.replace("-VCS-", "-VCX-"), None, MALFORMED, "program", "program VCX is not VCS"),
    (VERRA.replace("-VCU-", "-VCX-"), None, MALFORMED, "unit_type", "unit type VCX is not one of VCU"),
    (VERRA.replace("-263-", "-2b3-"), None, MALFORMED, "type_code", "type code 2b3 is not a number"),
    (VERRA.replace("-VER-", "-MER-"), None, MALFORMED, "registry", "registry MER is not VER"),
    (VERRA_OLD.replace("-MER-", "-VER-"), None, MALFORMED, "registry", "registry VER is not MER"),
    (VERRA.replace("-ID-", "-id-"), None, MALFORMED, "country", "country id is not an ISO 3166-1"),
    (VERRA.replace("-ID-", "-XX-"), None, MALFORMED, "country", "country XX is not an ISO 3166-1"),
    (VERRA.replace("-14-", "-17-"), None, MALFORMED, "sectoral_scope", "sectoral scope 17 is above 16"),
    (VERRA.replace("-14-", "-014-"), None, MALFORMED, "sectoral_scope", "leading zero"),
    (VERRA.replace("-1477-", "--"), None, MALFORMED, "project_id", "project id is empty"),
    (VERRA[:-1] + "2", None, MALFORMED, "additional_certification", "additional certification 2 is not a flag"),
    (VERRA.rsplit("-", 1)[0], None, MALFORMED, "serial", "serial has 12 fields"),
    (VERRA + "-1", None, MALFORMED, "serial", "serial has 14 fields"),
    # Gold Standard
    (GS.replace("GS1-", "GX1-"), "GS", MALFORMED, "serial_version", "serial version GX1 is not GS<version>"),
    (GS.replace("GS2211", "2211"), None, MALFORMED, "project_id", "project id 2211 is not GS<project>"),
    (GS.replace("GS2211", "GS22x1"), None, MALFORMED, "project_id", "project id 22x1 is not a number"),
    (GS.replace("-2021-", "-21-"), None, MALFORMED, "vintage", "vintage 21 is below 1980"),
    (GS.replace("-2021-", "-2101-"), None, MALFORMED, "vintage", "vintage 2101 is above 2100"),
    (GS.replace("18830", "18 30"), None, MALFORMED, "issuance_id", "issuance id 18 30 is not a number"),
    (GS.replace("-7-", "-x-"), None, MALFORMED, "sequence", "sequence x is not a number"),
    (GS.replace("-UG-", "-UGA-"), None, MALFORMED, "country", "country UGA"),
    ("GS1-1-UG-GS2211-7-2021-18830-3500-1001", None, MALFORMED, "end", "start 3500 > end 1001"),
    ("GS1-1-UG-GS2211-7-2021-1001-3500", None, MALFORMED, "serial", "serial has 8 fields"),
    # ACR
    ("ACR-US-412-2019-1203-1-2500", None, MALFORMED, "end", "no '<start> to <end>' range"),
    ("ACR-US-412-2019-1203-1 to 25x0", None, MALFORMED, "end", "end 25x0 is not a number"),
    ("ACR-US-412-2019-1203-2501 to 2500", None, MALFORMED, "end", "start 2501 > end 2500"),
    ("ACR-US-412-2019a-1203-1 to 2500", None, MALFORMED, "vintage", "vintage 2019a is not a number"),
    ("ACR-US-412-1203-1 to 2500", None, MALFORMED, "serial", "serial has 5 fields"),
    ("ACR-US-4.2-2019-1203-1 to 2500", None, MALFORMED, "project_id", "project id 4.2 is not a number"),
    ("ACR-US-412-2019-1203-1 to 2500 ", None, MALFORMED, "serial", "leading or trailing whitespace"),
    # Climate Action Reserve
    (CAR.replace("CAR-1-", "CAR-2-"), None, MALFORMED, "unit_type", "unit type 2 is not one of 1, ROC"),
    (CAR_ROC.replace("-ROC-", "-roc-"), None, MALFORMED, "unit_type", "unit type roc is not one of 1, ROC"),
    (CAR.replace("-CA-", "-C1-"), None, MALFORMED, "state", "state C1 is not a state code"),
    (CAR.replace("-340-", "-34O-"), None, MALFORMED, "developer_id", "developer id 34O is not a number"),
    (CAR.replace("-6-", "--"), None, MALFORMED, "project_type", "project type is empty"),
    (CAR.replace("-5521-", "-"), None, MALFORMED, "serial", "serial has 9 fields"),
    # CDM and PACM
    ("CN-1-0-1001-2000-2-2-1234", None, MALFORMED, "unit_type", "unit type 1 is not one of 5, 6, 7"),
    ("CN-5-0-1001-2000-3-3-1234", None, MALFORMED, "original_period", "original period 3 is above 2"),
    ("CN-5-0-1001-2000-2-1-1234", None, MALFORMED, "applicable_period", "original period 2 > applicable period 1"),
    ("CN-5-100-1001-2000-2-2-1234", None, MALFORMED, "supplementary_unit_type", "is above 99"),
    ("CN-5-0-2001-2000-2-2-1234", None, MALFORMED, "end", "start 2001 > end 2000"),
    ("CN-5-0-1001-2000-2-2", None, MALFORMED, "serial", "serial has 7 fields"),
    ("ZZ-5-0-1001-2000-2-2-1234", None, UNKNOWN, "program", "shape of no program"),
    ("ZZ-5-0-1001-2000-2-2-1234", "CDM", MALFORMED, "country", "country ZZ is not an ISO 3166-1"),
    ("PACM-BR-6-0-1-5000-1-1-17", None, MALFORMED, "unit_type", "unit type 6 is not one of 5"),
    (PACM, "CDM", MALFORMED, "program", "program CDM does not match the serial"),
    # Gold Standard CERs
    (GS_CER.replace(" - ", "-"), None, MALFORMED, "serial", "serial has 14 fields"),
    (GS_CER.replace(" - RW-", " - KE-"), None, MALFORMED, "country", "country KE of the last unit id differs"),
    (GS_CER.replace("-7014 - ", "-7015 - "), None, MALFORMED, "cdm_project_id", "cdm project id 7014 of the last"),
    (GS_CER.replace("-1467609-", "-1463952-"), None, MALFORMED, "end", "start 1463953 > end 1463952"),
    (GS_CER.replace("-1467609-", "-14676O9-"), None, MALFORMED, "end", "end 14676O9 is not a number"),
    (GS_CER.replace("-2-2-0-7014 - ", "-2-1-0-7014 - "), None, MALFORMED, "applicable_period", "differs"),
    (GS_CER.replace("RW-5-", "RW-4-"), None, MALFORMED, "unit_type", "unit type 4 is not one of 5, 6, 7"),
    (GS_CER.replace("-0-7014", "-0"), None, MALFORMED, "serial", "the first unit id has 6 fields"),
    (GS_CER, "CDM", MALFORMED, "program", "program CDM does not match the serial"),
    # ART TREES
    (ART.replace("ART-", "ART-G-"), None, MALFORMED, "serial", "serial has 7 fields"),
    (FCPF.replace("FCPF-CI", "FCPF-XX"), None, MALFORMED, "country", "country XX"),
    (FCPF.replace("-130-", "-13o-"), None, MALFORMED, "project_id", "project id 13o is not a number"),
    (FCPF.replace(" to 46404", " to 4640x"), None, MALFORMED, "end", "end 4640x is not a number"),
    (ART, "ACR", MALFORMED, "program", "program ACR does not match the serial, which reads as a serial of ART"),
    (ACR, "ART", MALFORMED, "program", "program ART does not match the serial"),
    # batches
    ("CDC_", "CERCARBONO", MALFORMED, "batch", "batch CDC_ is not CDC_ and groups of letters and digits"),
    ("CDC_1__2", None, MALFORMED, "batch", "is not CDC_ and groups"),
    ("CDC_1-2", None, MALFORMED, "batch", "is not CDC_ and groups"),
    (f"{CERCARBONO}:0-5", None, MALFORMED, "start", "start 0 is below 1"),
    (f"{CERCARBONO}:9-5", None, MALFORMED, "end", "start 9 > end 5"),
    (f"{CERCARBONO}:5", None, MALFORMED, "end", "5 is not a range <start>-<end>"),
    (f"{CERCARBONO}:05-9", None, MALFORMED, "start", "leading zero"),
    ("iss_1KP6EDZ8K1S036P", None, MALFORMED, "batch", "is not iss_ and 16 Crockford base32 characters"),
    ("iss_1KP6EDZ8K1S036PI", None, MALFORMED, "batch", "is not iss_ and 16 Crockford"),
    ("iss_1kp6edz8k1s036py", None, MALFORMED, "batch", "is not iss_ and 16 Crockford"),
    (f"{ISOMETRIC}:1-", None, MALFORMED, "end", "end '' is not a number"),
    # Puro
    (PURO.replace(UUID, UUID.upper()), None, MALFORMED, "issuance_uuid", "is not a lowercase uuid"),
    (PURO.replace(UUID, UUID[:-1]), None, MALFORMED, "issuance_uuid", "is not a lowercase uuid"),
    (PURO.replace("_PR_", "_PX_"), None, MALFORMED, "registry", "registry PX is not PR"),
    (PURO.replace("CORC100+", "CORC"), None, MALFORMED, "credit_type", "credit type CORC is not CORC<years>+"),
    (PURO.replace("helsinki-bc-1", "helsinki.bc"), None, MALFORMED, "facility", "facility helsinki.bc is not"),
    (PURO.replace("_1-500", "_1500"), None, MALFORMED, "end", "1500 is not a range <start>-<end>"),
    (PURO.replace("_1-500", "_1-500-7"), None, MALFORMED, "end", "end 500-7 is not a number"),
    (PURO.replace("_2023_", "_"), None, MALFORMED, "serial", "serial has 7 fields"),
    # opaque programs
    ("CCER-1-100", None, MALFORMED, "serial", "serial is not CCER-<block id>-<start>-<end>"),
    ("CCER-blk_1-1-100", None, MALFORMED, "block_id", "block id blk_1 is not letters and digits"),
    ("CCER--1-100", None, MALFORMED, "block_id", "block id is empty"),
    ("CCER-B7-100-1", None, MALFORMED, "end", "start 100 > end 1"),
    (CCER, "ACCU", MALFORMED, "program", "program ACCU does not match the serial"),
    # no program at all
    ("hello", None, UNKNOWN, "program", "shape of no program"),
    (CCER, "NOPE", UNKNOWN, "program", "program NOPE is not one the registry models"),
    ("", None, MALFORMED, "serial", "serial is empty"),
]


@pytest.mark.parametrize(("text", "program", "code", "field", "words"), INVALID, ids=[v[0] for v in INVALID])
def test_malformed_serial_is_refused_naming_the_field(
    text: str, program: str | None, code: RegistryErrorCode, field: str, words: str
) -> None:
    with pytest.raises(SerialFormatError) as raised:
        parse(text, program)
    assert raised.value.code is code
    assert raised.value.field == field
    assert words in raised.value.message


def test_serial_format_error_is_a_registry_error_with_status_422() -> None:
    with pytest.raises(RegistryError) as raised:
        parse(VERRA.replace("31122019", "31132019"))
    assert isinstance(raised.value, SerialFormatError)
    assert raised.value.http_status == 422
    assert raised.value.to_dict() == {
        "code": "serial_malformed",
        "message": "vintage end 31132019 is not a date",
        "field": "vintage_end",
        "details": {"value": "31132019"},
    }


# --- construction ---------------------------------------------------------------------------------


def test_base_serial_block_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        SerialBlock(program="VCS", start=1, end=2)


def test_constructor_checks_fields_like_the_parser() -> None:
    block = parse(VERRA)
    assert isinstance(block, VerraSerial)
    with pytest.raises(SerialFormatError) as raised:
        dataclasses.replace(block, sectoral_scope=0)
    assert raised.value.field == "sectoral_scope"
    with pytest.raises(SerialFormatError) as raised:
        dataclasses.replace(block, vintage_end=datetime.datetime(2019, 12, 31, 12))
    assert raised.value.field == "vintage_end"
    with pytest.raises(SerialFormatError) as raised:
        dataclasses.replace(block, start="1")  # type: ignore[arg-type]
    assert raised.value.field == "start"


def test_opaque_serial_refuses_a_program_with_its_own_format_or_an_unknown_one() -> None:
    with pytest.raises(SerialFormatError) as raised:
        OpaqueSerial(program="VCS", start=1, end=2, block_id="X")
    assert (raised.value.code, raised.value.field) == (MALFORMED, "program")
    with pytest.raises(SerialFormatError) as raised:
        OpaqueSerial(program="NOPE", start=1, end=2, block_id="X")
    assert (raised.value.code, raised.value.field) == (UNKNOWN, "program")


# --- ranges ---------------------------------------------------------------------------------------


def test_with_range_keeps_every_other_field() -> None:
    block = parse(VERRA)
    moved = block.with_range(40000101, 40000200)
    assert serials.format(moved) == "7201-40000101-40000200-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"
    assert moved.issuance_ref == block.issuance_ref
    assert moved.quantity == 100


@pytest.mark.parametrize(("start", "end", "field"), [(5, 4, "end"), (0, 4, "start"), (-3, 4, "start")])
def test_with_range_refuses_an_invalid_range(start: int, end: int, field: str) -> None:
    with pytest.raises(SerialFormatError) as raised:
        parse(CCER).with_range(start, end)
    assert raised.value.field == field


def test_split_gives_the_operated_part_the_lowest_units() -> None:
    block = parse("7201-1-10000-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1")
    retired, held = block.split(300)
    assert (retired.start, retired.end) == (1, 300)
    assert held is not None
    assert (held.start, held.end) == (301, 10000)
    assert retired.quantity + held.quantity == block.quantity
    assert not retired.overlaps(held)
    assert serials.format(held) == "7201-301-10000-VCS-VCU-263-VER-ID-14-1477-01012019-31122019-1"


def test_split_of_the_whole_block_leaves_no_remainder() -> None:
    block = parse(ACR)
    assert block.split(block.quantity) == (block, None)


@pytest.mark.parametrize("quantity", [0, -1, 2501])
def test_split_with_a_quantity_outside_the_block_is_refused(quantity: int) -> None:
    with pytest.raises(RegistryError) as raised:
        parse(ACR).split(quantity)
    assert raised.value.code is RegistryErrorCode.INVALID_REQUEST
    assert raised.value.field == "quantity"


def test_puro_ranges_overlap_only_within_one_issuance() -> None:
    block = parse(PURO)
    assert isinstance(block, PuroSerial)
    other_issuance = dataclasses.replace(block, issuance_uuid="11111111-2222-4333-8444-555555555555")
    assert block.overlaps(block.with_range(500, 600))
    assert not block.overlaps(other_issuance)
    assert not block.overlaps(block.with_range(501, 600))


def test_blocks_of_different_programs_never_overlap() -> None:
    assert not parse("CCER-A-1-10").overlaps(parse("ACCU-A-1-10"))


def test_programs_name_their_units() -> None:
    units = {code: info.unit for code, info in PROGRAMS.items()}
    assert units["VCS"] == "VCU"
    assert units["GS"] == "VER"
    assert units["CDM"] == "CER"
    assert units["CAR"] == "CRT"
    assert units["PURO"] == "CORC"
    assert units["PACM"] == "A6.4ER"
    assert {code for code, info in PROGRAMS.items() if info.unit_decimals} == {"ISOMETRIC"}
    assert PROGRAMS["ISOMETRIC"].unit_decimals == serials.KILOGRAM_DECIMALS == 3
    assert all(info.code == code for code, info in PROGRAMS.items())
