"""One served bridge (anvil, HTTP, engine worker) per test module, and a way to run the CLI against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import Result
from typer.testing import CliRunner

from bridge.cli import app
from bridge.local import LocalTemplate
from bridge.runtime import ServedBridge
from bridge.testing import bridge_template  # noqa: F401
from bridge.testing.plugin import serving_local_bridge

# The commands read these from the environment: a developer's own settings must not leak into tests.
_CLEAN_ENV = {
    name: None
    for name in (
        "BRIDGE_URL",
        "BRIDGE_API_KEY",
        "BRIDGE_KEY",
        "BRIDGE_RPC_URL",
        "BRIDGE_REGISTRY_URL",
        "BRIDGE_REGISTRY_KEY",
    )
}


@pytest.fixture(scope="module")
def cli_bridge(
    tmp_path_factory: pytest.TempPathFactory,
    bridge_template: LocalTemplate,  # noqa: F811
) -> Iterator[ServedBridge]:
    """What ``served_bridge`` gives, once per module: the CLI's commands share it (and its history)."""
    with serving_local_bridge(tmp_path_factory.mktemp("cli-bridge"), bridge_template) as served:
        yield served


@pytest.fixture(scope="module")
def cli() -> Callable[..., Result]:
    """``cli("reserves", "--json")``: the CLI in-process, stdout and stderr kept apart."""
    runner = CliRunner(env=_CLEAN_ENV)

    def invoke(*args: str | int) -> Result:
        return runner.invoke(app, [str(a) for a in args])

    return invoke
