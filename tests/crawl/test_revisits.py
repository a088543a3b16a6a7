"""Revisits on both stores, against the local news site: a changed page becomes a revision,
an unchanged one nothing, a page gone twice a run apart is marked removed, one that comes back
is restored, and a kill in the middle of revisits leaves no half revision."""

from __future__ import annotations

import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.db.base import utc_now
from newsarchive.db.models import Article, Revision
from newsarchive.db.session import session_scope
from newsarchive.services import crawler
from tests.crawl.test_crawl_workers import (
    article_count,
    crawl_process,
    kill,
    next_run,
    wait_while_running,
)
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite

FIRST = ["The ferry to the island leaves at nine every morning. " + LOREM, LOREM]
CORRECTED = ["The ferry to the island leaves at ten every morning. " + LOREM, LOREM]


@pytest.fixture
def every_run(settings: Settings) -> Settings:
    """Revisit at every crawl run, no host delay, extraction in the crawl's process."""
    return settings.model_copy(
        update={"revisit_after": "0", "host_delay": 0.0, "extract_workers": 0}
    )


@pytest.fixture
def story(site: NewsSite, sessions: sessionmaker[Session]) -> str:
    """One article in a feed, under source 'harbour'; its path."""
    url = site.page("/news/ferry", article_html("Ferry timetable", paragraphs=FIRST))
    add_source(sessions, "harbour", feeds=[site.feed("/rss", [url])])
    return "/news/ferry"


def the_article(sessions: sessionmaker[Session]) -> Article:
    with sessions() as session:
        return session.scalars(select(Article)).one()


def test_a_changed_page_becomes_a_second_revision(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    first = crawler(every_run, sessions).run()
    assert (first.counts["stored"], first.counts["revisited"]) == (1, 0)
    site.page(story, article_html("Ferry timetable changed", paragraphs=CORRECTED))
    second = crawler(every_run, sessions).run()
    assert (second.counts["stored"], second.counts["revisited"], second.counts["revised"]) == (
        0,
        1,
        1,
    )
    assert "revisited 1, revised 1" in second.line()

    article = the_article(sessions)
    assert (article.revision_count, article.title) == (2, "Ferry timetable changed")
    assert "leaves at ten" in article.text
    with sessions() as session:
        versions = archive.list_revisions(session, article.id)
    assert [(v.revision, v.title, v.changed) for v in versions] == [
        (1, "Ferry timetable", []),
        (2, "Ferry timetable changed", ["title", "text"]),
    ]
    assert "leaves at nine" in versions[0].text
    # each version keeps its own page
    assert b"leaves at nine" in zlib.decompress(versions[0].raw)
    assert b"leaves at ten" in zlib.decompress(versions[1].raw)

    third = crawler(every_run, sessions).run()  # unchanged since: nothing new
    assert (third.counts["revisited"], third.counts["revised"]) == (1, 0)
    assert the_article(sessions).revision_count == 2


def test_an_unchanged_page_creates_nothing(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    report = crawler(every_run, sessions).run()
    assert (
        report.counts["revisited"],
        report.counts["revised"],
        report.counts["stored"],
        report.counts["duplicates"],
    ) == (1, 0, 0, 0)
    assert the_article(sessions).revision_count == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Revision)) == 0
    assert len(site.requests_to(story)) == 2


def test_a_revisit_asks_conditionally(
    site: NewsSite, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    html = article_html("Tide tables", paragraphs=FIRST).encode()
    url = site.listing("/news/tides", html, "text/html; charset=utf-8", etag='"t1"')
    add_source(sessions, "harbour", feeds=[site.feed("/rss", [url])])
    crawler(every_run, sessions).run()
    report = crawler(every_run, sessions).run()
    assert (report.counts["revisited"], report.counts["revised"]) == (1, 0)
    asked = [headers for path, headers in site.requests if path == "/news/tides"]
    assert [h.get("if-none-match") for h in asked] == [None, '"t1"']


def test_the_default_schedule_waits_an_hour(
    story: str, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    fast = settings.model_copy(update={"host_delay": 0.0, "extract_workers": 0})
    assert fast.revisit_after == "1h,1d,7d"
    crawler(fast, sessions).run()
    assert crawler(fast, sessions).run().counts["revisited"] == 0
    later = utc_now() + timedelta(hours=1, minutes=1)
    assert crawler(fast, sessions, clock=lambda: later).run().counts["revisited"] == 1
    article = the_article(sessions)
    assert article.revisits_done == 1
    assert article.revisit_at == article.first_seen_at + timedelta(days=1)


def test_gone_twice_a_run_apart_is_removed_and_a_return_restores_it(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    site.gone(story, 404)
    crawler(every_run, sessions).run()
    once = the_article(sessions)
    assert once.gone_since is not None
    assert once.removed_at is None  # one 404 may be a glitch
    site.gone(story, 410)
    crawler(every_run, sessions).run()
    removed = the_article(sessions)
    assert removed.removed_at is not None
    with sessions() as session:
        assert [t.reason for t in archive.list_takedowns(session, removed.id)] == ["HTTP 410"]
        assert archive.count_articles(session) == 1  # it stays in the archive
    site.page(story, article_html("Ferry timetable", paragraphs=FIRST))
    crawler(every_run, sessions).run()
    back = the_article(sessions)
    assert (back.removed_at, back.gone_since, back.revision_count) == (None, None, 1)
    with sessions() as session:
        [takedown] = archive.list_takedowns(session, back.id)
    assert takedown.restored_at is not None


def test_gone_then_back_is_not_removed(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    site.gone(story, 404)
    crawler(every_run, sessions).run()
    site.page(story, article_html("Ferry timetable", paragraphs=FIRST))
    crawler(every_run, sessions).run()
    article = the_article(sessions)
    assert (article.removed_at, article.gone_since) == (None, None)
    with sessions() as session:
        assert archive.list_takedowns(session, article.id) == []


def test_a_redirect_to_the_home_page_counts_as_removed(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    site.page("/", "<html><body><h1>Home</h1></body></html>")
    site.redirect(story, site.url("/"))
    crawler(every_run, sessions).run()
    crawler(every_run, sessions).run()
    article = the_article(sessions)
    assert article.removed_at is not None
    with sessions() as session:
        [takedown] = archive.list_takedowns(session, article.id)
    assert takedown.reason == f"redirected to the home page {site.url('/')}"


def test_a_killed_crawl_leaves_no_half_revision(
    db_url: str, settings: Settings, site: NewsSite, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Every article's revision count matches its kept versions after a SIGKILL in the middle
    of revisits, and the next run finishes the rest."""
    links = []
    for i in range(10):
        html = article_html(f"Story {i}", paragraphs=[f"Story {i} begins. " + LOREM, LOREM])
        links.append(site.page(f"/story/{i}", html))
    add_source(sessions, "slow", feeds=[site.feed("/feed.rss", links)])
    next_run(settings, sessions, revisit_after="0")  # (stores them, in this process)
    assert article_count(sessions) == 10
    env = {"NEWSARCHIVE_REVISIT_AFTER": "0", "NEWSARCHIVE_CRAWL_LEASE": "1"}
    for i in range(10):  # every page changed, and slow to answer
        changed = [f"Story {i} was corrected. " + LOREM, LOREM]
        site.slow(f"/story/{i}", 0.3, article_html(f"Story {i}", paragraphs=changed))

    victim = crawl_process(db_url, tmp_path, **env)
    wait_while_running(victim, lambda: revised_count(sessions) >= 2)
    kill(victim)
    assert 2 <= revised_count(sessions) < 10
    assert whole_revisions(sessions)

    time.sleep(1.1)  # the killed worker's leases run out
    next_run(settings, sessions, revisit_after="0", crawl_lease=1)
    assert revised_count(sessions) == 10
    assert whole_revisions(sessions)


def revised_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(Article).where(Article.revision_count > 1)
        return session.scalar(query) or 0


def whole_revisions(sessions: sessionmaker[Session]) -> bool:
    """Each article has no versions kept (never changed) or exactly revision_count of them,
    the newest matching the article row."""
    with sessions() as session:
        for article in session.scalars(select(Article)):
            versions = archive.list_revisions(session, article.id)
            if article.revision_count == 1 and not versions:
                continue
            if [v.revision for v in versions] != list(range(1, article.revision_count + 1)):
                return False
            if versions[-1].text != article.text:
                return False
    return True


def test_one_change_is_one_revision_however_often_it_is_seen(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    """The row keeps the first day and the feed's title; the next revisit compares with the
    newest version as its page gave it, so the same page is no new change."""
    crawler(every_run, sessions).run()
    later = article_html("Ferry timetable", paragraphs=FIRST, published="2024-03-06T10:00:00+01:00")
    site.page(story, later)
    reports = [crawler(every_run, sessions).run() for _ in range(3)]
    assert [r.counts["revised"] for r in reports] == [1, 0, 0]
    article = the_article(sessions)
    with sessions() as session:
        assert [v.changed for v in archive.list_revisions(session, article.id)] == [[], ["dates"]]
    assert article.published_day.isoformat() == "2024-03-05"  # the archive keeps its day


def test_a_failed_revisit_neither_restores_nor_breaks_a_streak(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    site.gone(story, 404)
    crawler(every_run, sessions).run()
    crawler(every_run, sessions).run()
    assert the_article(sessions).removed_at is not None
    site.gone(story, 403)  # a refusal says nothing of whether the story is back
    report = crawler(every_run, sessions).run()
    assert report.counts["failed"] == 1
    assert the_article(sessions).removed_at is not None


def test_a_deleted_article_is_not_stored_again(
    site: NewsSite, story: str, every_run: Settings, sessions: sessionmaker[Session]
) -> None:
    crawler(every_run, sessions).run()
    with session_scope(sessions) as session:
        archive.delete_article(session, the_article(sessions).id)
    report = crawler(every_run, sessions).run()
    assert (report.counts["stored"], report.counts["revisited"]) == (0, 0)
    with sessions() as session:
        assert archive.count_articles(session) == 0
