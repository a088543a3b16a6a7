"""Source health against the local news site, on both stores: a source whose pages lose their
dates gets dates_missing (shown in its health, in /metrics), which closes when dates come back;
a source with a few odd pages gets none; a failing source gets fetch_failing."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.services import crawler
from tests.factories import add_source
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite


class Site:
    """One source's feed, refilled before each crawl with new pages."""

    def __init__(self, site: NewsSite, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.site, self.settings, self.sessions, self.n = site, settings, sessions, 0
        self.source_id = add_source(sessions, "harbour", feeds=[site.url("/rss")])

    def crawl(self, pages: int, *, dated: bool | float = True) -> None:
        """`pages` new articles; `dated`: all, none, or the share that carry a date."""
        rng = random.Random(self.n)
        links = []
        for _ in range(pages):
            self.n += 1
            with_date = dated if isinstance(dated, bool) else rng.random() < dated
            html = article_html(
                f"Story {self.n}", paragraphs=story_paragraphs(self.n, paragraphs=2),
                published="2024-03-05T09:30:00+01:00" if with_date else None,
            )  # fmt: skip
            links.append(self.site.page(f"/news/{self.n}", html))
        self.site.feed("/rss", links)
        crawler(self.settings, self.sessions).run()


@pytest.fixture
def harbour(site: NewsSite, sessions: sessionmaker[Session], settings: Settings) -> Site:
    fast = settings.model_copy(
        update={"host_delay": 0.0, "extract_workers": 0, "revisit_after": "", "concurrency": 4}
    )
    return Site(site, sessions, fast)


def alerts(client: TestClient, source_id: int) -> list[tuple[str, bool]]:
    health = client.get(f"/api/sources/{source_id}/health").json()
    return [(a["kind"], a["open"]) for a in health["alerts"]]


def test_dates_vanish_then_return(harbour: Site, client: TestClient) -> None:
    harbour.crawl(35)
    assert alerts(client, harbour.source_id) == []
    harbour.crawl(20, dated=False)  # the redesign: no date on the page any more
    assert alerts(client, harbour.source_id) == [("dates_missing", True)]
    metrics = client.get("/metrics").text
    assert 'newsarchive_source_alert{kind="dates_missing",source="harbour"} 1.0' in metrics
    health = client.get(f"/api/sources/{harbour.source_id}/health").json()
    [today] = health["days"]
    assert (today["stored"], today["with_page_date"], today["with_title"]) == (55, 35, 55)
    harbour.crawl(20)  # fixed
    assert alerts(client, harbour.source_id) == [("dates_missing", False)]
    assert "newsarchive_source_alert{" not in client.get("/metrics").text


def test_a_few_odd_pages_open_nothing(harbour: Site, client: TestClient) -> None:
    harbour.crawl(35)
    harbour.crawl(20, dated=0.85)
    assert alerts(client, harbour.source_id) == []


def test_a_failing_source_is_told(
    site: NewsSite, sessions: sessionmaker[Session], settings: Settings, client: TestClient
) -> None:
    fast = settings.model_copy(update={"host_delay": 0.0, "extract_workers": 0})
    source_id = add_source(sessions, "gone", feeds=[site.url("/missing-feed")])
    for _ in range(3):
        crawler(fast, sessions).run()
    assert alerts(client, source_id) == [("fetch_failing", True)]
    health = client.get(f"/api/sources/{source_id}/health").json()
    assert health["fetch"]["consecutive_failed_runs"] == 3
    assert health["fetch"]["last_success_at"] is None
