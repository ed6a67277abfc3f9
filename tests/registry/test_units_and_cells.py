"""Units (tonnes and kilograms, exactly), countries from names and codes, and export cells as the
registries write them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.registry.countries import country_code, subdivision_code
from bridge.registry.enums import Eligibility
from bridge.registry.errors import ImportRefusal, RegistryError
from bridge.registry.errors import RegistryErrorCode as C
from bridge.registry.imports import cells
from bridge.registry.imports.formats.base import methodology_id
from bridge.registry.imports.table import Row
from bridge.registry.units import TOKEN_DECIMALS, token_units_per_unit, tonnes_of, units_from_tonnes

decimals = st.sampled_from([0, 3])
quantities = st.integers(0, 10**15)


@given(quantities, decimals)
def test_tonnes_printed_from_units_read_back_as_the_same_units(units: int, unit_decimals: int) -> None:
    tonnes = tonnes_of(units, unit_decimals)
    assert units_from_tonnes(str(tonnes), unit_decimals) == units
    assert units_from_tonnes(tonnes.normalize(), unit_decimals) == units


@given(st.lists(st.tuples(quantities, decimals), max_size=20))
def test_token_units_of_mixed_programs_add_up_to_their_tonnes_exactly(blocks: list[tuple[int, int]]) -> None:
    """Whatever mix of tonne and kilogram blocks, 10**18 token units per tonne, no remainder anywhere."""
    minted = sum(units * token_units_per_unit(unit_decimals) for units, unit_decimals in blocks)
    tonnes = sum((tonnes_of(units, unit_decimals) for units, unit_decimals in blocks), Decimal(0))
    assert minted == tonnes.scaleb(TOKEN_DECIMALS)


@given(quantities.filter(lambda n: n > 1), st.data())
def test_splitting_a_kilogram_block_keeps_its_token_units_exactly(units: int, data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, units - 1))
    per_unit = token_units_per_unit(3)
    assert cut * per_unit + (units - cut) * per_unit == tonnes_of(units, 3).scaleb(TOKEN_DECIMALS)


@given(st.integers(1, 10**12), st.integers(1, 9), decimals)
def test_a_quantity_finer_than_the_programs_unit_is_refused_not_rounded(
    whole: int, digit: int, unit_decimals: int
) -> None:
    text = f"{whole}.{'0' * unit_decimals}{digit}"
    with pytest.raises(RegistryError) as refused:
        units_from_tonnes(text, unit_decimals, field="Quantity")
    assert (refused.value.code, refused.value.field) == (C.QUANTITY_INVALID, "Quantity")


@pytest.mark.parametrize(("text", "field"), [("-1", "q"), ("abc", "q"), ("NaN", "q"), ("Infinity", "q")])
def test_what_is_no_quantity_is_refused(text: str, field: str) -> None:
    with pytest.raises(RegistryError) as refused:
        units_from_tonnes(text, 0, field=field)
    assert refused.value.code is C.QUANTITY_INVALID


def test_a_program_unit_is_a_tonne_or_a_kilogram() -> None:
    assert (token_units_per_unit(0), token_units_per_unit(3)) == (10**18, 10**15)
    with pytest.raises(RegistryError):
        token_units_per_unit(2)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("KE", "KE"),
        ("ke", "KE"),
        ("KEN", "KE"),
        ("Kenya", "KE"),
        ("COTE D'IVOIRE", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("Viet Nam", "VN"),
        ("Turkey", "TR"),
        ("Korea, Republic of", "KR"),
        ("Democratic Republic of the Congo", "CD"),
        ("Kosovo", "XK"),
        ("ZZ", "ZZ"),
    ],
)
def test_a_country_is_read_from_its_codes_and_names(written: str, code: str) -> None:
    assert country_code(written) == code


@pytest.mark.parametrize("written", ["Narnia", "K", "Ke nya", "", "EU", "Congo-ish"])
def test_what_is_no_country_is_refused_not_guessed(written: str) -> None:
    with pytest.raises(RegistryError) as refused:
        country_code(written, "Country")
    assert (refused.value.code, refused.value.field) == (C.INVALID_REQUEST, "Country")


def test_a_state_name_reads_as_its_code() -> None:
    assert (subdivision_code("ILLINOIS", "US"), subdivision_code("Kansas", "US")) == ("IL", "KS")
    assert subdivision_code("WEST VIRGINIA; PENNSYLVANIA", "US") is None


# --- cells ---------------------------------------------------------------------------------------


def row(**cells_: str) -> Row:
    return Row(number=7, cells=cells_)


@given(st.integers(0, 10**15))
def test_numbers_with_thousands_separators_read_exactly(number: int) -> None:
    assert cells.whole(row(q=f"{number:,}"), "q") == number
    assert cells.tonnes(row(q=f"{number:,}"), "q", 0) == number


@pytest.mark.parametrize("text", ["1,23", "12,3456", "1.2.3", "1e3", "12 t"])
def test_malformed_numbers_are_refused_naming_the_column(text: str) -> None:
    with pytest.raises(ImportRefusal) as refused:
        cells.decimal(row(q=text), "q")
    assert (refused.value.code, refused.value.field) == (C.CELL_INVALID, "q")


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-04-13T12:35:58.842275", datetime(2026, 4, 13, 12, 35, 58, 842275, tzinfo=UTC)),
        ("2026-04-14T16:50:41.621676Z", datetime(2026, 4, 14, 16, 50, 41, 621676, tzinfo=UTC)),
        ("2019-03-07T18:33:46.000Z", datetime(2019, 3, 7, 18, 33, 46, tzinfo=UTC)),
        ("3/24/2026 9:08:01 PM", datetime(2026, 3, 24, 21, 8, 1, tzinfo=UTC)),
        ("11/3/2025 7:10:41 AM", datetime(2025, 11, 3, 7, 10, 41, tzinfo=UTC)),
        ("03/19/2026", datetime(2026, 3, 19, tzinfo=UTC)),
        ("2026-04-03", datetime(2026, 4, 3, tzinfo=UTC)),
    ],
)
def test_dates_in_every_form_the_exports_print(text: str, moment: datetime) -> None:
    assert cells.moment(row(d=text), "d") == moment
    assert cells.day(row(d=text), "d") == moment.date()


@pytest.mark.parametrize("text", ["31/31/2026", "2026-13-01", "yesterday", "April 25, 2014"])
def test_what_is_no_date_is_refused(text: str) -> None:
    with pytest.raises(ImportRefusal) as refused:
        cells.moment(row(d=text), "d")
    assert (refused.value.code, refused.value.field) == (C.CELL_INVALID, "d")


def test_a_needed_cell_that_is_empty_is_refused_as_empty() -> None:
    for read in (cells.moment, cells.text, cells.identifier):
        with pytest.raises(ImportRefusal) as refused:
            read(row(d="  "), "d", required=True)
        assert refused.value.code is C.CELL_EMPTY


def test_yes_no_and_blank_cells() -> None:
    read = [cells.eligibility(row(e=text), "e") for text in ("Yes", "no", "", "TRUE", "False")]
    assert read == [Eligibility.YES, Eligibility.NO, Eligibility.UNKNOWN, Eligibility.YES, Eligibility.NO]
    with pytest.raises(ImportRefusal):
        cells.eligibility(row(e="maybe"), "e")


def test_periods_goals_and_float_printed_ids() -> None:
    assert cells.period(row(p="2010-01-01 / 2018-09-30"), "p") == (date(2010, 1, 1), date(2018, 9, 30))
    assert cells.sdgs(row(s="09: Industry, Innovation and Infrastructure;13: Climate Action"), "s") == [9, 13]
    assert cells.sdgs(row(s="4,13,6,5,3,8"), "s") == [3, 4, 5, 6, 8, 13]
    assert cells.identifier(row(i="11191.0"), "i") == "11191"
    with pytest.raises(ImportRefusal):
        cells.period(row(p="2018-09-30 / 2010-01-01"), "p")
    with pytest.raises(ImportRefusal):
        cells.sdgs(row(s="18"), "s")


@given(st.text(min_size=1, max_size=300))
def test_a_methodology_id_fits_a_class_token_and_tells_names_apart(name: str) -> None:
    short = methodology_id(name)
    assert 1 <= len(short) <= 64
    assert short == name or len(name) > 64
    assert methodology_id(name + "x") != short
