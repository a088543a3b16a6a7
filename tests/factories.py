"""Articles whose text and dates the tests choose, stored through the real store layer."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope

_serial = itertools.count(1)
UTC_ZONE = ZoneInfo("UTC")


def add_article(
    sessions: sessionmaker[Session],
    title: str,
    text: str,
    published: datetime = datetime(2024, 5, 1, 12, tzinfo=UTC),
    *,
    source: str = "alpha",
    language: str | None = "en",
    authors: list[str] | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> int:
    n = next(_serial)
    url = f"https://{source}.example/story/{n}"
    with session_scope(sessions) as session:
        found = archive.find_source(session, source)
        source_id = (
            found.id if found else archive.create_source(session, source, archive.SourceFields()).id
        )
        return archive.add_article(
            session,
            zone,
            {
                "source_id": source_id,
                "url": url,
                "url_normalized": url,
                "url_key": url,
                "content_hash": hashlib.sha256(f"{n}{text}".encode()).hexdigest(),
                "title": title,
                "text": text,
                "authors": authors or [],
                "tags": [],
                "categories": [],
                "language": language,
                "word_count": len(text.split()),
                "published_at": published,
                "date_source": "page",
                "first_seen_at": published,
                "fetched_at": published,
                "updated_at": published,
            },
            {"body": b"", "size": 0},
        )
