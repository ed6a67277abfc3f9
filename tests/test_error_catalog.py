"""Error codes are documented once, where declared: docs/errors.md must match the catalogues."""

from __future__ import annotations

from pathlib import Path

from bridge.error_catalog import catalogues, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def test_the_error_document_is_generated_from_the_current_catalogues() -> None:
    assert DOC.read_text() == render(), "run: python -m bridge.error_catalog > docs/errors.md"


def test_codes_are_unique_across_layers_except_shared_generic_ones() -> None:
    seen: dict[str, str] = {}
    for title, catalogue in catalogues():
        for code in catalogue:
            if code.value in seen and code.value != "invalid_request":
                raise AssertionError(f"{code.value} is declared by {seen[code.value]} and {title}")
            seen[code.value] = title


def test_every_code_has_a_client_or_server_error_status_and_a_meaning() -> None:
    for _, catalogue in catalogues():
        for code in catalogue:
            assert 400 <= code.http_status < 600, code
            assert code.meaning, code
