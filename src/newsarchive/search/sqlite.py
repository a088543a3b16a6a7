"""SQLite FTS5: an external-content table over articles(title, text), ranked by bm25 with the
title weighted over the body (migration 0003), its rows numbered by archive day, then article
(migration 0009; fts5.py). A search with more than EXACT_UP_TO matches takes the fast path of
sqlite_broad.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, func, select, text
from sqlalchemy.orm import Session

from newsarchive.db.models import Article
from newsarchive.search import fts5, sqlite_broad
from newsarchive.search.engine import MARK_END, MARK_START, Ask, Broad, Engine, marked_html
from newsarchive.search.fts5 import (
    article_id,
    day_key,
    in_range,
    key_range,
    match,
    score,
)
from newsarchive.search.query import Query, Within


class SQLiteEngine(Engine):
    name = "sqlite"
    filters_in_index = True  # sources and languages are tokens of the index (migration 0016)

    def matching(
        self, query: Query, date_from: date | None = None, date_to: date | None = None
    ) -> Select:  # type: ignore[type-arg]
        return select(article_id().label("id"), score().label("score")).where(
            match(query), in_range(*key_range(date_from, date_to))
        )

    def snippets(
        self, session: Session, query: Query, articles: Sequence[Article]
    ) -> dict[int, str]:
        keys = [day_key(a.published_day) + a.id for a in articles]
        words = replace(query, within=Within())  # (the passage comes from title or text)
        passages = fts5.snippets(session, words, keys, (MARK_START, MARK_END))
        return {article_id: marked_html(passage) for article_id, passage in passages.items()}

    def has_author(self, author: str) -> ColumnElement[bool]:
        each = func.json_each(Article.authors).table_valued("value")
        return exists(
            select(text("1")).select_from(each).where(func.lower(each.c.value) == author.lower())
        )

    def broad(self, session: Session, query: Query, ask: Ask) -> Broad | None:
        return sqlite_broad.broad(session, query, ask)

    def per_day(
        self, session: Session, query: Query, date_from: date | None, date_to: date | None
    ) -> dict[date, int]:
        return fts5.per_day(session, query, *key_range(date_from, date_to))
