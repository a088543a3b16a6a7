"""Broad searches (more than 10,000 matches), on both stores: whatever path an engine answers
them by, the pages are the exact ones, the per-day counts exact, and what is estimated is
marked so and close to the truth."""

from __future__ import annotations

import random
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, bindparam, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db import migrate, side_reads
from newsarchive.db.session import make_engine, make_sessionmaker
from newsarchive.errors import InvalidInput
from newsarchive.search import SearchParams, postgres_broad, run_search
from newsarchive.search.sampling import sample_days
from tests.conftest import PG_ADMIN, create_database, drop_database
from tests.factories import add_article, add_source

ARTICLES = 24_000
START = datetime(2023, 1, 1, tzinfo=UTC)
OLD = datetime(1969, 6, 1, tzinfo=UTC)


def corpus(source_ids: list[int]) -> Iterator[dict[str, Any]]:
    """Every article has "every"; three in five "third"; sites ten hours ahead of UTC and ten
    behind, so an article's archive day is often not its UTC date (the date sort's hard case);
    and a few from before 1970 (keys below zero)."""
    rng = random.Random(7)
    for i in range(ARTICLES):
        start = OLD if i < 40 else START
        published = start + timedelta(minutes=rng.randrange(500 * 24 * 60))
        words = "every third" if i % 5 < 3 else "every"
        url = f"https://broad.example/{i}"
        yield {
            "source_id": source_ids[i % len(source_ids)], "url": url, "url_normalized": url,
            "url_key": url, "content_hash": f"{i:064x}", "title": f"Item {i}",
            "text": f"{words} item{i}", "language": "en" if i % 4 else "de",
            "published_at": published, "published_offset": (None, 600, -600)[i % 3],
            "date_source": "page", "first_seen_at": published, "fetched_at": published,
            "updated_at": published,
        }  # fmt: skip


# Loading the 24,000 articles takes seconds on each store, so each store is loaded once for the
# module (per xdist worker), into a database of the module's own; the tests only read it. A
# test that changes the archive asks for `writable` and gets a copy of its own.


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """conftest's two stores, module-wide here (a test on one store asks for it indirectly)."""
    return str(request.param)


@dataclass(frozen=True)
class Loaded:
    url: str
    rows: list[dict[str, Any]]


def fingerprint(url: str) -> tuple[Any, ...]:
    """What a test that only reads leaves as it found: the row counts, the last article id."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(
                conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM articles), (SELECT max(id) FROM articles),"
                        " (SELECT count(*) FROM sources), (SELECT count(*) FROM day_counts),"
                        " (SELECT count(*) FROM saved_searches), (SELECT count(*) FROM meta)"
                    )
                ).one()
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def loaded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    url = create_database(backend, tmp_path_factory.mktemp("broad"))
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            sessions = make_sessionmaker(engine)
            source_ids = [add_source(sessions, name) for name in ("north", "south", "east")]
            rows = list(corpus(source_ids))
            with engine.connect() as conn:
                archive.bulk.load_fresh(conn, archive.DayRule(), rows)
                conn.commit()
        finally:
            engine.dispose()
        for i, row in enumerate(rows, 1):  # ids as the load numbered them
            row["id"] = i
            row["day"] = archive.DayRule().day_of(
                row["published_at"], "second", row["published_offset"]
            )
        yield Loaded(url, rows)
    finally:
        drop_database(url)


def copy_database(url: str, tmp_dir: Path) -> str:
    """A new database holding what the one at `url` holds."""
    if url.startswith("sqlite"):
        target = tmp_dir / f"copy-{uuid.uuid4().hex[:8]}.db"
        source = sqlite3.connect(make_url(url).database or "")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return f"sqlite:///{target}"
    name = f"newsarchive_test_{uuid.uuid4().hex[:12]}"
    template = make_url(url).database
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        # a template must have no one connected (only this worker uses it: any is left over)
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (template,),
        )
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def writable() -> None:
    """Asked for by a test that writes: its `db_url` is a copy of the loaded database."""


@pytest.fixture
def db_url(loaded: Loaded, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The loaded database (instead of conftest's empty one), which a test leaves unchanged."""
    if "writable" in request.fixturenames:
        url = copy_database(loaded.url, tmp_path)
        yield url
        drop_database(url)
        return
    before = fingerprint(loaded.url)
    yield loaded.url
    assert fingerprint(loaded.url) == before, "a test changed the shared database: `writable`"


@pytest.fixture
def broad(loaded: Loaded) -> list[dict[str, Any]]:
    """The loaded rows (each test has its own dicts), with their ids and archive days."""
    return [dict(row) for row in loaded.rows]


def search(sessions: sessionmaker[Session], q: str, **kwargs: Any) -> Any:
    exact = kwargs.pop("exact", False)
    facets = kwargs.pop("facets", False)
    with sessions() as session:
        return run_search(session, SearchParams(q=q, **kwargs), facets=facets, exact=exact)


def walk(
    sessions: sessionmaker[Session], q: str, pages: int, limit: int = 40, **kwargs: Any
) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(pages):
        page = search(sessions, q, cursor=cursor, limit=limit, **kwargs)
        ids += [hit.article.id for hit in page.hits]
        cursor = page.next_cursor
    return ids


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorted_pages_are_the_exact_order(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session], sort: str
) -> None:
    order = sorted(broad, key=lambda r: (r["published_at"], r["id"]), reverse=sort == "newest")
    assert walk(sessions, "every", 4, sort=sort) == [r["id"] for r in order[:160]]
    # one a page: each page's last article is near a day's edge as often as not
    assert walk(sessions, "every", 60, limit=1, sort=sort) == [r["id"] for r in order[:60]]
    third = [r for r in order if "third" in r["text"]]
    assert walk(sessions, "third", 2, sort=sort) == [r["id"] for r in third[:80]]
    # In a date range, too (the range's ends on archive days, as the filter promises).
    in_june = [r for r in order if date(2023, 6, 1) <= r["day"] <= date(2023, 6, 30)]
    got = walk(
        sessions, "every", 2, sort=sort, date_from=date(2023, 6, 1), date_to=date(2023, 6, 30)
    )
    assert got == [r["id"] for r in in_june[:80]]


def test_totals_are_estimates_within_two_percent_or_exact(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    for q, truth in (("every", ARTICLES), ("third", ARTICLES * 3 // 5)):
        page = search(sessions, q)
        if page.total_exact:
            assert page.total == truth
        else:
            assert abs(page.total - truth) <= 0.02 * truth
        exact = search(sessions, q, exact=True)
        assert (exact.total, exact.total_exact) == (truth, True)
        # exact counts, the same page: not a ranking of every match (seconds at a million)
        assert [h.article.id for h in exact.hits] == [h.article.id for h in page.hits]
    # both words in three articles of five, the phrase in none: no estimate from the words
    page = search(sessions, '"third every"')
    assert (page.total, page.total_exact, page.hits) == (0, True, [])


def test_per_day_counts_are_exact_and_the_other_facets_close(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    page = search(sessions, "third", facets=True)
    matches = [r for r in broad if "third" in r["text"]]
    per_day = Counter(r["day"] for r in matches)
    newest_days = sorted(per_day, reverse=True)[:366]
    assert page.facets["days"] == [
        {"date": d.isoformat(), "count": per_day[d]} for d in newest_days
    ]
    languages = Counter(r["language"] for r in matches)
    got = {f["language"]: f["count"] for f in page.facets["languages"]}
    assert got.keys() == languages.keys()
    for language, truth in languages.items():
        assert abs(got[language] - truth) <= 0.1 * truth, (language, got, languages)
    if page.facets_exact:
        assert got == dict(languages)


def test_filtered_broad_searches_page_and_count_as_the_rows_say(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    """Source and language filters, which SQLite takes in its index and PostgreSQL from the
    article rows: the same exact pages, totals exact or within 2 %, per-day counts exact."""
    north = broad[0]["source_id"]  # the first source of the load
    newest = sorted(broad, key=lambda r: (r["published_at"], r["id"]), reverse=True)
    english = [r for r in newest if r["language"] == "en"]  # 18,000: past the exact limit
    assert walk(sessions, "every", 2, sort="newest", lang="en") == [r["id"] for r in english[:80]]
    page = search(sessions, "every", lang="en", facets=True)
    assert abs(page.total - len(english)) <= (0 if page.total_exact else 0.02 * len(english))
    per_day = Counter(r["day"] for r in english)
    assert page.facets["days"][:30] == [
        {"date": d.isoformat(), "count": per_day[d]} for d in sorted(per_day, reverse=True)[:30]
    ]
    assert {f["language"] for f in page.facets["languages"]} == {"en"}
    assert search(sessions, "every", lang="en", exact=True).total == len(english)
    ranked = walk(sessions, "third", 2, lang="de")
    assert len(set(ranked)) == 80
    assert all(broad[i - 1]["language"] == "de" for i in ranked)
    both = [r for r in english if r["source_id"] == north and "third" in r["text"]]
    page = search(sessions, "third", lang="EN", source="north", sort="newest", limit=50)
    assert (page.total, [h.article.id for h in page.hits]) == (
        len(both),
        [r["id"] for r in both[:50]],
    )


def test_relevance_pages_hold_matches_once_each(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    ids = walk(sessions, "third", 3)
    assert len(ids) == len(set(ids)) == 120
    texts = {r["id"]: r["text"] for r in broad}
    assert all("third" in texts[i] for i in ids)
    page = search(sessions, "item123")  # a rare word among many: the general search
    assert [hit.article.title for hit in page.hits] == ["Item 123"]


def test_a_day_sample_holds_about_its_fraction_spread_over_every_period() -> None:
    counts = {18_000 + i: 10 + i % 7 for i in range(1000)}  # day numbers
    sample = sample_days(counts, 0.1)
    assert sample.of == sum(counts.values())
    assert abs(sample.articles - 0.1 * sample.of) <= 0.02 * sample.of
    taken = [d for a, b in sample.spans for d in counts if a <= d <= b]
    assert sum(counts[d] for d in taken) == sample.articles
    # some sampled days in every tenth of the range: the sample is not one corner of it
    assert {(d - 18_000) // 100 for d in taken} == set(range(10))
    assert sample_days(counts, 1.5).spans == [(18_000, max(counts))]


def test_a_relevance_cursor_keeps_its_ranking_whatever_the_next_page_asks(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    """Facets or not, exact counts or not (a store may rank a broad search two ways), page 2
    follows page 1."""
    plain = walk(sessions, "third", 3)
    mixed: list[int] = []
    cursor = None
    for facets, exact in ((False, False), (True, False), (False, True)):
        page = search(sessions, "third", cursor=cursor, limit=40, facets=facets, exact=exact)
        mixed += [hit.article.id for hit in page.hits]
        cursor = page.next_cursor
    assert mixed == plain
    assert (page.total, page.total_exact) == (ARTICLES * 3 // 5, True)  # exact=true counted


def test_bad_ranges_and_forged_cursors_are_refused_or_empty_never_a_crash(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session]
) -> None:
    with pytest.raises(InvalidInput, match="is after"):
        search(
            sessions, "every", sort="newest", date_from=date(2023, 6, 2), date_to=date(2023, 6, 1)
        )
    edge = {"oldest": datetime(1, 1, 1, tzinfo=UTC), "newest": datetime(9999, 12, 31, tzinfo=UTC)}
    for sort, at in edge.items():
        cursor = archive.paging.encode(sort, at, 1)
        page = search(sessions, "every", sort=sort, cursor=cursor, limit=5)
        assert len(page.hits) == 5  # every article is past either edge


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_finds_the_same_window_either_way_and_samples_facets_past_its_limit(
    broad: list[dict[str, Any]],
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    writable: None,
) -> None:
    """A relevance window found by walking the date index or from the GIN bitmap is the same
    window; past FACETS_EXACT_UP_TO matches the sources and languages come from a sample of
    days (marked estimated, close) and the days are still exact."""
    walked = walk(sessions, "third", 3)
    monkeypatch.setattr(postgres_broad, "RANK_SHARE", 0.9)  # "third" is in 3 of 5: bitmap now
    assert walk(sessions, "third", 3) == walked
    monkeypatch.setattr(postgres_broad, "FACETS_EXACT_UP_TO", 1_000)
    page = search(sessions, "third", facets=True)
    assert (page.total_exact, page.facets_exact) == (False, False)
    matches = [r for r in broad if "third" in r["text"]]
    per_day = Counter(r["day"] for r in matches)
    newest_days = [
        {"date": d.isoformat(), "count": per_day[d]} for d in sorted(per_day, reverse=True)[:366]
    ]
    assert page.facets["days"] == newest_days
    names = {1: "north", 2: "south", 3: "east"}
    for facet, label, truth in (
        ("languages", "language", Counter(r["language"] for r in matches)),
        ("sources", "name", Counter(names[r["source_id"]] for r in matches)),
    ):
        got = {f[label]: f["count"] for f in page.facets[facet]}
        assert got.keys() == truth.keys()
        assert all(abs(got[k] - n) <= 0.1 * n for k, n in truth.items()), (got, truth)
    # newer days without the word: the days facet reaches back past them
    for n in range(40):
        add_article(sessions, f"Later {n}", "every later", START + timedelta(days=600 + n))
    assert search(sessions, "third", facets=True).facets["days"] == newest_days


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_counts_the_facets_of_a_window_exactly_in_the_same_read(
    broad: list[dict[str, Any]],
    sessions: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to FACETS_EXACT_UP_TO matches, a relevance window's page, its total and its facets
    come from one read of the matches (one statement tests them): the page of the window
    alone, and the total and facets of exact=true, on every page."""
    monkeypatch.setattr(postgres_broad, "RANK_SHARE", 0.9)  # "third" is in 3 of 5: bitmap now
    alone = walk(sessions, "third", 3)
    exact = search(sessions, "third", facets=True, exact=True)
    assert exact.total == ARTICLES * 3 // 5
    reads: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "@@" in statement and not statement.startswith("EXPLAIN"):
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", on_statement)
    cursor, ids = None, []
    for _ in range(3):
        reads.clear()
        page = search(sessions, "third", facets=True, cursor=cursor, limit=40)
        assert len(reads) == 1
        assert (page.total, page.total_exact, page.facets_exact) == (exact.total, True, True)
        assert page.facets == exact.facets
        ids += [hit.article.id for hit in page.hits]
        cursor = page.next_cursor
    assert ids == alone


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_relevance_window_pages_on_in_its_window_after_the_matches_fall_below_the_limit(
    broad: list[dict[str, Any]],
    sessions: sessionmaker[Session],
    engine: Engine,
    backend: str,
    writable: None,
) -> None:
    """Page 1 ranked the most recent matches; when deletions bring the matches under 10,000
    before page 2 is asked for, page 2 still comes from the most recent ones, not from a
    ranking of every match that page 1 was never part of. (PostgreSQL only: SQLite's bm25
    scores move with the number of articles, so no score cursor survives deletions there.)"""
    first = search(sessions, "third", limit=40)
    assert first.next_cursor is not None
    thirds = [r for r in broad if "third" in r["text"]]
    gone = {r["id"] for r in thirds[: len(thirds) - 9_000]}  # 9,000 left
    with engine.begin() as conn:
        for chunk in range(0, len(gone), 500):
            ids = sorted(gone)[chunk : chunk + 500]
            conn.execute(
                text("DELETE FROM articles WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": ids},
            )
    with engine.connect() as conn:  # the planner's estimate follows
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE articles")
    window = postgres_broad.RELEVANCE_WINDOW
    left = sorted(
        (r for r in thirds if r["id"] not in gone),
        key=lambda r: (r["published_at"], r["id"]),
        reverse=True,
    )
    recent = {r["id"] for r in left[:window]}
    second = search(sessions, "third", limit=40, cursor=first.next_cursor)
    assert second.hits
    assert {hit.article.id for hit in second.hits} <= recent


class StartedExecutor(ThreadPoolExecutor):
    """Returns a task's future once the task has started."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        started = threading.Event()

        def run() -> Any:
            started.set()
            return fn(*args, **kwargs)

        future = super().submit(run)
        assert started.wait(30)
        return future


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_read_answers_the_same_with_its_page_and_facets_on_two_connections(
    broad: list[dict[str, Any]],
    sessions: sessionmaker[Session],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    """The API's reads take a second connection for the facets or the page (db/side_reads.py):
    the same answer as one connection gives, page for page."""
    monkeypatch.setattr(postgres_broad, "FACETS_EXACT_UP_TO", 1_000)  # sampled facets
    # the side read started before the request's own part runs (as at a million articles,
    # where that part takes tens of milliseconds), however busy the machine running the tests
    helpers = StartedExecutor(max_workers=1)
    monkeypatch.setattr(side_reads, "_helpers", helpers)
    connections: list[set[int]] = []

    def on_statement(conn: Any, *_args: Any) -> None:
        connections[-1].add(id(conn.connection.dbapi_connection))

    event.listen(engine, "before_cursor_execute", on_statement)
    answers = []
    for read in (False, True):
        connections.append(set())
        cursor, pages = None, []
        for _ in range(2):
            with sessions() as session, side_reads.reading(session) if read else nullcontext():
                params = SearchParams(q="third", sort=sort, cursor=cursor, limit=30)
                page = run_search(session, params, facets=True)
            pages.append(
                ([h.article.id for h in page.hits], page.total, page.facets, page.facets_exact)
            )
            cursor = page.next_cursor
        answers.append(pages)
    helpers.shutdown()
    assert answers[0] == answers[1]
    assert answers[0][0][3] is False  # (estimated: the sampled path, not the exact count)
    assert [len(used) for used in connections] == [1, 2]


def test_a_read_without_facets_keeps_to_one_connection(
    broad: list[dict[str, Any]], sessions: sessionmaker[Session], engine: Engine
) -> None:
    """Without facets the count takes a few milliseconds: not worth a second connection."""
    used: set[int] = set()

    def on_statement(conn: Any, *_args: Any) -> None:
        used.add(id(conn.connection.dbapi_connection))

    event.listen(engine, "before_cursor_execute", on_statement)
    with sessions() as session, side_reads.reading(session):
        page = run_search(session, SearchParams(q="third", limit=30), facets=False)
    assert len(page.hits) == 30
    assert len(used) == 1
