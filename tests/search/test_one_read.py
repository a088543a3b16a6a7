"""A search with its facets gives the page it gives without them, on both stores, whichever
statements read it; on PostgreSQL one statement finds and tests the matches for both the page
and the counts (statements.counted_with_page)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.db.models import Article, Source
from newsarchive.search import SearchParams, run_search, statements
from newsarchive.search.service import matches_per_day
from tests.factories import add_article

START = datetime(2024, 3, 1, 9, tzinfo=UTC)
SEARCHES = [
    {"q": '"harbour strike"'},
    {"q": "harbour"},
    {"q": "harbour", "sort": "newest"},
    {"q": "harbour", "sort": "oldest"},
    {"q": "harbour", "source": "beta"},
    {"q": "harbour strike", "lang": "de"},
    {"q": "harbour", "date_from": START.date() + timedelta(days=3)},
    {"q": "harbour", "author": "Ana Ruiz"},
]


@pytest.fixture
def harbour(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    rng = random.Random(3)
    for i in range(60):
        words = rng.choice(["harbour strike", "strike at the harbour", "harbour", "ferries"])
        add_article(
            sessions,
            f"Item {i}",
            f"{words} day {i} " + "harbour " * rng.randrange(3),
            START + timedelta(hours=7 * i),
            source=("alpha", "beta", "gamma")[i % 3],
            language=("en", "de")[i % 2],
            authors=["Ana Ruiz"] if i % 4 == 0 else [],
        )
    return sessions


def _pages(sessions: sessionmaker[Session], ask: dict[str, object], facets: bool) -> list[object]:
    """Every page of the search, five hits a page, as (total, [(id, score)], facets)."""
    pages, cursor = [], None
    with sessions() as session:
        while True:
            params = SearchParams(**ask, limit=5, cursor=cursor)  # type: ignore[arg-type]
            page = run_search(session, params, facets=facets)
            hits = [(hit.article.id, round(hit.score, 9)) for hit in page.hits]
            pages.append((page.total, hits, page.facets if facets else None))
            cursor = page.next_cursor
            if cursor is None:
                return pages


@pytest.mark.parametrize("ask", SEARCHES, ids=lambda ask: "-".join(map(str, ask.values())))
def test_facets_leave_the_page_as_it_is(harbour: sessionmaker[Session], ask: dict) -> None:  # type: ignore[type-arg]
    with_facets = _pages(harbour, ask, facets=True)
    without = _pages(harbour, ask, facets=False)
    assert [(total, hits) for total, hits, _ in with_facets] == [
        (total, hits) for total, hits, _ in without
    ]
    total, _hits, facets = with_facets[0]
    assert total > 0
    assert total == sum(len(hits) for _total, hits, _facets in without)
    with harbour() as session:  # the days facet counts every match, as the per-day count does
        per_day = matches_per_day(session, SearchParams(**ask))  # type: ignore[arg-type]
    assert facets is not None
    days = Counter({date.fromisoformat(day["date"]): day["count"] for day in facets["days"]})
    assert days == +per_day
    ids = [article_id for _total, hits, _facets in without for article_id, _score in hits]
    with harbour() as session:  # the sources and languages of every hit, counted here
        rows = session.execute(
            select(Source.name, Article.language)
            .join(Source, Source.id == Article.source_id)
            .where(Article.id.in_(ids))
        ).all()
    assert {s["name"]: s["count"] for s in facets["sources"]} == Counter(n for n, _ in rows)
    assert {x["language"]: x["count"] for x in facets["languages"]} == Counter(
        language for _, language in rows
    )


def test_no_match_counts_nothing(harbour: sessionmaker[Session]) -> None:
    with harbour() as session:
        for q in ('"strike harbour"', "zeppelin"):  # (the words in the other order; no word)
            page = run_search(session, SearchParams(q=q, source="beta"), facets=True)
            assert (page.total, page.hits, page.next_cursor) == (0, [], None)
            assert page.facets == {"sources": [], "languages": [], "days": []}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_takes_one_reading_for_each_search(
    harbour: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the test above compares the one reading with the two statements."""
    answered: list[bool] = []
    one_reading = statements.counted_with_page

    def spied(*args: object, **kwargs: object) -> object:
        found = one_reading(*args, **kwargs)  # type: ignore[arg-type]
        answered.append(found is not None)
        return found

    monkeypatch.setattr(statements, "counted_with_page", spied)
    for ask in SEARCHES:
        _pages(harbour, ask, facets=True)
    assert answered
    assert all(answered)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_reads_the_matches_once(harbour: sessionmaker[Session], engine: Engine) -> None:
    searched: list[str] = []

    def record(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if "@@" in statement:
            searched.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with harbour() as session:
            page = run_search(session, SearchParams(q='"harbour strike"'), facets=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.total > 0
    assert page.facets["sources"]
    assert len(searched) == 1, searched
