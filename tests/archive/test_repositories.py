"""The repositories called directly, on both stores: what each promises its callers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.errors import (
    ArticleNotFound,
    Conflict,
    InvalidInput,
    RunNotFound,
    SourceNotFound,
)
from tests.factories import add_article, add_source

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


class TestSources:
    def test_create_find_and_the_errors_by_name_and_id(
        self, sessions: sessionmaker[Session]
    ) -> None:
        source_id = add_source(sessions, "harbour", feeds=["https://h.example/rss"])
        with session_scope(sessions) as session:
            assert archive.get_source(session, source_id).name == "harbour"
            assert archive.find_source(session, "nobody") is None
            with pytest.raises(Conflict, match="a source named 'harbour' already exists"):
                archive.create_source(session, "harbour", archive.SourceFields())
            with pytest.raises(SourceNotFound, match="source 'nobody' not found"):
                archive.get_source_by_name(session, "nobody")
            with pytest.raises(SourceNotFound, match="source 2147483648 not found"):
                archive.get_source(session, 2**31)  # beyond the id range: no query at all

    def test_update_replaces_only_the_lists_given_and_keeps_feed_rows(
        self, sessions: sessionmaker[Session]
    ) -> None:
        source_id = add_source(
            sessions, "h", feeds=["https://h.example/a", "https://h.example/b"],
            sitemaps=["https://h.example/s.xml"],
        )  # fmt: skip
        with session_scope(sessions) as session:
            source = archive.get_source(session, source_id)
            kept = {f.url: f.id for f in source.feeds}["https://h.example/b"]
            fields = archive.SourceFields(feeds=["https://h.example/b"], interval_minutes=15)
            archive.update_source(session, source, fields)
        with sessions() as session:
            source = archive.get_source(session, source_id)
            assert sorted((f.kind, f.url) for f in source.feeds) == [
                ("feed", "https://h.example/b"), ("sitemap", "https://h.example/s.xml"),
            ]  # fmt: skip
            assert {f.url: f.id for f in source.feeds}["https://h.example/b"] == kept
            assert source.interval_minutes == 15

    def test_a_url_cannot_be_both_feed_and_sitemap(self, sessions: sessionmaker[Session]) -> None:
        with session_scope(sessions) as session, pytest.raises(InvalidInput, match="both"):
            archive.create_source(
                session, "h", archive.SourceFields(feeds=["https://x/f"], sitemaps=["https://x/f"])
            )

    def test_delete_is_refused_while_articles_remain_unless_asked(
        self, sessions: sessionmaker[Session]
    ) -> None:
        add_article(sessions, "One", "text one", source="h")
        with session_scope(sessions) as session:
            source = archive.get_source_by_name(session, "h")
            with pytest.raises(Conflict, match="has 1 articles"):
                archive.delete_source(session, source)
        with session_scope(sessions) as session:
            archive.delete_source(
                session, archive.get_source_by_name(session, "h"), with_articles=True
            )
        with sessions() as session:
            assert (archive.list_sources(session), archive.count_articles(session)) == ([], 0)

    def test_due_sources_follow_interval_enabled_and_auto(
        self, sessions: sessionmaker[Session]
    ) -> None:
        hourly = add_source(sessions, "hourly", interval_minutes=60)
        add_source(sessions, "off", enabled=False)
        with session_scope(sessions) as session:
            archive.source_for_host(session, "auto.example")  # found by ingest: never crawled
            assert archive.mark_crawled(session, hourly, NOW, due_before=None)
        with sessions() as session:
            assert [s.name for s in archive.due_sources(session, NOW + timedelta(minutes=59))] == []
            assert [s.name for s in archive.due_sources(session, NOW + timedelta(minutes=60))] == [
                "hourly"
            ]

    def test_only_one_worker_wins_a_sources_discovery(
        self, sessions: sessionmaker[Session]
    ) -> None:
        source_id = add_source(sessions, "s")
        with session_scope(sessions) as session:
            assert archive.mark_crawled(session, source_id, NOW, due_before=NOW)
        with session_scope(sessions) as session:  # a second worker, a moment later
            assert not archive.mark_crawled(session, source_id, NOW, due_before=NOW - timedelta(1))


class TestArticles:
    def test_get_list_filter_page_and_delete(self, sessions: sessionmaker[Session]) -> None:
        ids = [
            add_article(sessions, f"A{i}", f"text {i}", NOW - timedelta(days=i), source=src)
            for i, src in enumerate(["a", "b", "a"])
        ]
        with sessions() as session:
            first = archive.list_articles(session, archive.ArticleFilters(source="a"), limit=1)
            assert [a.title for a in first.items] == ["A0"]
            rest = archive.list_articles(
                session, archive.ArticleFilters(source="a"), limit=1, cursor=first.next_cursor
            )
            assert ([a.title for a in rest.items], rest.next_cursor) == (["A2"], None)
            day = (NOW - timedelta(days=1)).date()
            one_day = archive.ArticleFilters(date_from=day, date_to=day)
            assert [a.title for a in archive.list_articles(session, one_day).items] == ["A1"]
            assert archive.article_ids(session, after=ids[0]) == ids[1:]
        with session_scope(sessions) as session:
            archive.delete_article(session, ids[1])
        with sessions() as session, pytest.raises(ArticleNotFound, match=f"article {ids[1]}"):
            archive.get_article(session, ids[1])

    def test_a_reversed_range_and_a_bad_cursor_are_refused(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with pytest.raises(InvalidInput, match="after"):
            archive.check_day_range(date(2024, 5, 3), date(2024, 5, 1))
        with sessions() as session, pytest.raises(InvalidInput, match="cursor"):
            archive.list_articles(session, archive.ArticleFilters(), cursor="not-a-cursor")

    def test_day_counts_follow_inserts_and_deletes(self, sessions: sessionmaker[Session]) -> None:
        first = add_article(sessions, "A", "text a", datetime(2024, 5, 1, 9, tzinfo=UTC))
        add_article(sessions, "B", "text b", datetime(2024, 5, 1, 18, tzinfo=UTC))
        add_article(
            sessions, "C", "text c", datetime(2024, 6, 2, 9, tzinfo=UTC), date_source="first_seen"
        )
        with sessions() as session:
            assert [(r.key, r.count, r.undated) for r in archive.archive_years(session)] == [
                (2024, 3, 1)
            ]
            assert [(r.key, r.count) for r in archive.archive_months(session, 2024)] == [
                (5, 2),
                (6, 1),
            ]
            assert archive.latest_day(session) == date(2024, 6, 2)
        with session_scope(sessions) as session:
            archive.delete_article(session, first)
        with sessions() as session:
            assert archive.day_counts_between(session, date(2024, 5, 1), date(2024, 5, 1)) == {
                date(2024, 5, 1): 1
            }


class TestRuns:
    def test_counts_add_up_per_run_and_per_source(self, sessions: sessionmaker[Session]) -> None:
        source_id = add_source(sessions, "s")
        with session_scope(sessions) as session:
            run_id = archive.start_run(session, "crawl", NOW).id
            archive.count(session, run_id, {"fetched": 2, "stored": 1}, source_id)
            archive.count(session, run_id, {"fetched": 1, "failed": 1}, source_id)
            with pytest.raises(ValueError, match="unknown run counters"):
                archive.count(session, run_id, {"eaten": 1})
            archive.finish_run(session, run_id)
        with sessions() as session:
            run = archive.get_run(session, run_id)
            assert (run.status, run.fetched, run.stored, run.failed) == ("finished", 3, 1, 1)
            assert [(s.fetched, s.stored, s.failed) for s in run.sources] == [(3, 1, 1)]
            with pytest.raises(RunNotFound, match=f"run {run_id + 1} not found"):
                archive.get_run(session, run_id + 1)

    def test_a_silent_run_is_interrupted_and_a_beating_one_is_not(
        self, sessions: sessionmaker[Session]
    ) -> None:
        with session_scope(sessions) as session:
            silent = archive.start_run(session, "crawl", NOW - timedelta(minutes=10)).id
            alive = archive.start_run(session, "crawl", NOW - timedelta(minutes=10)).id
            archive.beat(session, alive, NOW - timedelta(minutes=1))
            cutoff = NOW - timedelta(minutes=5)
            assert archive.interrupt_stale_runs(session, silent_since=cutoff, now=NOW) == 1
        with sessions() as session:
            assert archive.get_run(session, silent).status == "interrupted"
            assert archive.get_run(session, alive).status == "running"
            assert [r.id for r in archive.list_runs(session, limit=1)] == [alive]
            assert [r.id for r in archive.list_runs(session, before_id=alive)] == [silent]
