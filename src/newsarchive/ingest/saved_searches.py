"""Saved searches after a crawl run: each one's new matches (stored since its last delivery)
queued for its webhook, once each, in the transaction that moves its mark."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article, SavedSearch
from newsarchive.ingest import webhooks
from newsarchive.search import SearchParams, run_search

MAX_MATCHES = 1000  # sent at most per search and run; the rest at the next run


def params(search: SavedSearch, *, limit: int = 100, after_id: int | None = None) -> SearchParams:
    return SearchParams(
        q=search.q, source=search.source, lang=search.lang, author=search.author,
        sort="newest", limit=limit, after_id=after_id,
    )  # fmt: skip


def deliver_new_matches(session: Session, now: datetime) -> int:
    """Queue each saved search's new matches for its webhook; returns how many searches had
    some."""
    with_news = 0
    for search in archive.list_saved_searches(session):
        if not search.webhook:
            continue
        matches = _new_matches(session, search)
        if not matches:
            continue
        up_to = max(a.id for a in matches)
        if not archive.mark_delivered(session, search.id, up_to=up_to, count=len(matches), now=now):
            continue
        data = {
            "search_id": search.id,
            "search": search.name,
            "articles": [_summary(a) for a in matches],
        }
        webhooks.queue(session, search.webhook, "search.matches", data, now)
        with_news += 1
    return with_news


def _new_matches(session: Session, search: SavedSearch) -> list[Article]:
    found: list[Article] = []
    step = params(search, after_id=search.last_article_id)
    while len(found) < MAX_MATCHES:
        page = run_search(session, step, facets=False)
        found += [hit.article for hit in page.hits]
        if page.next_cursor is None:
            break
        step = SearchParams(**{**step.__dict__, "cursor": page.next_cursor})
    return found[:MAX_MATCHES]


def _summary(article: Article) -> dict[str, Any]:
    return {
        "id": article.id, "url": article.url, "title": article.title,
        "source": article.source_name, "published_at": article.published_at,
        "published_date": article.published_day,
    }  # fmt: skip
