"""Search page cursors: the sort, the last hit's key (score or published_at) and its id, and
whether a relevance page was ranked among the recent window only (sqlite_broad, postgres_broad)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsarchive import archive
from newsarchive.db.models import Article
from newsarchive.errors import InvalidInput

WINDOW = "relevance-recent"  # the sort a cursor from a recent-window ranking names


def encode(sort: str, article: Article, score: float, windowed: bool = False) -> str:
    key: datetime | float = score if sort == "relevance" else article.published_at
    return archive.paging.encode(WINDOW if windowed else sort, key, article.id)


def in_window(cursor: str) -> bool:
    try:
        archive.paging.decode(cursor, WINDOW, float, int)
    except InvalidInput:
        return False
    return True


def decode(cursor: str, sort: str) -> tuple[Any, int]:
    key = float if sort == "relevance" else datetime
    named = WINDOW if sort == "relevance" and in_window(cursor) else sort
    _sort, value, article_id = archive.paging.decode(
        cursor, named, key, int, hint=" with the same sort"
    )
    return value, article_id
