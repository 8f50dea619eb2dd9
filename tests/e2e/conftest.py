"""Browser test fixtures: a real uvicorn server, real Chromium, windows and the REST API.

The server is the embedded default (SQLite file, in-process channel layer) run
exactly as `make run` runs it, in a subprocess on a free port; a test may stop
and start it again on the same port and database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tidewire.testing.servers import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Playwright's auto-waiting assertions and actions wait this long by default (ms).
DEFAULT_TIMEOUT_MS = 10_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


@contextmanager
def embedded_server(prefix: str = "tidewire-e2e-") -> Iterator[ServerProcess]:
    """The embedded default, as `make run` serves it: SQLite file, in-process layer, demo data."""
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        server = ServerProcess(
            env={"DATABASE_URL": f"sqlite:///{workdir}/e2e.sqlite3"},
            log_path=Path(workdir) / "server.log",
        )
        server.manage("migrate", "--noinput")
        server.manage("seed_demo")
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def _server() -> Iterator[ServerProcess]:
    with embedded_server() as server:
        yield server


@pytest.fixture(scope="module")
def module_server() -> Iterator[ServerProcess]:
    """A server of one test module's own, as `_server`: for data no other browser test
    should meet. The module overrides `e2e_server` to return it."""
    with embedded_server("tidewire-e2e-module-") as server:
        yield server


@pytest.fixture
def e2e_server(_server: ServerProcess) -> ServerProcess:
    """The running server; started again if an earlier test left it stopped."""
    _server.start()
    return _server


# What the browser tests tried, for docs/reliability.md: `e2e_figures[what] += n`; printed
# under "hardening figures (browser)" at the end of the run, with or without `-s`.
figures: Counter[str] = Counter()


@pytest.fixture
def e2e_figures() -> Counter[str]:
    return figures


def pytest_terminal_summary(terminalreporter):
    if figures:
        terminalreporter.section("hardening figures (browser)")
        for what, n in sorted(figures.items()):
            terminalreporter.write_line(f"{what}: {n}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """On a failure, show the end of the server's stderr and the pages' uncaught errors."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        server = funcargs.get("e2e_server")
        if isinstance(server, ServerProcess):
            report.sections.append(("live server log (tail)", server.log_tail()))
        errors = getattr(item, "_e2e_page_errors", None)
        if errors:
            report.sections.append(("browser page errors", "\n".join(errors)))
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing (make system-deps installs it as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


OpenWindow = Callable[..., Page]


# Demo accounts (seed_demo): "admin" may edit records; a sign-up may only read them.
EDITOR = ("admin", "tidewire-admin")


def log_in(page: Page, username: str, password: str, next_path: str) -> None:
    """Log in through the login form, as a person does, and land on `next_path`."""
    page.goto(f"/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")


NewPage = Callable[..., tuple[BrowserContext, Page]]


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, e2e_server: ServerProcess
) -> Iterator[NewPage]:
    """`new_page(label, **context_options)`: a page in a browser context of its own, as
    each person has (`context_options` go to Playwright's `new_context`).

    The page's uncaught errors are reported with a failure under `label`; every
    context is closed after the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []
    request.node._e2e_page_errors = errors

    def open_(label: str, **context_options) -> tuple[BrowserContext, Page]:
        context = browser.new_context(base_url=e2e_server.url, **context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{label}: {error}"))
        return context, page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def open_window(new_page: NewPage) -> OpenWindow:
    """Open `/window<n>/?record=<id>` in its own browser context, logged in through the form.

    Each window is its own browser (context), as two people are. By default it
    returns once the window is in sync: its socket is connected and the topic is
    joined (`body[data-synced]`), so a change made afterwards reaches it live.
    `setup(page)` runs before the page loads (e.g. to route requests).
    """

    def open_(
        window: int,
        record_id: int | None = None,
        *,
        connected: bool = True,
        account: tuple[str, str] = EDITOR,
        setup: Callable[[Page], None] | None = None,
    ) -> Page:
        _, page = new_page(f"window{window}")
        if setup is not None:
            setup(page)
        path = f"/window{window}/" + ("" if record_id is None else f"?record={record_id}")
        log_in(page, *account, next_path=path)
        if connected:
            expect(page.locator("#status")).to_have_attribute("data-status", "connected")
            expect(page.locator("body")).to_have_attribute("data-synced", "true")
        return page

    return open_


@pytest.fixture
def person(new_page: NewPage) -> Callable[..., tuple[BrowserContext, Page]]:
    """`person(password, username, path, **context_options)`: someone logged in, in a
    browser context of their own (`context_options` go to Playwright's `new_context`).

    Each person is their own browser (context), as two people are; by default it
    returns once the page's socket has joined its topics (`body[data-synced]`).
    """

    def open_(
        password: str, username: str, path: str, *, synced: bool = True, **context_options
    ) -> tuple[BrowserContext, Page]:
        context, page = new_page(username, **context_options)
        log_in(page, username, password, next_path=path)
        if synced:
            expect(page.locator("body")).to_have_attribute("data-synced", "true")
        return context, page

    return open_


@pytest.fixture
def api(e2e_server: ServerProcess) -> Iterator[httpx.Client]:
    """The REST API of the live server, with a bearer token for the editor account."""
    with httpx.Client(base_url=e2e_server.url, timeout=10) as client:
        tokens = client.post(
            "/api/auth/token/", json={"username": EDITOR[0], "password": EDITOR[1]}
        ).json()
        client.headers["Authorization"] = f"Bearer {tokens['access']}"
        yield client


@pytest.fixture
def make_record(api: httpx.Client) -> Callable[..., dict]:
    """Create a user record of this test's own through `POST /api/users/`."""

    def make(first_name: str | None = None, last_name: str | None = None) -> dict:
        token = uuid.uuid4().hex[:6]
        response = api.post(
            "/api/users/",
            json={
                "first_name": first_name or f"First-{token}",
                "last_name": last_name or f"Last-{token}",
            },
        )
        assert response.status_code == 201, response.text
        return response.json()

    return make
