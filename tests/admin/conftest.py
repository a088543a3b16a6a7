"""The admin page two ways: over HTTP in-process (`admin`: TestClient, pages parsed with lxml,
as most tests use it), and in a real browser on a real server (`page`: Debian's chromium driven by
Playwright, for what only a browser shows: scripts, layout, cross-site posts).

With CI=true a missing browser fails the run; elsewhere the browser tests skip.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
import uvicorn
from fastapi.testclient import TestClient

from newsarchive.api.app import create_app
from newsarchive.config import Settings
from tests.conftest import IN_CI
from tests.site import free_port

CHROMIUM = os.environ.get("NEWSARCHIVE_TEST_CHROMIUM", "/usr/bin/chromium")
TOKEN = "test-token"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(
                f"the browser tests need {CHROMIUM} (apt-get install chromium) when CI=true"
            )
        pytest.skip(f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


@pytest.fixture
def page(browser, live: LiveServer) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context; the test fails if any page logs a console error, except the
    HTTP statuses a test declares it provokes on purpose (tab.expected_statuses)."""
    context = browser.new_context(base_url=live.url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.expected_statuses = set()
    errors: list[str] = []
    tab.on(
        "console",
        lambda msg: errors.append(f"{msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    provoked = tuple(f"status of {code} " for code in tab.expected_statuses)
    assert [e for e in errors if not any(p in e for p in provoked)] == [], errors


def log_in(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin/")
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


class Admin:
    """A logged-in admin over HTTP: pages come back parsed, forms go out with their CSRF token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @staticmethod
    def parse(html: str) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(html)

    def get(self, path: str, status: int = 200) -> lxml.html.HtmlElement:
        response = self.client.get(path)
        assert response.status_code == status, response.text
        return self.parse(response.text)

    def csrf(self, path: str = "/admin/ingest") -> str:
        return str(self.get(path).xpath("string(//input[@name='csrf']/@value)"))

    def post(self, path: str, form: dict[str, object], status: int = 200) -> lxml.html.HtmlElement:
        """Post `form` like a browser (the token from the admin's own page, redirects followed);
        returns the page it ends on."""
        response = self.client.post(path, data={**form, "csrf": self.csrf()})
        assert response.status_code == status, response.text
        return self.parse(response.text)


def text(page: lxml.html.HtmlElement, css: str) -> str:
    """The text of what `css` selects, spaces collapsed, as a reader sees it."""
    return " ".join(" ".join(e.text_content().split()) for e in page.cssselect(css))


def open_admin(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture
def admin(settings: Settings) -> Iterator[Admin]:
    with open_admin(settings) as client:
        login = Admin(client)
        token = login.csrf("/admin/login")
        response = client.post("/admin/login", data={"token": TOKEN, "csrf": token})
        assert response.url.path == "/admin/", response.text
        yield login
