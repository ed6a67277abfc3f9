"""What the browser tests share: a served bridge after the demo, and a Chromium page that records every
request it makes (so a test can assert that nothing leaves the machine) and saves screenshots to
``tests/browser/screenshots/`` (git-ignored): look at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

from bridge.local.scenario import DemoResult
from bridge.runtime import ServedBridge

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
