from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.api import atom
from newsarchive.api.caching import NOT_MODIFIED, AnswerDep
from newsarchive.api.deps import SessionDep
from newsarchive.api.params import NO_NUL, Collection, Cursor, From, Lang, Limit, Text, To
from newsarchive.api.schemas import (
    EXPORT_FIELDS,
    ArticleSummary,
    SearchHit,
    SearchResponse,
    article_records,
    errors,
)
from newsarchive.errors import InvalidInput
from newsarchive.search import SearchParams, run_search
from newsarchive.search.query import MAX_QUERY_CHARS, parse
from newsarchive.search.service import Sort, iter_selection
from newsarchive.transfer import csv_lines

router = APIRouter(tags=["search"])

Q = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        pattern=NO_NUL,
        description='words, "phrases", OR, -excluded',
    ),
]


def _params(
    q: str,
    date_from: date | None,
    date_to: date | None,
    source: str | None,
    lang: str | None,
    author: str | None,
    sort: Sort = "relevance",
    limit: int = 20,
    cursor: str | None = None,
) -> SearchParams:
    return SearchParams(
        q=q,
        date_from=date_from,
        date_to=date_to,
        source=source,
        lang=lang,
        author=author,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )


@router.get("/api/search", response_model=SearchResponse, responses=errors(422) | NOT_MODIFIED)
def search(
    session: SessionDep,
    answer: AnswerDep,
    q: Q,
    date_from: From = None,
    date_to: To = None,
    source: Text = None,
    lang: Lang = None,
    author: Text = None,
    collection: Collection = None,
    sort: Literal["relevance", "newest", "oldest"] = "relevance",
    limit: Limit = 20,
    cursor: Cursor = None,
    facets: Annotated[bool, Query(description="false: skip the facet counts (faster)")] = True,
    exact: Annotated[
        bool,
        Query(description="true: count the total and facets of a broad search exactly (slower)"),
    ] = False,
    collapse: Annotated[
        Literal["story"] | None,
        Query(
            description="story: one hit per story (its best-ranked article); the total and "
            "the facets then count stories"
        ),
    ] = None,
) -> Response:
    """Full-text search. `next_cursor` pages on; facets count the whole result set."""
    params = _params(q, date_from, date_to, source, lang, author, sort, limit, cursor)
    params = replace(params, collapse=collapse == "story", collection=collection)
    return answer(session, lambda: _search(session, params, facets=facets, exact=exact))


def _search(session: Session, params: SearchParams, *, facets: bool, exact: bool) -> SearchResponse:
    page = run_search(session, params, facets=facets, exact=exact)
    items = [
        SearchHit(
            **ArticleSummary.model_validate(hit.article).model_dump(),
            snippet=hit.snippet,
            score=hit.score,
        )
        for hit in page.hits
    ]
    return SearchResponse.model_validate(
        {
            "total": page.total,
            "total_exact": page.total_exact,
            "items": items,
            "facets": page.facets or {"sources": [], "languages": [], "days": []},
            "facets_exact": page.facets_exact,
            "next_cursor": page.next_cursor,
        }
    )


@router.get(
    "/api/search.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **errors(422), **NOT_MODIFIED},
)
def search_feed(
    request: Request,
    session: SessionDep,
    answer: AnswerDep,
    q: Q,
    source: Text = None,
    lang: Lang = None,
    author: Text = None,
    collection: Collection = None,
    limit: Limit = 50,
) -> Response:
    """An Atom feed of the newest matches of a search: subscribe to any query."""
    params = _params(q, None, None, source, lang, author, "newest", limit)
    params = replace(params, collection=collection)

    def make() -> tuple[bytes, str]:
        page = run_search(session, params, facets=False)
        body = atom.feed(
            title=f"newsarchive: {q}",
            self_url=str(request.url),
            feed_id=str(request.url),
            articles=[hit.article for hit in page.hits],
        )
        return body, atom.MEDIA_TYPE

    return answer(session, make)


@router.get(
    "/api/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}, **errors(422)},
)
def export(
    request: Request,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            pattern=NO_NUL,
            description="a search; without one, every article (in the date range)",
        ),
    ] = None,
    format: Literal["jsonl", "csv"] = "jsonl",
    date_from: From = None,
    date_to: To = None,
    source: Text = None,
    lang: Lang = None,
    author: Text = None,
    collection: Collection = None,
) -> StreamingResponse:
    """Every match of a search, or every article, newest first, streamed: no cap, flat
    memory. Whatever can be wrong with the request is answered before the first byte."""
    params = replace(
        _params(q or "", date_from, date_to, source, lang, author), collection=collection
    )
    archive.check_day_range(date_from, date_to)
    if q is not None:
        parse(q)  # a bad query is a 422 now, not a broken stream later
    elif author is not None:
        raise InvalidInput("'author' filters a search: give 'q' too")
    sessions = request.app.state.sessions

    def rows() -> Iterator[dict[str, object]]:
        with sessions() as session:
            yield from article_records(iter_selection(session, params))

    if format == "jsonl":
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows())
        return StreamingResponse(
            lines,
            media_type="application/x-ndjson",
            headers={"Content-Disposition": 'attachment; filename="newsarchive-export.jsonl"'},
        )
    return StreamingResponse(
        csv_lines(rows(), EXPORT_FIELDS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="newsarchive-export.csv"'},
    )
