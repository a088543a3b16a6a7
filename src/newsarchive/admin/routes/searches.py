"""Saved searches: list (with their last delivery), save, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.admin.pages import LOGGED_IN, SessionDep, back, render
from newsarchive.admin.security import CheckedForm, flash
from newsarchive.db.base import utc_now
from newsarchive.errors import NewsArchiveError
from newsarchive.inputs.saved_searches import SavedSearchIn
from newsarchive.inputs.sources import checked
from newsarchive.search.query import parse

router = APIRouter(dependencies=LOGGED_IN)
_LABELS = {"name": "Name", "q": "Search", "webhook": "Webhook"}  # as the form says
_LABELS |= {"source": "Source", "lang": "Language", "author": "Author"}
FIELDS = ("name", "q", "source", "lang", "author", "webhook")


def _page(
    request: Request, session: Session, form: dict[str, Any], status: int = 200
) -> HTMLResponse:
    searches = archive.list_saved_searches(session)
    return render(request, "searches.html", status=status, searches=searches, form=form)


@router.get("/searches", response_class=HTMLResponse)
def searches(request: Request, session: SessionDep) -> HTMLResponse:
    """The list, and the form filled in from a search's "save this search" link."""
    given = {key: request.query_params.get(key, "") for key in FIELDS}
    return _page(request, session, form={k: v for k, v in given.items() if v})


@router.post("/searches")
def save_search(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    given = {key: str(form.get(key) or "").strip() or None for key in FIELDS}
    given["name"] = str(form.get("name") or "")
    try:
        search = checked(SavedSearchIn, given, _LABELS)  # as the API checks it
        parse(search.q)
        with session.begin_nested():
            archive.create_saved_search(session, search.row(utc_now()))
    except NewsArchiveError as exc:
        flash(request, exc.detail, "error")
        return _page(request, session, form=form, status=422)
    flash(request, f"Search {search.name} saved.")
    return back("/admin/searches")


@router.post("/searches/{search_id}/delete")
def delete_search(
    request: Request, search_id: int, form: CheckedForm, session: SessionDep
) -> Response:
    archive.delete_saved_search(session, search_id)
    flash(request, "Search deleted.")
    return back("/admin/searches")
