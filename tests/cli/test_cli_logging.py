"""How `serve` logs: the level it is given (or refuses), plain or one JSON object per line, every flow step
of the engine at info."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

from bridge.cli import app
from bridge.cli._logging import configure_logging
from bridge.engine.store import RedeemStep, Redemption


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_a_flow_step_is_logged_at_info_as_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json_lines=True)
    row = Redemption(id=7, class_id="0x" + "00" * 32, holder="0x" + "11" * 20, tonnes=1)
    row.step = RedeemStep.SEEN
    row.step = RedeemStep.RELEASING
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["message"] for line in lines] == ["redemption 7: seen", "redemption 7: releasing"]
    assert {line["level"] for line in lines} == {"info"} and lines[0]["logger"] == "bridge.engine.flows"
    assert [entry["step"] for entry in row.history or []] == ["seen", "releasing"]


def test_a_warning_level_keeps_the_steps_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("warning")
    Redemption(id=8, class_id="0x" + "00" * 32, holder="0x" + "11" * 20, tonnes=1, step=RedeemStep.SEEN)
    assert capsys.readouterr().err == ""


def test_serve_refuses_an_unknown_level_naming_the_option() -> None:
    result = CliRunner(env={"BRIDGE_LOG_LEVEL": "loud"}).invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "log_level:" in result.stderr and "loud" in result.stderr
