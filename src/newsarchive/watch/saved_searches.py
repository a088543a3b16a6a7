"""Saved searches after a crawl run: each one's new matches (stored since its last delivery)
queued for its webhook, once each, in the transaction that moves its mark."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article, SavedSearch
from newsarchive.search import SearchParams, run_search
from newsarchive.watch import webhooks

WINDOW = 5000  # article ids looked through per search and run; a faster archive catches up later


def params(
    search: SavedSearch,
    *,
    limit: int = 100,
    after_id: int | None = None,
    up_to_id: int | None = None,
) -> SearchParams:
    return SearchParams(
        q=search.q,
        source=search.source,
        lang=search.lang,
        author=search.author,
        sort="newest",
        limit=limit,
        after_id=after_id,
        up_to_id=up_to_id,
    )


def deliver_new_matches(session: Session, now: datetime) -> int:
    """Queue each saved search's new matches for its webhook; returns how many searches had
    some. Each search looks through the ids after its mark (WINDOW at most), sends every match
    among them and moves its mark past them: nothing is sent twice nor skipped."""
    newest = archive.last_article_id(session)
    with_news = 0
    for search in archive.list_saved_searches(session):
        if not search.webhook or search.last_article_id >= newest:
            continue
        seen = search.last_article_id
        up_to = min(newest, seen + WINDOW)
        matches = _matches(session, params(search, after_id=seen, up_to_id=up_to))
        if not archive.mark_delivered(
            session, search.id, seen=seen, up_to=up_to, count=len(matches), now=now
        ):
            continue  # another worker sends these
        if matches:
            data = {
                "search_id": search.id,
                "search": search.name,
                "articles": [_summary(a) for a in sorted(matches, key=lambda a: a.id)],
            }
            webhooks.queue(session, search.webhook, "search.matches", data, now)
            with_news += 1
    return with_news


def _matches(session: Session, step: SearchParams) -> list[Article]:
    found: list[Article] = []
    while True:
        page = run_search(session, step, facets=False)
        found += [hit.article for hit in page.hits]
        if page.next_cursor is None:
            return found
        step = SearchParams(**{**step.__dict__, "cursor": page.next_cursor})


def _summary(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": article.source_name,
        "published_at": article.published_at,
        "published_date": article.published_day,
    }
