"""`carbon-bridge registry import`: into a home in this process or a served registry over HTTP, its JSON
report, its exit codes, and `registry show` of what it imported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bridge.runtime import ServedBridge

EXPORTS = Path(__file__).parents[1] / "registry" / "data" / "exports"
GS_ISSUANCES = EXPORTS / "gold-standard" / "issuances.csv"
ACR_RETIREMENTS = EXPORTS / "american-carbon-registry" / "retirements.csv"


def test_import_into_a_home_prints_the_report_as_json_and_again_changes_nothing(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    first = cli("registry", "import", "--home", home, "--json", GS_ISSUANCES, ACR_RETIREMENTS)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert list(report) == ["files"]
    assert [list(file) for file in report["files"]] == [
        ["file", "format", "rows", "imported", "unchanged", "refused", "units_imported"]
    ] * 2
    assert [(f["format"], f["imported"], f["refused"], f["units_imported"]) for f in report["files"]] == [
        ("gs-issuances", 3, [], 24_008),
        ("acr-retirements", 3, [], 28_993),
    ]
    again = json.loads(cli("registry", "import", "--home", home, "--json", GS_ISSUANCES).stdout)
    assert [(f["imported"], f["unchanged"]) for f in again["files"]] == [(0, 3)]
    assert (home / "registry.db").is_file()


def test_a_refused_file_lists_its_refusals_and_exits_1(cli: Callable[..., Result], tmp_path: Path) -> None:
    strange = tmp_path / "strange.csv"
    strange.write_text("a,b\n1,2\n")
    result = cli("registry", "import", "--home", tmp_path / "home", strange)
    assert result.exit_code == 1
    assert "import_unknown_format" in result.stdout and "strange.csv" in result.stdout
    refused = json.loads(cli("registry", "import", "--home", tmp_path / "home", "--json", strange).stdout)
    assert refused["files"][0]["refused"][0]["code"] == "import_unknown_format"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--format", "nope"], "format"),
        (["--registry-url", "http://127.0.0.1:9/registry"], "registry_key"),
        (["--home", "h", "--registry-url", "http://127.0.0.1:9/registry", "--registry-key", "k"], "home"),
    ],
)
def test_bad_options_stop_with_exit_2_naming_the_option(
    cli: Callable[..., Result], tmp_path: Path, args: list[str], field: str
) -> None:
    result = cli("registry", "import", *args, GS_ISSUANCES)
    assert result.exit_code == 2
    assert f"{field}:" in result.stderr


def test_import_over_http_then_show_the_real_names_labels_and_serials(
    cli: Callable[..., Result], cli_bridge: ServedBridge
) -> None:
    url, keys = cli_bridge.url, cli_bridge.service.demo.keys
    registry = ["--registry-url", f"{url}/registry"]
    denied = cli("registry", "import", *registry, "--registry-key", keys["custodian"], "--json", ACR_RETIREMENTS)
    assert denied.exit_code == 1 and "forbidden" in denied.stdout
    result = cli("registry", "import", *registry, "--registry-key", keys["operator"], "--json", ACR_RETIREMENTS)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["imported"] == 3
    shown = cli("registry", "show", "--url", url, "--serial", "ACR-FR-1129-2025-2917-30932 to 35143")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "ACR ACR1129 Tradewater - Middle East 1 (FR)" in text
    assert "vintage 2025-02-07..2025-03-19" in text
    assert "CCP-approved" in text and "not ARB-eligible" in text and "CORSIA" not in text  # blank: unknown
    assert "retired for AWS on 2026-04-13: Environmental Benefit" in text
