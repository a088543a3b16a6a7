"""PostgreSQL: a weighted tsvector of title (A) and body (B) with a GIN index, in a text search
configuration that lowercases and strips diacritics without stemming, like SQLite's unicode61
(migration 0003). Queries are built from tsquery functions on bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
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
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from newsarchive.db.models import Article
from newsarchive.search.engine import MARK_END, MARK_START, Engine, marked_html
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


class PostgresEngine(Engine):
    name = "postgresql"

    def matching(self, query: Query) -> Select:  # type: ignore[type-arg]
        tsquery = to_tsquery(query)
        # float8, so that a score round-trips exactly through a cursor (ts_rank_cd is float4).
        score: ColumnElement[float] = cast(func.ts_rank_cd(search_vector, tsquery), Double())
        return select(Article.id.label("id"), score.label("score")).where(
            search_vector.op("@@")(tsquery)
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
