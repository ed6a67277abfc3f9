"""Property tests: round trips of random valid serials of every program, and range splitting."""

from __future__ import annotations

import datetime
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bridge.registry import serials
from bridge.registry._serial_formats._fields import ISO_COUNTRIES
from bridge.registry.errors import SerialFormatError
from bridge.registry.serials import (
    PROGRAMS,
    ACRSerial,
    ARTSerial,
    BatchSerial,
    CARSerial,
    CDMSerial,
    CercarbonoSerial,
    GoldStandardCERSerial,
    GoldStandardSerial,
    IsometricSerial,
    OpaqueSerial,
    PuroSerial,
    SerialBlock,
    SerialKind,
    VerraSerial,
    make_serial,
    parse,
)

countries = st.sampled_from(sorted(ISO_COUNTRIES))
# identifiers keep their printed text, leading zeros included
identifiers = st.from_regex(r"[0-9]{1,9}", fullmatch=True)
years = st.integers(1980, 2100)
dates = st.dates(datetime.date(1980, 1, 1), datetime.date(2100, 12, 31))
uuids = st.uuids().map(str)
opaque_programs = st.sampled_from(sorted(c for c, i in PROGRAMS.items() if i.kind is SerialKind.OPAQUE))
block_ids = st.from_regex(r"[A-Za-z0-9]{1,6}([.-][A-Za-z0-9]{1,6}){0,3}", fullmatch=True)
cercarbono_batches = st.from_regex(r"CDC(_[A-Za-z0-9]{1,5}){1,10}", fullmatch=True)
isometric_batches = st.from_regex(r"iss_[0-9A-HJKMNP-TV-Z]{16}", fullmatch=True)


@st.composite
def ranges(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(1, 10**12))
    return {"start": start, "end": start + draw(st.integers(0, 10**6))}


@st.composite
def vintages(draw: st.DrawFn) -> dict[str, Any]:
    first, second = sorted((draw(dates), draw(dates)))
    return {"vintage_start": first, "vintage_end": second}


def _with(cls: type[SerialBlock], **strategies: st.SearchStrategy[object]) -> st.SearchStrategy[SerialBlock]:
    return ranges().flatmap(lambda r: st.builds(cls, **{k: st.just(v) for k, v in r.items()}, **strategies))


@st.composite
def verra_blocks(draw: st.DrawFn) -> SerialBlock:
    return VerraSerial(
        **draw(ranges()),
        **draw(vintages()),
        batch=draw(identifiers),
        type_code=draw(identifiers),
        country=draw(countries),
        sectoral_scope=draw(st.integers(1, 16)),
        project_id=draw(identifiers),
        additional_certification=draw(st.booleans()),
        legacy_format=draw(st.booleans()),
    )


@st.composite
def kyoto_blocks(draw: st.DrawFn) -> SerialBlock:
    program = draw(st.sampled_from(["CDM", "PACM"]))
    top = 2 if program == "CDM" else 9
    original = draw(st.integers(1, top))
    return CDMSerial(
        program=program,
        **draw(ranges()),
        country=draw(countries),
        unit_type=draw(st.sampled_from([5, 6, 7] if program == "CDM" else [5])),
        supplementary_unit_type=draw(st.integers(0, 99)),
        original_period=original,
        applicable_period=draw(st.integers(original, top)),
        project_id=draw(identifiers),
    )


@st.composite
def gold_standard_cer_blocks(draw: st.DrawFn) -> SerialBlock:
    original = draw(st.integers(1, 2))
    return GoldStandardCERSerial(
        **draw(ranges()),
        country=draw(countries),
        unit_type=draw(st.sampled_from([5, 6, 7])),
        original_period=original,
        applicable_period=draw(st.integers(original, 2)),
        lulucf_activity=draw(st.integers(0, 99)),
        cdm_project_id=draw(identifiers),
    )


@st.composite
def batch_blocks(draw: st.DrawFn) -> SerialBlock:
    """A part of a Cercarbono or Isometric batch (ranged), or a whole batch of known size."""
    cls, batches = draw(st.sampled_from([(CercarbonoSerial, cercarbono_batches), (IsometricSerial, isometric_batches)]))
    batch = draw(batches)
    if draw(st.booleans()):
        return cls(batch=batch, **draw(ranges()))
    return cls(batch=batch, whole=True, end=draw(st.integers(1, 10**12)))


blocks: st.SearchStrategy[SerialBlock] = st.one_of(
    verra_blocks(),
    _with(
        GoldStandardSerial,
        serial_version=identifiers,
        unit_type=identifiers,
        country=countries,
        project_id=identifiers,
        sequence=identifiers,
        vintage=years,
        issuance_id=identifiers,
    ),
    _with(ACRSerial, country=countries, project_id=identifiers, vintage=years, batch=identifiers),
    _with(
        ARTSerial,
        art_tag=st.sampled_from(["ART", "FCPF"]),
        country=countries,
        project_id=identifiers,
        vintage=years,
        batch=identifiers,
    ),
    gold_standard_cer_blocks(),
    batch_blocks(),
    _with(
        CARSerial,
        unit_type=st.sampled_from(["1", "ROC"]),
        country=countries,
        project_id=identifiers,
        project_type=identifiers,
        developer_id=identifiers,
        state=st.from_regex(r"[A-Z]{2,3}", fullmatch=True),
        vintage=years,
        batch=identifiers,
    ),
    kyoto_blocks(),
    _with(
        PuroSerial,
        credit_type=st.sampled_from(["CORC100+", "CORC1000+"]),
        country=countries,
        facility=st.from_regex(r"[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8}){0,2}", fullmatch=True),
        vintage=years,
        issuance_uuid=uuids,
    ),
    _with(OpaqueSerial, program=opaque_programs, block_id=block_ids),
)


def _read(text: str, block: SerialBlock, program: str | None = None) -> SerialBlock:
    """``text`` parsed as the registry would, with the quantity an export gives beside a bare batch id."""
    whole = isinstance(block, BatchSerial) and block.whole
    return parse(text, program, quantity=block.quantity if whole else None)


@given(blocks)
def test_every_valid_block_prints_and_parses_back(block: SerialBlock) -> None:
    text = serials.format(block)
    assert _read(text, block) == block
    assert _read(text, block, block.program) == block
    assert serials.format(parse(text)) == text
    assert parse(text, quantity=block.quantity).quantity == block.quantity


@given(blocks, st.data())
def test_with_range_round_trips_and_keeps_the_issuance(block: SerialBlock, data: st.DataObject) -> None:
    start = data.draw(st.integers(1, 10**12))
    end = data.draw(st.integers(start, start + 10**6))
    moved = block.with_range(start, end)
    assert parse(serials.format(moved)) == moved
    assert (moved.start, moved.end, moved.quantity) == (start, end, end - start + 1)
    assert moved.issuance_ref == block.issuance_ref
    assert moved.unit_space == block.unit_space
    assert moved.with_range(block.start, block.end) == (
        block.with_range(block.start, block.end) if isinstance(block, BatchSerial) else block
    )


@given(blocks.filter(lambda block: block.quantity > 1), st.data())
def test_split_covers_the_block_exactly_without_overlap(block: SerialBlock, data: st.DataObject) -> None:
    k = data.draw(st.integers(block.start, block.end - 1))
    head, rest = block.split(k - block.start + 1)
    assert rest is not None
    assert (head.start, head.end, rest.start, rest.end) == (block.start, k, k + 1, block.end)
    assert head.quantity + rest.quantity == block.quantity
    assert not head.overlaps(rest) and not rest.overlaps(head)
    assert head.overlaps(block) and rest.overlaps(block)
    assert head.issuance_ref == rest.issuance_ref == block.issuance_ref
    ranged = block.with_range(block.start, block.end)
    assert head.with_range(block.start, block.end) == ranged == rest.with_range(block.start, block.end)
    assert parse(serials.format(head)) == head and parse(serials.format(rest)) == rest


@given(batch_blocks(), st.lists(st.integers(1, 10**6), min_size=1, max_size=8))
def test_repeated_splits_of_a_batch_trace_back_to_it_and_conserve_its_units(
    block: SerialBlock, takes: list[int]
) -> None:
    """Operating on parts of a batch again and again (each time the lowest units of what is left): every
    part prints the batch id, the parts tile the batch exactly, and each reads back as printed."""
    assert isinstance(block, BatchSerial)
    rest: SerialBlock | None = block.with_range(block.start, block.end or block.start)
    parts: list[SerialBlock] = []
    for take in takes:
        if rest is None:
            break
        head, rest = rest.split(min(take, rest.quantity))
        parts.append(head)
    if rest is not None:
        parts.append(rest)
    assert sum(part.quantity for part in parts) == block.quantity
    assert [p.start for p in parts[1:]] == [p.end + 1 for p in parts[:-1]]
    assert (parts[0].start, parts[-1].end) == (block.start, block.end)
    for part in parts:
        text = serials.format(part)
        assert text.startswith(f"{block.batch}:") and parse(text) == part
        assert part.unit_space == block.unit_space


@given(
    program=st.sampled_from(sorted(PROGRAMS)),
    span=ranges(),
    project=identifiers,
    country=countries,
    year=years,
    issuance_id=st.text(string.ascii_letters + string.digits + "-_:", min_size=1, max_size=40),
)
def test_made_serials_parse_back(
    program: str, span: dict[str, Any], project: str, country: str, year: int, issuance_id: str
) -> None:
    block = make_serial(
        program,
        **span,
        project_id=project,
        country=country,
        vintage_start=datetime.date(year, 1, 1),
        vintage_end=datetime.date(year, 12, 31),
        ledger_issuance_id=issuance_id,
    )
    assert parse(serials.format(block)) == block


@given(blocks, st.data())
def test_an_edited_serial_either_round_trips_or_is_refused(block: SerialBlock, data: st.DataObject) -> None:
    text = serials.format(block)
    at = data.draw(st.integers(0, len(text) - 1))
    edited = text[:at] + data.draw(st.sampled_from(["", "0", "9", "-", "_", " ", "A", "a", "+"])) + text[at + 1 :]
    try:
        parsed = parse(edited)
    except SerialFormatError as error:
        assert error.field
        return
    assert serials.format(parsed) == edited


@given(st.text(max_size=80))
def test_arbitrary_text_is_refused_with_a_serial_error_or_round_trips(text: str) -> None:
    try:
        parsed = parse(text)
    except SerialFormatError as error:
        assert error.field
        return
    assert serials.format(parsed) == text
