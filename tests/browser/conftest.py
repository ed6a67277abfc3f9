"""A served bridge after the demo (anvil, HTTP, engine worker), and a real headless Chromium to look at it.

The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven by Playwright for Python; no
browser is ever downloaded. Every request a page makes is recorded, so a test can assert that nothing
leaves the machine. Screenshots go to ``tests/browser/screenshots/`` (git-ignored): look at them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, Demoed, Watched
from playwright.sync_api import Browser, Request, sync_playwright

from bridge.local import LocalTemplate
from bridge.local.scenario import DemoActors, run_demo
from bridge.testing import bridge_template  # noqa: F401
from bridge.testing.plugin import serving_local_bridge


@pytest.fixture(scope="module")
def demoed(tmp_path_factory: pytest.TempPathFactory, bridge_template: LocalTemplate) -> Iterator[Demoed]:  # noqa: F811
    """A served local bridge with its preset pools, after the whole demo has run against it."""
    with serving_local_bridge(tmp_path_factory.mktemp("browser-bridge"), bridge_template) as served:
        served.service.ensure_preset_pools()
        result = run_demo(DemoActors.connect(served.url))
        assert served.worker is not None and served.worker.wait_idle(60)
        yield Demoed(served, result)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Watched(page)

    def record(request: Request) -> None:
        seen.requests.append(request.url)

    page.on("request", record)
    yield seen
    context.close()
