"""SQLite's fast path for a search with more than EXACT_UP_TO matches and no filter but dates.

FTS5 walks a word's matches in key order (archive day, then article) and seeks to a key, so:
date-sorted pages are read from the index in order; relevance ranks the RELEVANCE_WINDOW most
recent matches; per-day counts are counted from the keys alone; the total and the source and
language counts are estimated from the matches on a sample of days (sampling.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db import side_reads
from newsarchive.db.models import Article
from newsarchive.search.engine import EXACT_UP_TO, Ask, Broad
from newsarchive.search.facets import FACET_DAYS, sources_and_languages
from newsarchive.search.fts5 import (
    KEY,
    article_id,
    day_key,
    day_number,
    fts,
    in_range,
    key_day,
    key_range,
    match,
    per_day,
    score,
    to_fts5,
)
from newsarchive.search.query import Query
from newsarchive.search.sampling import DaySample, sample_days, scaled

# Relevance on a broad search ranks this many of its most recent matches (README: "Search").
RELEVANCE_WINDOW = 5_000
SAMPLE_MATCHES = 6_000  # the sample of days holds at least this many matches (error ~1 %)
FACET_SAMPLE = 5_000  # matches whose source and language the facet estimates read

# The matches in a list of key ranges (a sample's spans of days), in one statement however
# many there are: the ranges come as a JSON array, and CROSS JOIN keeps them the outer loop, so
# FTS5 seeks each range (the other order walks every match of the word once per range).
_SPANS = "json_each(:spans) AS span CROSS JOIN fts_articles"
_IN_SPAN = (
    "fts_articles MATCH :fts_query AND fts_articles.rowid "
    "BETWEEN json_extract(span.value, '$[0]') AND json_extract(span.value, '$[1]')"
)
_COUNT_IN_SPANS = text(f"SELECT count(*) FROM {_SPANS} WHERE {_IN_SPAN}")
# Source and language from the index of them by id (migration 0017), not the article rows: a
# row is a page read each, and neighbouring ids share the index's pages.
_FACETS_IN_SPANS = text(
    "SELECT articles.source_id, articles.language, count(*) "
    f"FROM {_SPANS} CROSS JOIN articles INDEXED BY ix_articles_id_source_language "
    f"WHERE {_IN_SPAN} AND articles.id = fts_articles.rowid & {KEY - 1} "
    "GROUP BY articles.source_id, articles.language"
)
# Articles per day, as the sample of days reads them, until the next write (_day_counts).
_DAY_COUNTS: archive.KeptUntilWritten[dict[int, int]] = archive.KeptUntilWritten()


def broad(session: Session, query: Query, ask: Ask) -> Broad | None:
    """The page of a search by the index; with at most EXACT_UP_TO matches, the exact page and
    total (the caller counts facets from every match then)."""
    low, high = key_range(ask.date_from, ask.date_to)
    # The newest EXACT_UP_TO + 1 matches: fewer, and the search is small; else the days
    # they span say roughly how dense the matches are, which sizes the sample.
    newest = (
        select(fts.c.rowid.label("key"))
        .where(match(query), in_range(low, high))
        .order_by(fts.c.rowid.desc())
        .limit(EXACT_UP_TO + 1)
        .subquery("newest")
    )
    found, oldest_key = session.execute(
        select(func.count(), func.min(newest.c.key)).select_from(newest)
    ).one()
    small = found <= EXACT_UP_TO  # exact: ranks every match, or reads dates in key order
    # a relevance window's next page comes from the window, however many match by now
    windowed = ask.sort == "relevance" and (ask.windowed or not small)

    def page(session: Session) -> list[tuple[int, float]]:
        if ask.sort == "relevance":
            window = RELEVANCE_WINDOW if windowed else None
            return _ranked(session, query, low, high, ask, window=window)
        return [(i, rank) for i, _at, rank in _by_date(session, query, low, high, ask)]

    if small:
        return Broad(page(session), found, True, {}, True, windowed)

    def counted(session: Session) -> Broad:  # (the page's rows come from `page`)
        counts = _day_counts(session, ask.date_from, ask.date_to)
        recent = sum(n for day, n in counts.items() if day >= oldest_key // KEY)
        sample, matched = _sample(session, query, counts, found / max(recent, 1))
        total = max(scaled(matched, sample), found)
        facets = _facets(session, query, low, high, sample, matched, total) if ask.facets else {}
        return Broad([], total, sample.articles == sample.of, facets, False, windowed)

    if not ask.facets:  # (the count alone takes a few milliseconds: no second connection)
        return replace(counted(session), rows=page(session))
    # (each takes tens of milliseconds at a million articles, and neither needs the other)
    estimated, rows = side_reads.both(session, counted, page)
    return replace(estimated, rows=rows)


def _day_counts(session: Session, start: date | None, end: date | None) -> dict[int, int]:
    """Articles per day number from day_counts, read as integers, kept until the next write
    (a few thousand rows: 2.5 ms of every broad search at 1M articles)."""

    def read() -> dict[int, int]:
        rows = session.connection().exec_driver_sql(
            "SELECT CAST(julianday(day) - 2440587.5 AS INTEGER), articles FROM day_counts "
            "WHERE day BETWEEN ? AND ? AND articles > 0",
            ((start or date.min).isoformat(), (end or date.max).isoformat()),
        )
        return {int(day): int(n) for day, n in rows.all()}

    return _DAY_COUNTS.get(session, (start, end), read)


def _span_keys(span: tuple[int, int]) -> tuple[int, int]:
    return span[0] * KEY, (span[1] + 1) * KEY - 1


def _in_spans(query: Query, spans: list[tuple[int, int]]) -> dict[str, str]:
    return {"spans": json.dumps(spans), "fts_query": to_fts5(query)}


def _sample(
    session: Session, query: Query, counts: dict[int, int], density: float
) -> tuple[DaySample, int]:
    """Days to estimate from, and how many matches they hold: sized by the density of the
    newest matches to hold about SAMPLE_MATCHES, widened while it holds fewer (the word is
    rarer in older days) until it is the whole range."""
    articles = sum(counts.values())
    fraction = 1.5 * SAMPLE_MATCHES / max(density * articles, 1)
    while True:
        sample = sample_days(counts, fraction)
        spans = [_span_keys(span) for span in sample.spans]
        matched = int(session.scalar(_COUNT_IN_SPANS, _in_spans(query, spans)) or 0)
        if matched >= SAMPLE_MATCHES or fraction >= 1:
            return sample, matched
        fraction = min(1.0, fraction * 1.5 * SAMPLE_MATCHES / max(matched, 1))


def _ranked(
    session: Session, query: Query, low: int, high: int, ask: Ask, window: int | None
) -> list[tuple[int, float]]:
    """The best of the `window` most recent matches (None: of every match), after the
    cursor."""
    scored = select(article_id().label("id"), score().label("score")).where(
        match(query), in_range(low, high)
    )
    if window is not None:
        scored = scored.order_by(fts.c.rowid.desc()).limit(window)
    recent = scored.subquery("recent")
    stmt = select(recent.c.id, recent.c.score)
    if ask.after is not None:
        stmt = stmt.where(tuple_(recent.c.score, recent.c.id) < tuple_(*ask.after))
    stmt = stmt.order_by(recent.c.score.desc(), recent.c.id.desc()).limit(ask.limit + 1)
    return [(row.id, float(row.score)) for row in session.execute(stmt)]


def _by_date(
    session: Session, query: Query, low: int, high: int, ask: Ask
) -> list[tuple[int, datetime, float]]:
    """A page newest (or oldest) first, read from the index in key order.

    Keys order articles by archive day, the page by published_at; the two differ by at most a
    day (a site's zone), so every article that sorts before the page's last one is within two
    days of its day: take the first limit + 1 matches in key order, then every match up to two
    days past the last of them, and sort those few exactly."""
    newest = ask.sort == "newest"
    if ask.after is not None:  # only days that can hold articles past the cursor
        cursor_day = day_number(ask.after[0].date())  # (a number: no overflow near year 1)
        if newest:
            high = min(high, (cursor_day + 2) * KEY - 1)
        else:
            low = max(low, (cursor_day - 1) * KEY)
    order = fts.c.rowid.desc() if newest else fts.c.rowid.asc()
    wanted = ask.limit + 1
    while True:  # more when the margin's articles were before the cursor (shown already)
        first = session.scalars(
            select(fts.c.rowid)
            .where(match(query), in_range(low, high))
            .order_by(order)
            .limit(wanted)
        ).all()
        if not first:
            return []
        last = key_day(first[-1])
        rows = _exactly_sorted(session, query, low, high, last, ask)
        # Left out: matches more than two days past `last`, so before (after) midnight UTC
        # of the day next to it; the page is right if its last row is not.
        edge_day = last - timedelta(days=1) if newest else last + timedelta(days=2)
        edge = datetime.combine(edge_day, time(), UTC)
        if len(first) < wanted or (
            len(rows) > ask.limit and (rows[-1][1] >= edge if newest else rows[-1][1] < edge)
        ):
            return rows
        wanted *= 4


def _exactly_sorted(
    session: Session, query: Query, low: int, high: int, last: date, ask: Ask
) -> list[tuple[int, datetime, float]]:
    """The page (id, published_at, score) among the matches from the first day to two days
    past `last` (scored here, in one statement: bm25 counts a word's matches once per
    statement, tens of milliseconds for a common word)."""
    newest = ask.sort == "newest"
    margin = timedelta(days=2)
    if newest:
        low = max(low, day_key(last - margin))
    else:
        high = min(high, day_key(last + margin + timedelta(days=1)) - 1)
    found = (
        select(article_id().label("id"), score().label("score"))
        .where(match(query), in_range(low, high))
        .subquery()
    )
    stmt = select(Article.id, Article.published_at, found.c.score).join(
        found, found.c.id == Article.id
    )
    key = tuple_(Article.published_at, Article.id)
    if ask.after is not None:
        stmt = stmt.where(key < tuple_(*ask.after) if newest else key > tuple_(*ask.after))
    if newest:
        stmt = stmt.order_by(Article.published_at.desc(), Article.id.desc())
    else:
        stmt = stmt.order_by(Article.published_at.asc(), Article.id.asc())
    return [
        (i, at, float(relevance)) for i, at, relevance in session.execute(stmt.limit(ask.limit + 1))
    ]


def _facets(
    session: Session,
    query: Query,
    low: int,
    high: int,
    sample: DaySample,
    matched: int,
    total: int,
) -> dict[str, list[dict[str, Any]]]:
    """Sources and languages estimated from the matches on every few of the sample's spans
    (about FACET_SAMPLE of them, spread like the sample); days counted exactly."""
    every = -(-matched // FACET_SAMPLE) or 1
    spans = [(max(low, a), min(high, b)) for a, b in map(_span_keys, sample.spans[::every])]
    rows = session.execute(_FACETS_IN_SPANS, _in_spans(query, spans)).all()
    read = sum(n for _source, _language, n in rows)
    scale = total / read if read else 0.0
    return {
        **sources_and_languages(session, rows, scale),
        "days": _days(session, query, low, high),
    }


def _days(session: Session, query: Query, low: int, high: int) -> list[dict[str, Any]]:
    """Exact matches per day on the FACET_DAYS most recent days that have any: counted in the
    index over a span of days widened until it holds that many days (or all)."""
    newest = session.scalar(
        select(fts.c.rowid)
        .where(match(query), in_range(low, high))
        .order_by(fts.c.rowid.desc())
        .limit(1)
    )
    if newest is None:
        return []
    last = newest // KEY
    span = FACET_DAYS
    while True:
        start = low if span > 40_000 else max(low, (last - span + 1) * KEY)
        counts = per_day(session, query, start, high)
        if len(counts) >= FACET_DAYS or start == low:
            break
        span *= 4
    newest_days = sorted(counts.items(), reverse=True)[:FACET_DAYS]
    return [{"date": day.isoformat(), "count": n} for day, n in newest_days]
