"""PostgreSQL's search rows (migration 0018: each article's words and what a search counts and
sorts by, in a narrow table) and a parsed query as a tsquery, built from tsquery functions on
bound parameters (never from strings), in the text search configuration of migration 0003
(lowercased, diacritics stripped, no stemming, like SQLite's unicode61)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    Double,
    Integer,
    MetaData,
    String,
    Table,
    cast,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.sql.elements import ColumnClause

from newsarchive.db.base import UTCDateTime
from newsarchive.search.query import AnyOf, Query, Term

CONFIG: ColumnClause[Any] = literal_column("'newsarchive'::regconfig")
# (not in the models' metadata: articles' trigger writes it, never the ORM, and autogenerate
# leaves it alone)
SEARCH_ROWS = Table(
    "search_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("published_day", Date, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("source_id", Integer, nullable=False),
    Column("language", String(16)),
    Column("authors", JSON, nullable=False),
    Column("search_vector", TSVECTOR, nullable=False),
)
ROWS = SEARCH_ROWS.c
search_vector = ROWS.search_vector


def _term(term: Term) -> ColumnElement:  # type: ignore[type-arg]
    return func.phraseto_tsquery(CONFIG, " ".join(term.tokens))


def _balanced(operator: str, parts: list[ColumnElement]) -> ColumnElement:  # type: ignore[type-arg]
    """a op b op c ... as a balanced tree: a query of many forms (search/forms.py widens each
    word) nests log(n) deep, not n (SQLAlchemy compiles recursively)."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return _balanced(operator, parts[:middle]).op(operator)(_balanced(operator, parts[middle:]))


def to_tsquery(query: Query) -> ColumnElement:  # type: ignore[type-arg]
    def clause(c: Term | AnyOf) -> ColumnElement:  # type: ignore[type-arg]
        if isinstance(c, AnyOf):
            return _balanced("||", [_term(t) for t in c.terms])
        return _term(c)

    parts = [clause(c) for c in query.must]
    parts += [func.tsquery_not(_term(term)) for term in query.must_not]
    return _balanced("&&", parts)


def matches(query: Query) -> ColumnElement[bool]:
    """Articles whose search column matches the query (what the GIN index answers)."""
    return search_vector.op("@@")(to_tsquery(query))


def rank(query: Query) -> ColumnElement[float]:
    """A match's relevance, as float8 so that it round-trips exactly through a cursor
    (ts_rank_cd is float4)."""
    return cast(func.ts_rank_cd(search_vector, to_tsquery(query)), Double())
