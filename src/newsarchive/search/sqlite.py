"""SQLite FTS5: an external-content table over articles(title, text), ranked by bm25 with the
title weighted over the body (migration 0003 creates the table and its triggers)."""

from __future__ import annotations

from collections.abc import Sequence

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
)
from sqlalchemy.orm import Session

from newsarchive.db.models import Article
from newsarchive.search.engine import MARK_END, MARK_START, Engine, marked_html
from newsarchive.search.query import AnyOf, Query, Term

TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0
fts = table("fts_articles", column("rowid"))


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


class SQLiteEngine(Engine):
    name = "sqlite"

    def _match(self, query: Query) -> ColumnElement[bool]:
        return literal_column("fts_articles").op("MATCH")(bindparam("fts_query", to_fts5(query)))

    def matching(self, query: Query) -> Select:  # type: ignore[type-arg]
        score = -func.bm25(literal_column("fts_articles"), TITLE_WEIGHT, TEXT_WEIGHT)
        return select(fts.c.rowid.label("id"), score.label("score")).where(self._match(query))

    def snippets(self, session: Session, query: Query, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        snippet = func.snippet(literal_column("fts_articles"), -1, MARK_START, MARK_END, "…", 32)
        rows = session.execute(
            select(fts.c.rowid, snippet).where(self._match(query), fts.c.rowid.in_(ids))
        )
        return {rowid: marked_html(text_ or "") for rowid, text_ in rows}

    def has_author(self, author: str) -> ColumnElement[bool]:
        each = func.json_each(Article.authors).table_valued("value")
        return exists(
            select(text("1")).select_from(each).where(func.lower(each.c.value) == author.lower())
        )
