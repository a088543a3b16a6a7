"""The admin page over plain HTTP (no browser): what a request does to the rest of the server."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.admin.conftest import TOKEN, Admin, LiveServer
from tests.factories import add_article
from tests.pages import article_html
from tests.site import NewsSite


def csrf(client: httpx.Client, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match[1]


def logged_in(live: LiveServer) -> httpx.Client:
    client = httpx.Client(base_url=live.url, timeout=30)
    token = csrf(client, "/admin/login")
    response = client.post("/admin/login", data={"token": TOKEN, "csrf": token, "next": "/admin/"})
    assert response.status_code == 303, response.text
    return client


def test_an_ingest_from_the_admin_page_does_not_block_the_server(
    live: LiveServer, site: NewsSite
) -> None:
    """The page takes 3 s to arrive: the API keeps answering meanwhile, and a run is recorded."""
    url = site.slow("/news/slow", 3.0, article_html("Slow story"))
    client = logged_in(live)
    try:
        form = {"url": url, "csrf": csrf(client, "/admin/ingest")}
        done: list[httpx.Response] = []
        ingest = threading.Thread(
            target=lambda: done.append(client.post("/admin/ingest", data=form))
        )
        ingest.start()
        while not site.requests_to("/news/slow"):  # the fetch is under way
            assert ingest.is_alive()
        health = httpx.get(f"{live.url}/api/health", timeout=10)
        still_fetching = ingest.is_alive()
        ingest.join(timeout=30)
    finally:
        client.close()
    assert health.status_code == 200
    assert still_fetching, "/api/health waited for the admin page's ingest"
    assert done[0].status_code == 303
    runs = httpx.get(f"{live.url}/api/runs").json()["items"]
    assert [(r["kind"], r["stored"]) for r in runs] == [("ingest", 1)]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin/articles/9223372036854775808", 404),
        ("/admin/runs/2147483648", 404),
        ("/admin/sources/2147483648", 404),
        ("/admin/articles/abc", 422),
        ("/admin/articles?cursor=WyIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgdHJ1ZV0", 200),
    ],
)
def test_bad_input_on_the_admin_page_is_a_page_with_its_headers(
    admin: Admin, path: str, status: int
) -> None:
    response = admin.client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert "Content-Security-Policy" in response.headers
    if path.startswith("/admin/articles?"):
        assert "invalid cursor" in response.text


def test_an_article_dated_by_a_day_shows_the_day_without_a_time(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    at = datetime(2022, 12, 19, 23, tzinfo=UTC)  # midnight in Berlin
    article_id = add_article(
        sessions, "Markt", "Weihnachtsmarkt text", at, precision="day", offset=60
    )
    page = admin.client.get(f"/admin/articles/{article_id}").text
    assert "<dt>Published</dt><dd>2022-12-20 <span" in page  # no invented time
    listing = admin.client.get("/admin/articles").text
    assert "<td>2022-12-20</td>" in listing


def test_a_precise_date_is_shown_in_the_sites_own_time(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    """00:30 in Berlin on January 6 is not shown as '2024-01-06 (23:30 UTC)'."""
    at = datetime(2024, 1, 5, 23, 30, tzinfo=UTC)
    article_id = add_article(sessions, "Nacht", "Nachtbus text", at, offset=60)
    page = admin.client.get(f"/admin/articles/{article_id}").text
    assert "<dt>Published</dt><dd>2024-01-06 00:30 (UTC+01:00) <span" in page
