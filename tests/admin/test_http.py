"""The admin page over plain HTTP (no browser): what a request does to the rest of the server."""

from __future__ import annotations

import re
import threading

import httpx

from tests.admin.conftest import TOKEN, LiveServer
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
