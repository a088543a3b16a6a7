"""Sources and articles whose fields the tests choose, stored through the real store layer:
the one place tests make them."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope

_serial = itertools.count(1)


def add_source(sessions: sessionmaker[Session], name: str, **fields: Any) -> int:
    """A source named `name` (fields as in archive.SourceFields); its id."""
    with session_scope(sessions) as session:
        return archive.create_source(session, name, archive.SourceFields(**fields)).id


def add_article(
    sessions: sessionmaker[Session],
    title: str,
    text: str,
    published: datetime = datetime(2024, 5, 1, 12, tzinfo=UTC),
    *,
    source: str = "alpha",
    language: str | None = "en",
    authors: list[str] | None = None,
    tags: list[str] | None = None,
    days: archive.DayRule = archive.DayRule(),  # noqa: B008  (frozen: shared safely)
    precision: str = "second",
    offset: int | None = None,
    date_source: str = "page",
) -> int:
    source_id = _source_id(sessions, source)
    fields = _fields(source, source_id, title, text, published)
    fields |= {"language": language, "authors": authors or [], "tags": tags or []}
    fields |= {"published_precision": precision, "published_offset": offset}
    fields["date_source"] = date_source
    with session_scope(sessions) as session:
        return archive.add_article(session, days, fields, {"body": b"", "size": 0})


def add_articles(
    sessions: sessionmaker[Session],
    articles: Iterable[tuple[str, str, datetime]],
    *,
    source: str = "alpha",
) -> list[int]:
    """Many (title, text, published) articles, each as add_article stores it with its other
    arguments left as they are, in one transaction: for tests that need a thousand."""
    source_id = _source_id(sessions, source)
    with session_scope(sessions) as session:
        return [
            archive.add_article(
                session,
                archive.DayRule(),
                _fields(source, source_id, title, text, published),
                {"body": b"", "size": 0},
            )
            for title, text, published in articles
        ]


def _source_id(sessions: sessionmaker[Session], source: str) -> int:
    with sessions() as session:
        found = archive.find_source(session, source)
    return found.id if found else add_source(sessions, source)


def _fields(
    source: str, source_id: int, title: str, text: str, published: datetime
) -> dict[str, Any]:
    """add_article's row with its defaults."""
    n = next(_serial)
    url = f"https://{source}.example/story/{n}"
    return {
        "source_id": source_id,
        "url": url,
        "url_normalized": url,
        "url_key": url,
        "content_hash": hashlib.sha256(f"{n}{text}".encode()).hexdigest(),
        "title": title,
        "text": text,
        "authors": [],
        "tags": [],
        "categories": [],
        "language": "en",
        "word_count": len(text.split()),
        "published_at": published,
        "published_precision": "second",
        "published_offset": None,
        "date_source": "page",
        "first_seen_at": published,
        "fetched_at": published,
        "updated_at": published,
    }
