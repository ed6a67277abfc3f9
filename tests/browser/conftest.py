"""A served bridge after the demo (anvil, HTTP, engine worker), and a real headless Chromium to look at it.

The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven by Playwright for Python; no
browser is ever downloaded. Every request a page makes is recorded, so a test can assert that nothing
leaves the machine. Screenshots go to ``tests/browser/screenshots/`` (git-ignored): look at them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, sync_playwright

from bridge.local import LocalTemplate
from bridge.local.scenario import DemoActors, DemoResult, run_demo
from bridge.runtime import ServedBridge
from bridge.testing import bridge_template  # noqa: F401
from bridge.testing.plugin import serving_local_bridge

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Demoed:
    served: ServedBridge
    result: DemoResult

    @property
    def url(self) -> str:
        return self.served.url


@dataclass
class Watched:
    """A browser page that records the URL of every request it makes."""

    page: Page
    requests: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests to any host but this machine's loopback (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname not in LOOPBACK
        ]

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path


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
