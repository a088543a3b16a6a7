"""How values read on the admin pages (Jinja filters)."""

from __future__ import annotations

from datetime import datetime, timedelta

from newsarchive.db.models import Article


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


def published(article: Article) -> str:
    """The site's day, and the UTC time only when the page gave one (a day stays a day)."""
    if article.published_precision == "day":
        return article.published_day.isoformat()
    offset = article.published_offset
    if offset is None:
        return f"{article.published_at:%Y-%m-%d %H:%M} UTC"
    local = article.published_at + timedelta(minutes=offset)
    sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
    return f"{local:%Y-%m-%d %H:%M} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"
