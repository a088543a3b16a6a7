"""How values read on the admin pages (Jinja filters)."""

from __future__ import annotations

from datetime import datetime

from newsarchive.db.models import Article


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


def published(article: Article) -> str:
    return article.published_text


def web(url: str | None) -> str | None:
    """A scraped address made a link only when it is http(s): never javascript: or data:."""
    return url if url and url.lower().startswith(("http://", "https://")) else None
