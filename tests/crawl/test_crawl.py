"""Crawling the hazard site end to end, on both stores."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.crawl.exclusive import exclusive_crawl
from newsarchive.db.models import Article, FrontierURL, Host
from newsarchive.errors import CrawlBusy
from newsarchive.services import crawler
from tests import newsroom
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite


@pytest.fixture
def crawl_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "host_delay": 0.0,
            "fetch_timeout": 1.0,
            "fetch_retries": 1,
            "max_page_bytes": 1_000_000,
            "extract_workers": 0,
            "crawl_max_wait": 3.0,
            "user_agent": "newsarchive-test/1.0",
        }
    )


def stored_paths(sessions: sessionmaker[Session]) -> dict[str, Article]:
    with sessions() as session:
        return {urlsplit(a.url).path: a for a in session.scalars(select(Article))}


class TestHazardSite:
    @pytest.fixture
    def room(self, site: NewsSite, sessions: sessionmaker[Session]) -> newsroom.Newsroom:
        room = newsroom.build(site)
        add_source(
            sessions,
            "newsroom",
            home_url=room.home,
            feeds=[site.url("/feed.rss"), site.url("/atom.xml")],
        )
        return room

    def test_every_article_once_and_every_hazard_recorded(
        self, room: newsroom.Newsroom, crawl_settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        report = crawler(crawl_settings, sessions).run()

        stored = stored_paths(sessions)
        assert set(stored) == room.stored
        assert {a.source.name for a in stored.values()} == {"newsroom"}
        for path in room.stored - {"/news/flaky-report"}:
            assert len(room.site.requests_to(path)) == 1, path
        assert len(room.site.requests_to("/news/flaky-report")) == 2  # 503, then 200
        assert room.site.requests_to("/private/secret") == []
        assert len(room.site.requests_to("/robots.txt")) == 1
        assert all(h["user-agent"] == "newsarchive-test/1.0" for _p, h in room.site.requests)

        assert (report.status, report.counts["stored"], report.counts["duplicates"]) == (
            "finished",
            7,
            1,
        )
        assert (report.counts["skipped"], report.counts["failed"]) == (3, 3)
        assert report.counts["discovered"] == 14
        with sessions() as session:
            run = archive.get_run(session, report.run_id)
            reasons = {urlsplit(e.url).path: e.reason for e in run.errors}
            [per_source] = run.sources
        assert reasons["/private/secret"] == "disallowed by robots.txt"
        assert reasons["/report.pdf"] == "not HTML (application/pdf)"
        assert reasons["/news/huge-report"] == "larger than 1000000 bytes"
        assert reasons["/missing"] == "HTTP 404"
        assert reasons["/loop-a"].startswith("redirect loop")
        assert reasons["/news/slow-report"].startswith("timed out after 1 s (try 1 of 3")
        assert (per_source.source.name, per_source.stored, per_source.failed) == ("newsroom", 7, 3)

    def test_dates_come_from_page_feed_sitemap_in_that_order(
        self, room: newsroom.Newsroom, crawl_settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        crawler(crawl_settings, sessions).run()
        stored = stored_paths(sessions)
        feed_dated = stored["/news/report-2"]
        assert (feed_dated.date_source, feed_dated.published_at) == (
            "feed",
            datetime(2024, 1, 2, 8, 0, tzinfo=UTC),
        )
        sitemap_dated = stored["/news/report-5"]
        assert (sitemap_dated.date_source, sitemap_dated.published_at) == (
            "sitemap",
            datetime(2024, 1, 5, 5, 30, tzinfo=UTC),
        )
        assert stored["/news/2024/01/03/report-3"].date_source == "page"
        assert stored["/news/report-6"].title == "Доклад шесть"  # windows-1251 page

    def test_second_run_stores_nothing_and_asks_conditionally(
        self, room: newsroom.Newsroom, crawl_settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        crawler(crawl_settings, sessions).run()
        before = len(room.site.requests)
        again = crawler(crawl_settings, sessions).run()
        assert (again.counts["discovered"], again.counts["stored"], again.counts["fetched"]) == (
            0,
            0,
            0,
        )
        feed_requests = room.site.requests_to("/feed.rss")
        assert len(feed_requests) == 2
        assert feed_requests[1]["if-none-match"] == '"v1"'
        later = [path for path, _h in room.site.requests[before:]]
        assert not any(p.startswith("/news/2024") for p in later)

    def test_max_articles_bounds_the_run_and_the_next_run_carries_on(
        self, room: newsroom.Newsroom, crawl_settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        counts = crawler(crawl_settings, sessions).run(max_articles=3).counts
        assert counts["fetched"] + counts["skipped"] + counts["failed"] - 1 <= 3  # robots skips too
        crawler(crawl_settings, sessions).run()
        assert set(stored_paths(sessions)) == room.stored


def test_host_delay_is_kept(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """Every request to the host, robots.txt included, at least the delay after the one before,
    with several workers and a robots.txt slow enough to delay the first page's request."""
    links = [
        site.page(f"/n/{i}", article_html(f"S{i}", paragraphs=[f"{i} " + LOREM])) for i in range(6)
    ]
    feed = site.feed("/rss", links)
    site.slow("/robots.txt", 0.3, "User-agent: *\nAllow: /\n")
    add_source(sessions, "newsroom", feeds=[feed])
    settings = crawl_settings.model_copy(update={"host_delay": 0.4, "concurrency": 4})
    crawler(settings, sessions).run()
    times = sorted(t for t, path in site.times if path.startswith(("/n/", "/rss", "/robots")))
    assert len(times) == 8
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.399, sorted((round(t - times[0], 3), path) for t, path in site.times)


def test_robots_crawl_delay_wins_over_a_smaller_host_delay(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    site.page("/robots.txt", "User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain")
    links = [
        site.page(f"/n/{i}", article_html(f"S{i}", paragraphs=[f"{i} " + LOREM])) for i in range(3)
    ]
    feed = site.feed("/rss", links)
    add_source(sessions, "newsroom", feeds=[feed])
    crawler(crawl_settings, sessions).run()
    times = sorted(t for t, path in site.times if path.startswith("/n/"))
    assert [round(b - a, 1) >= 0.5 for a, b in zip(times, times[1:], strict=False)] == [True, True]
    with sessions() as session:
        assert {h.crawl_delay for h in session.scalars(select(Host))} == {0.5}


def test_extraction_runs_in_a_process_pool(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    links = [
        site.page(f"/p/{i}", article_html(f"P{i}", paragraphs=[f"{i} " + LOREM])) for i in range(6)
    ]
    feed = site.feed("/rss", links)
    add_source(sessions, "newsroom", feeds=[feed])
    report = crawler(crawl_settings.model_copy(update={"extract_workers": 2}), sessions).run()
    assert report.counts["stored"] == 6


def test_broken_feed_is_a_recorded_error(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    feed = site.page("/bad.rss", "<html><body>this is not a feed</body></html>")
    add_source(sessions, "newsroom", feeds=[feed])
    report = crawler(crawl_settings, sessions).run()
    assert report.status == "finished"
    with sessions() as session:
        [error] = archive.get_run(session, report.run_id).errors
        [source] = archive.list_sources(session)
    assert error.reason.startswith("feed: not a feed")
    assert source.feeds[0].last_error is not None


def test_not_due_sources_are_left_alone(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    feed = site.feed("/rss", [])
    add_source(sessions, "newsroom", feeds=[feed], interval_minutes=60)
    crawler(crawl_settings, sessions).run()
    crawler(crawl_settings, sessions).run()
    assert len(site.requests_to("/rss")) == 1
    crawler(crawl_settings, sessions).run(source="newsroom")  # named: now, due or not
    assert len(site.requests_to("/rss")) == 2


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL workers share
def test_a_second_sqlite_crawl_is_refused_while_one_runs(
    crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    with exclusive_crawl(crawl_settings.database_url) as alone:
        assert alone
        with pytest.raises(CrawlBusy):
            crawler(crawl_settings, sessions).run()


def test_frontier_rows_end_in_final_states(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    room = newsroom.build(site)
    add_source(
        sessions,
        "newsroom",
        home_url=room.home,
        feeds=[site.url("/feed.rss"), site.url("/atom.xml")],
    )
    crawler(crawl_settings, sessions).run()
    with sessions() as session:
        states = {urlsplit(f.url).path: f.state for f in session.scalars(select(FrontierURL))}
    assert states["/news/report-5"] == "done"
    assert states["/private/secret"] == "skipped"
    assert states["/missing"] == "failed"
    assert states["/news/slow-report"] == "queued"  # retryable: waits for a later run


def test_fetch_and_extraction_times_are_measured(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    from prometheus_client import generate_latest

    from newsarchive.crawl.metrics import METRICS

    def count(name: str, **labels: str) -> float:
        return METRICS.get_sample_value(name, labels) or 0.0

    before_ok = count("newsarchive_fetch_seconds_count", outcome="ok")
    before_failed = count("newsarchive_fetch_seconds_count", outcome="failed")
    before_extract = count("newsarchive_extract_seconds_count")
    page = site.page("/m/1", article_html("Measured", paragraphs=["measured " + LOREM]))
    feed = site.feed("/rss", [page, site.url("/m/gone")])
    add_source(sessions, "newsroom", feeds=[feed])
    crawler(crawl_settings, sessions).run()
    assert count("newsarchive_fetch_seconds_count", outcome="ok") == before_ok + 1
    assert count("newsarchive_fetch_seconds_count", outcome="failed") == before_failed + 1
    assert count("newsarchive_extract_seconds_count") == before_extract + 1
    assert b"newsarchive_extract_seconds_bucket" in generate_latest(METRICS)


def test_a_redirect_into_a_disallowed_path_is_not_followed(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    site.page("/private/secret", article_html("Secret", paragraphs=["hidden " + LOREM]))
    moved = site.redirect("/go/secret", "/private/secret")
    add_source(sessions, "newsroom", feeds=[site.feed("/rss", [moved])])
    report = crawler(crawl_settings, sessions).run()
    assert site.requests_to("/private/secret") == []
    assert (report.counts["stored"], report.counts["skipped"]) == (0, 1)
    with sessions() as session:
        [error] = archive.get_run(session, report.run_id).errors
    assert (
        error.reason == f"redirected to {site.url('/private/secret')}, which robots.txt disallows"
    )


def test_malformed_urls_in_a_page_or_a_redirect_fail_that_page_alone(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A canonical link, an image or a redirect's Location of "http://[bad" once ended the whole
    run (a ValueError from urljoin); the next run would have met it again."""
    odd = article_html(
        "Odd links",
        paragraphs=["Odd links below. " + LOREM],
        canonical="http://[bad",
        extra_head='<meta property="og:image" content="http://[::1">',
    )
    links = [
        site.page("/news/odd", odd),
        site.redirect("/news/moved", "http://[bad"),
        site.page("/news/plain", article_html("Plain story")),
    ]
    add_source(sessions, "newsroom", feeds=[site.feed("/rss", links)])
    report = crawler(crawl_settings, sessions).run()
    assert (report.status, report.counts["stored"], report.counts["failed"]) == ("finished", 2, 1)
    assert sorted(a.title for a in stored_paths(sessions).values()) == ["Odd links", "Plain story"]
    with sessions() as session:
        [error] = archive.get_run(session, report.run_id).errors
    assert (error.url, error.reason) == (links[1], "redirect to a non-http URL: http://[bad")


def test_malformed_urls_in_robots_feeds_and_sitemaps_are_left_out(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A robots.txt Sitemap line, a feed link or a sitemap <loc> of "http://[bad" is no URL: the
    line is a recorded listing failure or is dropped, and the rest of the run goes on."""
    site.page("/robots.txt", "User-agent: *\nSitemap: http://[bad\n", content_type="text/plain")
    sitemap = site.page(
        "/sitemap.xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://[bad</loc></url><url><loc>{site.url('/a')}</loc></url></urlset>",
        content_type="application/xml",
    )
    site.page("/a", article_html("A story"))
    site.page("/b", article_html("B story", paragraphs=["B story text. " * 40]))
    feed = site.feed("/rss", ["http://[bad", "https://[::1]:99999/x", site.url("/b")])
    add_source(sessions, "newsroom", home_url=site.url("/"), feeds=[feed], sitemaps=[sitemap])
    report = crawler(crawl_settings, sessions).run()
    assert (report.status, report.counts["stored"], report.counts["failed"], report.counts["feeds_failed"]) == (
        "finished", 2, 0, 1,
    )  # fmt: skip
    assert report.feed_error == "sitemap: not an http URL: http://[bad at http://[bad"
    assert sorted(stored_paths(sessions)) == ["/a", "/b"]


def test_tracking_parameters_are_not_kept(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A feed whose links carry utm_*: neither the article nor the queue keeps them."""
    page = site.page("/news/tracked", article_html("Tracked story"))
    feed = site.feed("/rss", [page + "?utm_source=rss&utm_medium=feed&id=7#top"])
    add_source(sessions, "newsroom", feeds=[feed])
    crawler(crawl_settings, sessions).run()
    with sessions() as session:
        [article] = session.scalars(select(Article)).all()
        queued = list(session.scalars(select(FrontierURL.url)))
    assert article.url == page + "?id=7"
    assert queued == [page + "?id=7"]


def test_a_host_that_wants_a_long_wait_is_left_for_a_later_run(
    site: NewsSite, crawl_settings: Settings, sessions: sessionmaker[Session]
) -> None:
    """A robots.txt Crawl-delay longer than NEWSARCHIVE_CRAWL_MAX_WAIT: the run ends at once
    and leaves the pages queued, instead of a worker asleep for an hour."""
    links = [site.page(f"/d/{i}", article_html(f"D{i}")) for i in range(3)]
    # slow, so that other workers hold claims on the host when the Crawl-delay becomes known
    site.slow("/robots.txt", 0.5, "User-agent: *\nCrawl-delay: 3600\n")
    add_source(sessions, "newsroom", feeds=[site.feed("/rss", links)])
    started = time.monotonic()
    report = crawler(crawl_settings.model_copy(update={"crawl_max_wait": 2.0}), sessions).run()
    assert time.monotonic() - started < 30
    assert report.status == "finished"
    with sessions() as session:
        states = sorted(session.scalars(select(FrontierURL.state)))
    assert "queued" in states
    assert len(site.requests_to("/d/0")) + len(site.requests_to("/d/1")) <= 1
