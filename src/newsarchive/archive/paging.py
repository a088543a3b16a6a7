"""Keyset paging, with its one cursor codec: a page's last sort key and id, as an opaque URL-safe string.

A cursor comes back from clients, so decoding checks every part as a parameter would be
checked: a sort name must be the one asked for, times must be aware and storable, scores
finite, ids integers (not booleans) in the id columns' range. Anything else is InvalidInput
(a 422), never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session, joinedload, lazyload

from newsarchive.db.base import MAX_ID
from newsarchive.db.models import Article, Source
from newsarchive.errors import InvalidInput

Part = type[datetime] | type[float] | type[int] | str  # a str part must equal that literal
_REFUSED = "invalid cursor: pass back the next_cursor of a previous page"


def encode(*parts: datetime | float | int | str) -> str:
    values = [p.isoformat() if isinstance(p, datetime) else p for p in parts]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode(cursor: str, *shape: Part, hint: str = "") -> tuple[Any, ...]:
    """The cursor's parts, checked against `shape` (a type, or a literal string)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        return tuple(_part(value, kind) for value, kind in zip(values, shape, strict=True))
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_REFUSED + hint) from None


def _part(value: Any, kind: Part) -> Any:
    if isinstance(kind, str):
        if value != kind:
            raise ValueError
        return value
    if kind is datetime:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError
        when.astimezone(UTC)  # OverflowError when its UTC time is outside years 1-9999
        return when
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError
        if not math.isfinite(value):
            raise ValueError
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ValueError
    return value


@dataclass(frozen=True)
class Page:
    items: Sequence[Article]
    next_cursor: str | None


def storable_id(row_id: int) -> bool:
    """Whether an id from outside (a path) can name a row at all: larger ones overflow the
    id columns, and are simply not found."""
    return 0 < row_id <= MAX_ID


# A page of summaries needs neither each article's copies nor its source's feeds and
# collections: loaded with every article, they cost a query each and a collection made per row
# (14 % of an archive day's answer, profiled). Loaded when asked for, as ever.
SUMMARY_LOADING = (
    lazyload(Article.copies),  # type: ignore[arg-type]  # (mapped in models/copies.py)
    joinedload(Article.source).lazyload(Source.feeds),
    joinedload(Article.source).lazyload(Source.tags),
)


def newest_first(session: Session, query: Select, limit: int, cursor: str | None) -> Page:  # type: ignore[type-arg]
    """Keyset paging on (published_at, id), newest first: pages never repeat or skip."""
    if cursor:
        published, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Article.published_at < published,
                (Article.published_at == published) & (Article.id < last_id),
            )
        )
    query = query.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def encode_cursor(article: Article) -> str:
    return encode(article.published_at, article.id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    published, article_id = decode(cursor, datetime, int)
    return published, article_id
