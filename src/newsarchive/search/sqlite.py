"""SQLite FTS5: an external-content table over articles(title, text), ranked by bm25 with the
title weighted over the body (migration 0003), its rows numbered by archive day, then article
(search_key = day * 2**32 + id, migration 0009).

That numbering is what keeps a broad search fast at a million articles: FTS5 walks its matches
in key order and seeks to a key, so date sorts, date ranges and per-day counts are read from
the index alone, without the article table (see `broad`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article, Source
from newsarchive.search.engine import (
    EXACT_UP_TO,
    MARK_END,
    MARK_START,
    Ask,
    Broad,
    Engine,
    marked_html,
)
from newsarchive.search.query import AnyOf, Query, Term
from newsarchive.search.sampling import DaySample, sample_days, scaled

TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0
KEY = 2**32  # search_key = days since 1970 * KEY + article id
EPOCH = date(1970, 1, 1)
# Relevance on a broad search ranks this many of its most recent matches (README: "Search").
RELEVANCE_WINDOW = 10_000
SAMPLE_ARTICLES = 20_000  # a broad search first samples the matches among about this many
SAMPLE_MATCHES = 2_000  # and widens its sample until it holds at least this many matches
FACET_SAMPLE = 5_000  # matches whose source and language the facet estimates read
FACET_DAYS = 366
fts = table("fts_articles", column("rowid"))


def day_key(day: date) -> int:
    return (day - EPOCH).days * KEY


def key_day(key: int) -> date:
    return EPOCH + timedelta(days=key // KEY)


def _term(term: Term) -> str:
    # Tokens are letters and digits only (query.py), so quoting them is all FTS5 needs.
    return '"' + " ".join(term.tokens) + '"'


def to_fts5(query: Query) -> str:
    """Render the tree as an FTS5 query string (passed to MATCH as a bound parameter)."""
    parts = []
    for clause in query.must:
        if isinstance(clause, AnyOf):
            parts.append("(" + " OR ".join(_term(t) for t in clause.terms) + ")")
        else:
            parts.append(_term(clause))
    rendered = " AND ".join(parts)
    if query.must_not:
        rendered = f"({rendered}) NOT (" + " OR ".join(_term(t) for t in query.must_not) + ")"
    return rendered


def _match(query: Query) -> ColumnElement[bool]:
    return literal_column("fts_articles").op("MATCH")(bindparam("fts_query", to_fts5(query)))


def _score() -> ColumnElement[float]:
    return -func.bm25(literal_column("fts_articles"), TITLE_WEIGHT, TEXT_WEIGHT)


def _article_id() -> ColumnElement[int]:
    # The key's low 32 bits (a bit mask, not %, which keeps the sign of a key before 1970).
    return fts.c.rowid.op("&")(KEY - 1)


class SQLiteEngine(Engine):
    name = "sqlite"

    def matching(self, query: Query) -> Select:  # type: ignore[type-arg]
        return select(_article_id().label("id"), _score().label("score")).where(_match(query))

    def snippets(
        self, session: Session, query: Query, articles: Sequence[Article]
    ) -> dict[int, str]:
        if not articles:
            return {}
        keys = [day_key(a.published_day) + a.id for a in articles]
        snippet = func.snippet(literal_column("fts_articles"), -1, MARK_START, MARK_END, "…", 32)
        rows = session.execute(
            select(fts.c.rowid, snippet).where(_match(query), fts.c.rowid.in_(keys))
        )
        return {key % KEY: marked_html(text_ or "") for key, text_ in rows}

    def has_author(self, author: str) -> ColumnElement[bool]:
        each = func.json_each(Article.authors).table_valued("value")
        return exists(
            select(text("1")).select_from(each).where(func.lower(each.c.value) == author.lower())
        )

    def broad(self, session: Session, query: Query, ask: Ask) -> Broad | None:
        counts = archive.day_counts_between(
            session, ask.date_from or date.min, ask.date_to or date.max
        )
        if sum(counts.values()) <= EXACT_UP_TO:
            return None
        sample, matched = self._sample(session, query, counts)
        total = scaled(matched, sample)
        if total <= EXACT_UP_TO:
            return None
        low = day_key(ask.date_from) if ask.date_from else -(2**62)
        high = day_key(ask.date_to) + KEY - 1 if ask.date_to else 2**62
        if ask.sort == "relevance":
            rows = self._ranked(session, query, low, high, ask)
        else:
            rows = self._scored(session, query, self._by_date(session, query, low, high, ask))
        facets: dict[str, list[dict[str, Any]]] = {}
        if ask.facets:
            facets = self._facets(session, query, low, high, sample, total)
        exact = sample.articles == sample.of
        return Broad(rows, total, exact, facets, facets_exact=False)

    def _count(self, session: Session, query: Query, low: int, high: int) -> int:
        stmt = select(func.count()).select_from(fts).where(_match(query), _in_range(low, high))
        return int(session.scalar(stmt) or 0)

    def _sample(
        self, session: Session, query: Query, counts: dict[date, int]
    ) -> tuple[DaySample, int]:
        """Days to estimate from, and the matches on them: widened until the sample holds
        SAMPLE_MATCHES matches (a rarer word needs more days) or is the whole range."""
        fraction = SAMPLE_ARTICLES / sum(counts.values())
        while True:
            sample = sample_days(counts, fraction)
            matched = sum(
                self._count(session, query, day_key(a), day_key(b + timedelta(days=1)) - 1)
                for a, b in sample.spans
            )
            if matched >= SAMPLE_MATCHES or fraction >= 1:
                return sample, matched
            fraction = min(1.0, fraction * 1.25 * SAMPLE_MATCHES / max(matched, 1))

    def _ranked(
        self, session: Session, query: Query, low: int, high: int, ask: Ask
    ) -> list[tuple[int, float]]:
        """The best of the RELEVANCE_WINDOW most recent matches, after the cursor."""
        recent = (
            select(_article_id().label("id"), _score().label("score"))
            .where(_match(query), _in_range(low, high))
            .order_by(fts.c.rowid.desc())
            .limit(RELEVANCE_WINDOW)
            .subquery("recent")
        )
        stmt = select(recent.c.id, recent.c.score)
        if ask.after is not None:
            stmt = stmt.where(tuple_(recent.c.score, recent.c.id) < tuple_(*ask.after))
        stmt = stmt.order_by(recent.c.score.desc(), recent.c.id.desc()).limit(ask.limit + 1)
        return [(row.id, float(row.score)) for row in session.execute(stmt)]

    def _by_date(
        self, session: Session, query: Query, low: int, high: int, ask: Ask
    ) -> list[tuple[int, float]]:
        """A page newest (or oldest) first, read from the index in key order.

        Keys order articles by archive day, the page by published_at; the two differ by at
        most a day (a site's zone), so every article that sorts before the page's last one is
        within two days of its day: take the first limit + 1 matches in key order, then every
        match up to two days past the last of them, and sort those few exactly."""
        newest = ask.sort == "newest"
        if ask.after is not None:  # only days that can hold articles past the cursor
            cursor_day = ask.after[0].date()
            if newest:
                high = min(high, day_key(cursor_day + timedelta(days=2)) - 1)
            else:
                low = max(low, day_key(cursor_day - timedelta(days=1)))
        order = fts.c.rowid.desc() if newest else fts.c.rowid.asc()
        wanted = ask.limit + 1
        while True:  # more when the margin's articles were before the cursor (shown already)
            first = session.scalars(
                select(fts.c.rowid)
                .where(_match(query), _in_range(low, high))
                .order_by(order)
                .limit(wanted)
            ).all()
            if not first:
                return []
            last = key_day(first[-1])
            rows = self._exactly_sorted(session, query, low, high, last, ask)
            # Left out: matches more than two days past `last`, so before (after) midnight
            # UTC of the day next to it; the page is right if its last row is not.
            edge = datetime.combine(
                last - timedelta(days=1) if newest else last + timedelta(days=2), time(), UTC
            )
            if len(first) < wanted or (
                len(rows) > ask.limit and (rows[-1][1] >= edge if newest else rows[-1][1] < edge)
            ):
                return [(article_id, 0.0) for article_id, _at in rows]
            wanted *= 4

    def _exactly_sorted(
        self, session: Session, query: Query, low: int, high: int, last: date, ask: Ask
    ) -> list[tuple[int, datetime]]:
        """The page (id, published_at) among the matches from the first day to two days past
        `last`."""
        newest = ask.sort == "newest"
        margin = timedelta(days=2)
        if newest:
            low = max(low, day_key(last - margin))
        else:
            high = min(high, day_key(last + margin + timedelta(days=1)) - 1)
        found = (
            select(_article_id().label("id"))
            .where(_match(query), _in_range(low, high))
            .subquery("found")
        )
        stmt = select(Article.id, Article.published_at).join(found, found.c.id == Article.id)
        key = tuple_(Article.published_at, Article.id)
        if ask.after is not None:
            stmt = stmt.where(key < tuple_(*ask.after) if newest else key > tuple_(*ask.after))
        if newest:
            stmt = stmt.order_by(Article.published_at.desc(), Article.id.desc())
        else:
            stmt = stmt.order_by(Article.published_at.asc(), Article.id.asc())
        return [(row.id, row.published_at) for row in session.execute(stmt.limit(ask.limit + 1))]

    def _scored(
        self, session: Session, query: Query, page: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """A date-sorted page with each hit's relevance score, as the general search gives."""
        if not page:
            return page
        articles = session.execute(
            select(Article.id, Article.published_day).where(Article.id.in_([i for i, _ in page]))
        ).all()
        keys = [day_key(day) + article_id for article_id, day in articles]
        scores = dict(
            session.execute(
                select(_article_id(), _score()).where(_match(query), fts.c.rowid.in_(keys))
            ).all()
        )
        return [(article_id, float(scores.get(article_id, 0.0))) for article_id, _ in page]

    def _facets(
        self, session: Session, query: Query, low: int, high: int, sample: DaySample, total: int
    ) -> dict[str, list[dict[str, Any]]]:
        ids = [
            key % KEY
            for a, b in sample.spans
            for key in self._keys(
                session, query, max(low, day_key(a)), min(high, day_key(b + timedelta(1)) - 1)
            )
        ]
        step = -(-len(ids) // FACET_SAMPLE) or 1  # at most FACET_SAMPLE of them
        ids = ids[::step]

        def grouped(label: str, column: Any, *joins: Any) -> list[dict[str, Any]]:
            stmt = select(column, func.count()).select_from(Article).where(Article.id.in_(ids))
            for target, onclause in joins:
                stmt = stmt.join(target, onclause)
            rows = session.execute(stmt.group_by(column).order_by(func.count().desc(), column))
            scale = total / len(ids) if ids else 0
            return [{label: value, "count": round(n * scale)} for value, n in rows][:50]

        return {
            "sources": grouped("name", Source.name, (Source, Source.id == Article.source_id)),
            "languages": grouped("language", Article.language),
            "days": self._days(session, query, low, high),
        }

    def _keys(self, session: Session, query: Query, low: int, high: int) -> Sequence[int]:
        stmt = select(fts.c.rowid).where(_match(query), _in_range(low, high))
        return session.scalars(stmt).all()

    def _days(self, session: Session, query: Query, low: int, high: int) -> list[dict[str, Any]]:
        """Exact matches per day on the FACET_DAYS most recent days that have any: counted in
        the index over a span of days widened until it holds that many days (or all)."""
        newest = session.scalar(
            select(fts.c.rowid)
            .where(_match(query), _in_range(low, high))
            .order_by(fts.c.rowid.desc())
            .limit(1)
        )
        if newest is None:
            return []
        last = key_day(newest)
        span = FACET_DAYS
        while True:
            start = low if span > 40_000 else max(low, day_key(last - timedelta(days=span - 1)))
            day = fts.c.rowid.op(">>")(32)  # (an arithmetic shift: days before 1970 too)
            rows = session.execute(
                select(day, func.count())
                .where(_match(query), _in_range(start, high))
                .group_by(day)
                .order_by(day.desc())
            ).all()
            if len(rows) >= FACET_DAYS or start == low:
                break
            span *= 4
        return [
            {"date": (EPOCH + timedelta(days=d)).isoformat(), "count": n}
            for d, n in rows[:FACET_DAYS]
        ]


def _in_range(low: int, high: int) -> ColumnElement[bool]:
    return fts.c.rowid.between(low, high)
