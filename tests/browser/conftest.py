"""Fixtures of the browser tests: a live server, Debian's Chromium, and a page that records
every failed request and console error."""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, sync_playwright

from tests.browser.server import database_file, free_port, live_server, load_test_data

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Never a browser download: Debian's build, with nothing that talks to the internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    """The live server: its base URL and the port it listens on."""

    base: str
    port: int


@dataclass
class Trouble:
    """What went wrong in the page: failed requests, error responses, console errors."""

    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def api_requests(self) -> list[str]:
        """The requests made to the API."""
        return [url for url in self.requests if "/api/v1/" in url]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on a fresh migrated and seeded SQLite database, with extra events to page."""
    url = database_file(tmp_path_factory.mktemp("explorer"))
    load_test_data(url)
    port = free_port()
    # localhost is another origin than 127.0.0.1: the page served from it reads the API
    # across origins, as a page served elsewhere would.
    # Every test comes from one address: the limit is raised for the whole run, and the main
    # path asserts that one person's walk through the page stays under the default.
    with live_server(
        url, port, cors_origins=f"http://localhost:{port}", anonymous_rate_limit_per_minute="5000"
    ) as base:
        yield Server(base=base, port=port)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-test` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def trouble() -> Trouble:
    """What the page reports going wrong; each test asserts it stays empty."""
    return Trouble()


@pytest.fixture
def page(browser: Browser, trouble: Trouble) -> Iterator[Page]:
    """A fresh page (its own context) whose failures are recorded in `trouble`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            trouble.console.append(message.text)

    def on_failed(request: Request) -> None:
        trouble.failed.append(f"{request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            trouble.failed.append(f"{response.url}: HTTP {response.status}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: trouble.console.append(str(error)))
    opened.on("requestfailed", on_failed)
    opened.on("response", on_response)
    opened.on("request", lambda request: trouble.requests.append(request.url))
    yield opened
    context.close()
