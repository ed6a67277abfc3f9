"""Error codes are documented once, where declared: docs/errors.md must match the catalogues."""

from __future__ import annotations

from pathlib import Path

from bridge.error_catalog import catalogues, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


def test_the_error_document_is_generated_from_the_current_catalogues() -> None:
    assert DOC.read_text() == render(), "run: python -m bridge.error_catalog > docs/errors.md"


def test_a_code_declared_by_several_layers_means_the_same_everywhere() -> None:
    seen: dict[str, tuple[str, int]] = {}
    for title, catalogue in catalogues():
        for code in catalogue:
            if code.value in seen and code.value != "invalid_request":  # 422 shape / 400 value: documented
                first_layer, status = seen[code.value]
                assert code.http_status == status, (
                    f"{code.value}: {first_layer} says {status}, {title} {code.http_status}"
                )
            seen[code.value] = (title, code.http_status)


def test_every_code_has_a_client_or_server_error_status_and_a_meaning() -> None:
    for _, catalogue in catalogues():
        for code in catalogue:
            assert 400 <= code.http_status < 600, code
            assert code.meaning, code
