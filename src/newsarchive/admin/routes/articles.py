"""Browsing and searching articles; one article, its stored page, a revisit now, re-extraction,
deletion."""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session

from newsarchive import archive, services
from newsarchive.admin.forms import parse_day
from newsarchive.admin.pages import LOGGED_IN, AdminSettings, SessionDep, Sessions, back, render
from newsarchive.admin.security import SECURITY_HEADERS, CheckedForm, flash
from newsarchive.errors import InvalidInput, NotFound
from newsarchive.ingest.revisions import diff_segments, history
from newsarchive.search import SearchParams, run_search

router = APIRouter(dependencies=LOGGED_IN)
PAGE_SIZE = 25


def _listing(session: Session, filters: dict[str, str], cursor: str) -> dict[str, Any]:
    """A page of articles: search hits with snippets when there is a query, else newest first."""
    start, end = parse_day(filters["date_from"]), parse_day(filters["date_to"])
    source, lang = filters["source"] or None, filters["lang"] or None
    if filters["q"].strip():
        params = SearchParams(
            q=filters["q"],
            date_from=start,
            date_to=end,
            source=source,
            lang=lang,
            author=filters["author"] or None,
            sort="newest",
            limit=PAGE_SIZE,
            cursor=cursor or None,
            collapse=filters["collapse"] == "story",
        )
        page = run_search(session, params, facets=False)
        return {
            "items": [hit.article for hit in page.hits],
            "snippets": {hit.article.id: hit.snippet for hit in page.hits},
            "total": page.total,
            "next_cursor": page.next_cursor,
        }
    wanted = archive.ArticleFilters(source=source, lang=lang, date_from=start, date_to=end)
    listing = archive.list_articles(session, wanted, limit=PAGE_SIZE, cursor=cursor or None)
    return {"items": list(listing.items), "next_cursor": listing.next_cursor}


@router.get("/articles", response_class=HTMLResponse)
def articles(
    request: Request,
    session: SessionDep,
    q: str = "",
    source: str = "",
    lang: str = "",
    author: str = "",
    date_from: str = "",
    date_to: str = "",
    cursor: str = "",
    collapse: str = "",
) -> HTMLResponse:
    filters = {"q": q, "source": source, "lang": lang, "date_from": date_from, "date_to": date_to}
    filters |= {"author": author, "collapse": collapse}
    found: dict[str, Any] = {"items": [], "snippets": {}, "total": None, "next_cursor": None}
    error = None
    source_names = [s.name for s in archive.list_sources(session)]
    try:
        found |= _listing(session, filters, cursor)
    except InvalidInput as exc:
        error = exc.detail
    next_cursor = found.pop("next_cursor")
    next_url = (
        "/admin/articles?" + urlencode({**filters, "cursor": next_cursor}) if next_cursor else None
    )
    wanted = {k: v for k, v in filters.items() if v and k in ("q", "source", "lang", "author")}
    if not q.strip():
        wanted.pop("author", None)  # (it filters a search only)
    dates = {"from": date_from, "to": date_to}
    exported = {**wanted, **{k: v for k, v in dates.items() if v}, "format": "csv"}
    return render(
        request,
        "articles.html",
        **found,
        error=error,
        filters=filters,
        sources=source_names,
        next_url=next_url,
        save_url="/admin/searches?" + urlencode(wanted) if q.strip() else None,
        export_url="/api/export?" + urlencode(exported) if not error else None,
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: int, session: SessionDep) -> HTMLResponse:
    found = archive.get_article(session, article_id)
    raw = archive.get_raw(session, article_id)
    raw_size = raw.size if raw is not None else 0
    versions = history(archive.list_revisions(session, article_id), found)
    takedowns = archive.list_takedowns(session, article_id)
    story_id = found.story_id or found.id
    story = archive.story_members(session, story_id, limit=21) if found.story_size > 1 else []
    # the story's other articles, each with its text's difference from the earliest one
    copies = [
        (member, diff_segments(story[0].text, member.text) if member is not story[0] else [])
        for member in story
        if member.id != found.id
    ]
    paragraphs = [p for p in found.text.split("\n") if p.strip()]
    return render(
        request,
        "article.html",
        article=found,
        paragraphs=paragraphs,
        raw_size=raw_size,
        versions=versions,
        takedowns=takedowns,
        copies=copies,
        earliest=story[0] if story else None,
    )


@router.get("/articles/{article_id}/raw")
def raw_page(article_id: int, session: SessionDep) -> Response:
    """The stored page as plain text: shown, never rendered."""
    archive.get_article(session, article_id)
    raw = archive.get_raw(session, article_id)
    if raw is None or not raw.body:
        raise NotFound("no raw page is stored for this article")
    body = zlib.decompress(raw.body).decode(raw.charset or "utf-8", errors="replace")
    headers = dict(SECURITY_HEADERS) | {"Content-Security-Policy": "sandbox; default-src 'none'"}
    return PlainTextResponse(body, headers=headers)


@router.post("/articles/{article_id}/reextract")
def reextract(
    request: Request,
    article_id: int,
    form: CheckedForm,
    settings: AdminSettings,
    sessions: Sessions,
) -> Response:
    outcome = services.pipeline(settings, sessions).reextract(article_id)
    if outcome.status == "stored":
        flash(request, "Extracted again from the stored page.")
    else:
        flash(request, f"Not re-extracted: {outcome.reason}", "error")
    return back(f"/admin/articles/{article_id}")


@router.post("/articles/{article_id}/revisit")
def revisit(
    request: Request,
    article_id: int,
    form: CheckedForm,
    settings: AdminSettings,
    sessions: Sessions,
) -> Response:
    """Fetch the page now, as a crawl's revisit would, and say what came of it."""
    [outcome] = services.revisit(settings, sessions, [article_id])
    said = {
        "revised": f"The page changed ({outcome.reason}): a new revision is kept.",
        "unchanged": "The page has not changed.",
        "gone": f"The page looks gone ({outcome.reason}).",
    }
    if outcome.status in said:
        flash(request, said[outcome.status])
    else:
        flash(request, f"Not revisited: {outcome.reason}", "error")
    return back(f"/admin/articles/{article_id}")


@router.get("/articles/{article_id}/delete", response_class=HTMLResponse)
def confirm_delete(request: Request, article_id: int, session: SessionDep) -> HTMLResponse:
    found = archive.get_article(session, article_id)
    return render(request, "confirm_delete.html", article=found)


@router.post("/articles/{article_id}/delete")
def delete(request: Request, article_id: int, form: CheckedForm, session: SessionDep) -> Response:
    archive.delete_article(session, article_id)
    flash(request, f"Article {article_id} deleted.")
    return back("/admin/articles")
