"""docs/registry.md shows the programs and export formats the code declares, and the formats account for
every column of the registries' real exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.registry.imports import FORMATS, detect
from bridge.registry.imports.catalogue import render
from bridge.registry.imports.table import read_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "registry.md"
EXPORTS = Path(__file__).parent / "data" / "exports"


def test_the_generated_section_is_the_one_rendered_from_the_code() -> None:
    assert render() in DOC.read_text(), "run: .venv/bin/python scripts/registry_docs.py --write"


@pytest.mark.parametrize("sample", sorted(str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*.csv")))
def test_every_column_of_a_real_export_is_mapped_or_kept_as_text(sample: str) -> None:
    table = read_table(EXPORTS / sample)
    export = detect(table.header)
    kept = set(export.kept_as_text)
    assert not kept & export.mapped, "a column is either mapped or kept as text"
    assert set(table.header) == export.mapped | kept, sorted(set(table.header) ^ (export.mapped | kept))


def test_every_format_declares_each_column_once() -> None:
    for export in FORMATS.values():
        names = [column.name for column in export.columns]
        assert len(names) == len(set(names)), export.name
