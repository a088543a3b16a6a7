"""PostgreSQL: a weighted tsvector of title (A) and body (B) with a GIN index, in a text search
configuration that lowercases and strips diacritics without stemming, like SQLite's unicode61
(migration 0003). Queries are built from tsquery functions on bound parameters.

A GIN index finds matches but cannot give them in date order, and reading a match's tsvector
(TOASTed, tens of microseconds) to rank it costs the same for every match; so a search that
matches a large share of the archive is answered by walking the date index newest first and
testing each article, which finds a page after reading about limit / share articles, however
large the archive (see `broad`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    cast,
    exists,
    func,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from newsarchive import archive
from newsarchive.db.models import Article
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

CONFIG: ColumnClause[Any] = literal_column("'newsarchive'::regconfig")
search_vector: ColumnClause[Any] = literal_column(
    "articles.search_vector"
)  # not mapped: the ORM never writes it


def _term(term: Term) -> ColumnElement:  # type: ignore[type-arg]
    return func.phraseto_tsquery(CONFIG, " ".join(term.tokens))


def to_tsquery(query: Query) -> ColumnElement:  # type: ignore[type-arg]
    def clause(c: Term | AnyOf) -> ColumnElement:  # type: ignore[type-arg]
        if isinstance(c, AnyOf):
            return reduce(lambda a, b: a.op("||")(b), (_term(t) for t in c.terms))
        return _term(c)

    combined = reduce(lambda a, b: a.op("&&")(b), (clause(c) for c in query.must))
    for term in query.must_not:
        combined = combined.op("&&")(func.tsquery_not(_term(term)))
    return combined


# A date page walks the date index when at least this share of the articles in its range match:
# about limit / share probes of ~30 us (a TOASTed tsvector read), 63 ms at worst, against
# sorting more than EXACT_UP_TO matches read from the heap.
WALK_SHARE = 0.01
# Relevance on a broad search ranks its most recent RELEVANCE_WINDOW matches when at least
# RANK_SHARE of the range matches (README: "Search").
RANK_SHARE = 0.3
RELEVANCE_WINDOW = 500


class PostgresEngine(Engine):
    name = "postgresql"
    selects_articles = True

    @contextmanager
    def tuned(self, session: Session, *, filtered: bool) -> Iterator[None]:
        # The planner prices @@ as cheap, but each article's tsvector is TOASTed (reading one
        # costs microseconds), so testing every article in a sequential scan loses to the GIN
        # index even when most articles match (a word in 60 % of 250,000: 1.4 s against 0.6 s).
        # Measured for searches without filters; a filtered one keeps the planner's choice.
        if filtered:
            yield
            return
        session.execute(text("SET LOCAL enable_seqscan = off"))
        yield
        session.execute(text("SET LOCAL enable_seqscan = on"))

    def broad(self, session: Session, query: Query, ask: Ask) -> Broad | None:
        days = archive.day_conditions(ask.date_from, ask.date_to)
        estimate = self._estimate(session, query, days)
        if estimate <= EXACT_UP_TO:
            return None
        articles = archive.count_on_days(session, ask.date_from, ask.date_to)
        if articles <= EXACT_UP_TO:
            return None
        share = estimate / articles
        if share < (RANK_SHARE if ask.sort == "relevance" else WALK_SHARE):
            return None
        session.execute(text("SET LOCAL enable_bitmapscan = off"))  # walk the date index
        rows = self._walk(session, query, days, ask)
        session.execute(text("SET LOCAL enable_bitmapscan = on"))
        windowed = ask.sort == "relevance"
        # No facets: the search counts them from every match (and the total with them).
        return Broad(rows, min(estimate, articles), False, {}, True, windowed)

    def _estimate(self, session: Session, query: Query, days: Sequence[Any]) -> int:
        """The planner's estimate of the matches (its statistics of the tsvector column)."""
        stmt = select(Article.id).where(search_vector.op("@@")(to_tsquery(query)), *days)
        compiled = stmt.compile(dialect=session.get_bind().dialect)
        plan = (
            session.connection()
            .exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params)
            .scalar_one()
        )
        return int(plan[0]["Plan"]["Plan Rows"])

    def _walk(
        self, session: Session, query: Query, days: Sequence[Any], ask: Ask
    ) -> list[tuple[int, float]]:
        match = search_vector.op("@@")(to_tsquery(query))
        newest = ask.sort != "oldest"
        date_order = (
            (Article.published_at.desc(), Article.id.desc())
            if newest
            else (Article.published_at.asc(), Article.id.asc())
        )
        if ask.sort == "relevance":
            score: ColumnElement[float] = cast(
                func.ts_rank_cd(search_vector, to_tsquery(query)), Double()
            )
            recent = (
                select(Article.id.label("id"), score.label("score"))
                .where(match, *days)
                .order_by(*date_order)
                .limit(RELEVANCE_WINDOW)
                .subquery("recent")
            )
            stmt = select(recent.c.id, recent.c.score)
            if ask.after is not None:
                stmt = stmt.where(tuple_(recent.c.score, recent.c.id) < tuple_(*ask.after))
            stmt = stmt.order_by(recent.c.score.desc(), recent.c.id.desc())
            return [(r.id, float(r.score)) for r in session.execute(stmt.limit(ask.limit + 1))]
        score = cast(func.ts_rank_cd(search_vector, to_tsquery(query)), Double())
        walked = select(Article.id, score).where(match, *days)
        if ask.after is not None:
            key = tuple_(Article.published_at, Article.id)
            walked = walked.where(key < tuple_(*ask.after) if newest else key > tuple_(*ask.after))
        found = session.execute(walked.order_by(*date_order).limit(ask.limit + 1))
        return [(article_id, float(rank)) for article_id, rank in found]

    def matching(
        self, query: Query, date_from: date | None = None, date_to: date | None = None
    ) -> Select:  # type: ignore[type-arg]
        tsquery = to_tsquery(query)
        # float8, so that a score round-trips exactly through a cursor (ts_rank_cd is float4).
        score: ColumnElement[float] = cast(func.ts_rank_cd(search_vector, tsquery), Double())
        return select(Article.id.label("id"), score.label("score")).where(
            search_vector.op("@@")(tsquery), *archive.day_conditions(date_from, date_to)
        )

    def snippets(
        self, session: Session, query: Query, articles: Sequence[Article]
    ) -> dict[int, str]:
        ids = [a.id for a in articles]
        if not ids:
            return {}
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15"
        headline = func.ts_headline(CONFIG, Article.text, to_tsquery(query), options)
        rows = session.execute(select(Article.id, headline).where(Article.id.in_(ids)))
        return {article_id: marked_html(value or "") for article_id, value in rows}

    def has_author(self, author: str) -> ColumnElement[bool]:
        each = func.json_array_elements_text(Article.authors).table_valued("value")
        return exists(
            select(text("1")).select_from(each).where(func.lower(each.c.value) == author.lower())
        )
