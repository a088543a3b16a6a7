"""A broad search on an archive with days between its days of articles (a paper that prints
every other day): SQLite's day sample is a span per day, more than it once took in one
compound SELECT (500 terms). On both stores the same answer (PostgreSQL counts these 10,200
matches' facets exactly)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newsarchive import archive
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker
from newsarchive.search import SearchParams, run_search
from tests.conftest import create_database, drop_database
from tests.factories import add_source

DAYS = 1_700  # days with articles, every other day
PER_DAY = 20
START = datetime(2012, 1, 1, 12, tzinfo=UTC)


def _rows(source_id: int) -> Iterator[dict[str, Any]]:
    """The word "tide" in three articles of ten (10,200 of 34,000: a broad search)."""
    for i in range(DAYS * PER_DAY):
        published = START + timedelta(days=2 * (i // PER_DAY), minutes=i % PER_DAY)
        url = f"https://gappy.example/{i}"
        yield {
            "source_id": source_id, "url": url, "url_normalized": url, "url_key": url,
            "content_hash": f"{i:064x}", "title": f"Issue {i}",
            "text": "tide report" if i % 10 < 3 else "weather report",
            "language": "en" if i % 2 else "fr", "published_at": published,
            "published_offset": 0, "date_source": "page", "first_seen_at": published,
            "fetched_at": published, "updated_at": published,
        }  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gappy(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    url = create_database(str(request.param), tmp_path_factory.mktemp("gappy"))
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            source_id = add_source(make_sessionmaker(engine), "every-other-day")
            with engine.connect() as conn:
                archive.bulk.load_fresh(conn, archive.DayRule(), list(_rows(source_id)))
                conn.commit()
        finally:
            engine.dispose()
        yield url
    finally:
        drop_database(url)


def test_a_broad_search_with_facets_answers_with_close_counts(gappy: str) -> None:
    """About 1,500 sampled days, each its own span: 750 spans when every second is read."""
    engine = make_engine(gappy)
    try:
        with make_sessionmaker(engine)() as session:
            page = run_search(session, SearchParams(q="tide"), facets=True)
    finally:
        engine.dispose()
    matches = [i for i in range(DAYS * PER_DAY) if i % 10 < 3]
    assert abs(page.total - len(matches)) <= 0.02 * len(matches)
    truth = Counter("en" if i % 2 else "fr" for i in matches)
    languages = {f["language"]: f["count"] for f in page.facets["languages"]}
    assert languages.keys() == truth.keys()
    for language, n in truth.items():
        assert abs(languages[language] - n) <= 0.1 * n, (languages, truth)
    (source,) = page.facets["sources"]
    assert source["name"] == "every-other-day"
    assert abs(source["count"] - len(matches)) <= 0.1 * len(matches)
    newest = page.facets["days"][0]
    last_day = (START + timedelta(days=2 * (DAYS - 1))).date().isoformat()
    assert (newest["date"], newest["count"]) == (last_day, PER_DAY * 3 // 10)
    assert len(page.hits) == 20
