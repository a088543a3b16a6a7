from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from newsarchive import archive
from newsarchive.api.deps import SessionDep
from newsarchive.api.schemas import Article, ArticlePage, ArticleSummary

router = APIRouter(tags=["articles"])


@router.get("/api/articles", response_model=ArticlePage)
def list_articles(
    session: SessionDep,
    source: Annotated[str | None, Query(max_length=200)] = None,
    lang: Annotated[str | None, Query(max_length=16)] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=archive.MAX_LIMIT)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    dated: Annotated[
        bool, Query(description="leave out articles dated only by when the archive first saw them")
    ] = False,
) -> ArticlePage:
    """Newest first. `from`/`to` are archive days (each article's site day). Pass
    `next_cursor` back as `cursor` for the next page."""
    page = archive.list_articles(
        session,
        archive.ArticleFilters(
            source=source, lang=lang, date_from=date_from, date_to=date_to, dated=dated
        ),
        limit=limit,
        cursor=cursor,
    )
    return ArticlePage(
        items=[ArticleSummary.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/api/articles/{article_id}", response_model=Article)
def get_article(article_id: int, session: SessionDep) -> Article:
    return Article.model_validate(archive.get_article(session, article_id))
