from __future__ import annotations

from fastapi import APIRouter, Response

from newsarchive import archive
from newsarchive.api.caching import NOT_MODIFIED, AnswerDep
from newsarchive.api.deps import SessionDep
from newsarchive.api.params import (
    Changed,
    Cursor,
    Dated,
    From,
    Lang,
    Limit,
    Removed,
    StoryId,
    Text,
    To,
)
from newsarchive.api.schemas import Article, ArticlePage, ArticleSummary, Story, errors
from newsarchive.errors import NotFound

router = APIRouter(tags=["articles"])


@router.get("/api/articles", response_model=ArticlePage, responses=errors(422))
def list_articles(
    session: SessionDep,
    source: Text = None,
    lang: Lang = None,
    date_from: From = None,
    date_to: To = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    dated: Dated = False,
    changed: Changed = False,
    removed: Removed = False,
    story: StoryId = None,
) -> ArticlePage:
    """Newest first. `from`/`to` are archive days (each article's site day). Pass
    `next_cursor` back as `cursor` for the next page."""
    page = archive.list_articles(
        session,
        archive.ArticleFilters(
            source=source,
            lang=lang,
            date_from=date_from,
            date_to=date_to,
            dated=dated,
            changed=changed,
            removed=removed,
            story=story,
        ),
        limit=limit,
        cursor=cursor,
    )
    return ArticlePage(
        items=[ArticleSummary.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/api/articles/{article_id}", response_model=Article, responses=errors(404, 422) | NOT_MODIFIED
)
def get_article(article_id: int, session: SessionDep, answer: AnswerDep) -> Response:
    return answer(session, lambda: Article.model_validate(archive.get_article(session, article_id)))


@router.get(
    "/api/stories/{story_id}", response_model=Story, responses=errors(404, 422) | NOT_MODIFIED
)
def get_story(story_id: int, session: SessionDep, answer: AnswerDep) -> Response:
    """A story: the stored copies of one article across sources (near-duplicate texts),
    the earliest seen first (200 at most; `size` counts them all)."""

    def make() -> Story:
        storable = archive.paging.storable_id(story_id)
        members = archive.story_members(session, story_id) if storable else []
        if not members:
            raise NotFound(f"story {story_id} not found")
        return Story(
            id=story_id,
            size=members[0].story_size,
            outlets=archive.story_outlets(session, story_id),
            first_seen_at=members[0].first_seen_at,
            articles=[ArticleSummary.model_validate(a) for a in members],
        )

    return answer(session, make)
