"""Saved searches: list (with their last delivery), save, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsarchive import archive
from newsarchive.admin.pages import LOGGED_IN, Sessions, back, render
from newsarchive.admin.security import CheckedForm, flash
from newsarchive.db.base import utc_now
from newsarchive.db.models import SavedSearch
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput, NewsArchiveError
from newsarchive.ingest.urls import is_http_url
from newsarchive.search.query import parse

router = APIRouter(dependencies=LOGGED_IN)


def _page(
    request: Request, sessions: Sessions, form: dict[str, Any], status: int = 200
) -> HTMLResponse:
    with sessions() as session:
        searches = archive.list_saved_searches(session)
    return render(request, "searches.html", status=status, searches=searches, form=form)


@router.get("/searches", response_class=HTMLResponse)
def searches(request: Request, sessions: Sessions) -> HTMLResponse:
    return _page(request, sessions, form={})


@router.post("/searches")
def save_search(request: Request, form: CheckedForm, sessions: Sessions) -> Response:
    name, q = str(form.get("name") or "").strip(), str(form.get("q") or "").strip()
    webhook = str(form.get("webhook") or "").strip() or None
    try:
        if not name or len(name) > 200 or not q or len(q) > 500:
            raise InvalidInput("give a name (up to 200 characters) and a search")
        if webhook is not None and not is_http_url(webhook):
            raise InvalidInput(f"webhook: not an http(s) URL: {webhook[:200]}")
        parse(q)
        with session_scope(sessions) as session:
            archive.create_saved_search(
                session, SavedSearch(name=name, q=q, webhook=webhook, created_at=utc_now())
            )
    except NewsArchiveError as exc:
        flash(request, exc.detail, "error")
        return _page(request, sessions, form=form, status=422)
    flash(request, f"Search {name} saved.")
    return back("/admin/searches")


@router.post("/searches/{search_id}/delete")
def delete_search(
    request: Request, search_id: int, form: CheckedForm, sessions: Sessions
) -> Response:
    with session_scope(sessions) as session:
        archive.delete_saved_search(session, search_id)
    flash(request, "Search deleted.")
    return back("/admin/searches")
