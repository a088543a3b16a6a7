"""Revisions over the API, on both stores: an article's versions with their diffs, the changed
and removed filters, the Atom feed of changes, search over the newest text."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.db.models import Article
from newsarchive.services import crawler
from tests.api.conftest import AUTH
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def crawl(settings: Settings, sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    every_run = settings.model_copy(
        update={"revisit_after": "0", "host_delay": 0.0, "extract_workers": 0}
    )
    return lambda: crawler(every_run, sessions).run()


@pytest.fixture
def changed_and_removed(site: NewsSite, sessions: sessionmaker[Session], crawl) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Three stories crawled; then one corrected, one taken down (404 twice), one as it was."""
    paths = ["/news/ferry", "/news/bridge", "/news/fair"]
    for path in paths:
        site.page(
            path, article_html(path[6:].title(), paragraphs=[f"The {path[6:]} opens. " + LOREM])
        )
    add_source(sessions, "harbour", feeds=[site.feed("/rss", [site.url(p) for p in paths])])
    crawl()
    corrected = ["The ferry opens. <b>Late</b>, the harbour master says. " + LOREM]
    site.page("/news/ferry", article_html("Ferry", paragraphs=corrected))
    site.gone("/news/bridge", 404)
    crawl()
    crawl()
    with sessions() as session:  # the crawl's threads store them in any order
        return {a.url.rsplit("/", 1)[1]: a.id for a in session.scalars(select(Article))}


def test_the_versions_of_a_changed_article(
    client: TestClient, changed_and_removed: dict[str, int]
) -> None:
    ferry = changed_and_removed["ferry"]
    article = client.get(f"/api/articles/{ferry}").json()
    assert (article["revision_count"], article["removed_at"]) == (2, None)
    versions = client.get(f"/api/articles/{ferry}/revisions").json()
    assert [(v["revision"], v["changed"]) for v in versions] == [(1, []), (2, ["text"])]
    assert versions[0]["diff"] == ""
    # the page's text, markup characters and all: whoever shows it escapes it
    assert versions[1]["diff"].startswith(
        "The ferry opens. {+<b>Late</b>, the harbour master says.+} The city council"
    )
    unchanged = client.get(f"/api/articles/{changed_and_removed['fair']}/revisions").json()
    assert [(v["revision"], v["changed"], v["diff"]) for v in unchanged] == [(1, [], "")]
    assert client.get("/api/articles/999/revisions").status_code == 404


def test_changed_and_removed_filters(
    client: TestClient, changed_and_removed: dict[str, int]
) -> None:
    def titles(**params: str) -> list[str]:
        return [a["title"] for a in client.get("/api/articles", params=params).json()["items"]]

    assert titles(changed="true") == ["Ferry"]
    assert titles(removed="true") == ["Bridge"]
    assert sorted(titles()) == ["Bridge", "Fair", "Ferry"]  # a removed article stays
    bridge = client.get(f"/api/articles/{changed_and_removed['bridge']}").json()
    assert bridge["removed_at"] is not None


def test_search_finds_the_newest_text(
    client: TestClient, changed_and_removed: dict[str, int]
) -> None:
    hits = client.get("/api/search", params={"q": "harbour master"}).json()["items"]
    assert [hit["title"] for hit in hits] == ["Ferry"]


def test_the_changes_feed(client: TestClient, changed_and_removed: dict[str, int]) -> None:
    response = client.get("/api/changes.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Revision 2: Ferry"]
    summary = entries[0].findtext(f"{ATOM}summary") or ""
    assert summary.startswith("Changed: text. The ferry opens. {+<b>Late</b>, the harbour")
    assert entries[0].findtext(f"{ATOM}id", "").endswith("/news/ferry#revision-2")


def test_revisit_now_keeps_a_change_and_follows_a_takedown(
    client: TestClient, site: NewsSite
) -> None:
    url = site.page("/news/now", article_html("Harbour opens"))
    created = client.post("/api/ingest", json={"url": url}, headers=AUTH)
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    assert client.post(f"/api/articles/{article_id}/revisit").status_code == 401
    same = client.post(f"/api/articles/{article_id}/revisit", headers=AUTH)
    assert same.status_code == 200, same.text
    assert (same.json()["status"], same.json()["changed"]) == ("unchanged", None)

    site.page("/news/now", article_html("Harbour opens late"))
    changed = client.post(f"/api/articles/{article_id}/revisit", headers=AUTH).json()
    assert (changed["status"], changed["changed"]) == ("revised", "title")
    assert changed["article"]["title"] == "Harbour opens late"
    assert changed["article"]["revision_count"] == 2
    versions = client.get(f"/api/articles/{article_id}/revisions").json()
    assert [v["title"] for v in versions] == ["Harbour opens", "Harbour opens late"]

    site.gone("/news/now", 410)
    gone = client.post(f"/api/articles/{article_id}/revisit", headers=AUTH).json()
    assert (gone["status"], gone["gone"]) == ("gone", "HTTP 410")
    assert client.post("/api/articles/999999/revisit", headers=AUTH).status_code == 404


def test_a_revisit_that_cannot_fetch_is_a_502(client: TestClient, site: NewsSite) -> None:
    url = site.page("/news/flaky", article_html("Harbour opens"))
    article_id = client.post("/api/ingest", json={"url": url}, headers=AUTH).json()["id"]
    site.gone("/news/flaky", 500)
    failed = client.post(f"/api/articles/{article_id}/revisit", headers=AUTH)
    assert failed.status_code == 502, failed.text
    assert "HTTP 500" in failed.json()["detail"]
