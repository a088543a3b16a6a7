"""The fresh load (archive/archive.bulk.py), on both stores: what it stores is what the one-article path
would have stored, searchable and counted per day, and a failed load leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput
from newsarchive.search import SearchParams, run_search
from tests.factories import add_article, add_source

START = datetime(2024, 5, 1, 22, 30, tzinfo=UTC)


def rows(source_id: int, n: int, *, words: str = "harbour") -> Iterator[dict[str, Any]]:
    for i in range(n):
        url = f"https://archive.bulk.example/{i}"
        published = START + timedelta(hours=i)
        yield {
            "source_id": source_id, "url": url, "url_normalized": url, "url_key": url,
            "content_hash": f"{i:064x}", "title": f"Story {i}",
            "text": f"{words} number{i} text", "authors": [f"Writer {i % 3}"],
            "language": "en", "published_at": published, "date_source": "page",
            "first_seen_at": published, "fetched_at": published, "updated_at": published,
        }  # fmt: skip


def schema(engine: Engine) -> set[str]:
    """The article table's secondary indexes and triggers, and PostgreSQL's search rows'
    indexes, by name."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'articles' AND sql IS NOT NULL "
                "AND type IN ('index', 'trigger')"
            )
        else:
            found = conn.exec_driver_sql(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid IN ('articles'::regclass, 'search_rows'::regclass) "
                "UNION ALL SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal"
            )
        return set(found.scalars())


def test_loads_searchable_counted_articles_and_puts_the_schema_back(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    before = schema(engine)
    if engine.dialect.name == "postgresql":
        assert {"ix_search_rows_search_vector", "search_rows_track"} <= before
    source_id = add_source(sessions, "bulk")
    duplicate = next(rows(source_id, 1))
    with engine.connect() as conn:
        loaded = archive.bulk.load_fresh(conn, archive.DayRule(), [*rows(source_id, 12), duplicate])
        conn.commit()
    assert (loaded.stored, loaded.duplicates) == (12, 1)
    assert schema(engine) == before

    with sessions() as session:
        page = run_search(session, SearchParams(q="harbour", sort="oldest", limit=20))
        assert page.total == 12
        assert [hit.article.title for hit in page.hits[:2]] == ["Story 0", "Story 1"]
        assert run_search(session, SearchParams(q="number7")).hits[0].article.title == "Story 7"
        # 22:30 UTC plus i hours: 2 on May 1, 10 on May 2 — the per-day counts as triggers keep them
        days = {d.key: d.count for d in archive.archive_days(session, 2024, 5)}
        assert days == {1: 2, 2: 10}
        first = archive.get_article(session, page.hits[0].article.id)
        assert (first.story_id, first.revision_count, first.authors) == (first.id, 1, ["Writer 0"])

    # The triggers are back: the next article through the one-article path is found and counted.
    add_article(sessions, "Later", "harbour later", datetime(2024, 5, 2, 9, tzinfo=UTC))
    with sessions() as session:
        assert run_search(session, SearchParams(q="harbour")).total == 13
        days = {d.key: d.count for d in archive.archive_days(session, 2024, 5)}
        assert days[2] == 11


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_writes_the_search_rows_in_day_order(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """Articles that come newest first (a backfill, a shuffled export) still leave their search
    rows on the table's pages oldest day first, as a crawl of the news writes them: a range of
    days reads few pages."""
    source_id = add_source(sessions, "bulk")
    newest_first = reversed(list(rows(source_id, 40)))
    with engine.connect() as conn:
        # (an earlier test's deleted rows leave free space that the rows could fill out of turn)
        conn.exec_driver_sql("TRUNCATE search_rows")
        archive.bulk.load_fresh(conn, archive.DayRule(), newest_first)
        conn.commit()
        by_place = conn.exec_driver_sql(
            "SELECT s.published_day, a.published_day FROM search_rows s "
            "JOIN articles a ON a.id = s.id ORDER BY s.ctid"
        ).all()
    assert len(by_place) == 40
    assert [row[0] for row in by_place] == sorted(row[0] for row in by_place)
    assert all(own == article for own, article in by_place)
    assert by_place[0][0] < by_place[-1][0]  # (several days: the order can fail)


def test_a_failed_load_leaves_the_archive_as_it_was(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    before = schema(engine)
    source_id = add_source(sessions, "bulk")

    def failing() -> Iterator[dict[str, Any]]:
        yield from rows(source_id, archive.bulk.BATCH + 3)
        raise ValueError("the file ends in the middle of a line")

    with engine.connect() as conn, pytest.raises(ValueError, match="middle of a line"):
        archive.bulk.load_fresh(conn, archive.DayRule(), failing())
    assert schema(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM day_counts")).scalar_one() == 0
    add_article(sessions, "After", "harbour after")
    with sessions() as session:
        assert run_search(session, SearchParams(q="harbour")).total == 1


def test_refuses_an_archive_that_has_articles(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    add_article(sessions, "Already", "here")
    with session_scope(sessions) as session:
        source_id = archive.find_source(session, "alpha").id  # type: ignore[union-attr]
    with engine.connect() as conn, pytest.raises(InvalidInput, match="no articles"):
        archive.bulk.load_fresh(conn, archive.DayRule(), rows(source_id, 2))
