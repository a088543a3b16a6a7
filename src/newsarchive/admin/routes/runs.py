"""Runs (crawls, ingests, imports) and the ingest-one-URL form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsarchive import archive, services
from newsarchive.admin.pages import LOGGED_IN, AdminSettings, SessionDep, Sessions, back, render
from newsarchive.admin.security import CheckedForm, flash
from newsarchive.fetch.urls import is_http_url
from newsarchive.ingest.runs import recorded

router = APIRouter(dependencies=LOGGED_IN)


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, session: SessionDep) -> HTMLResponse:
    rows = archive.list_runs(session, limit=50)
    deliveries = archive.recent_deliveries(session, limit=20)
    return render(request, "runs.html", runs=rows, deliveries=deliveries)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run(request: Request, run_id: int, session: SessionDep) -> HTMLResponse:
    found = archive.get_run(session, run_id)
    return render(request, "run.html", run=found)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    return render(request, "ingest.html", url="")


@router.post("/ingest")
def ingest(
    request: Request, form: CheckedForm, settings: AdminSettings, sessions: Sessions
) -> Response:
    url = str(form.get("url") or "").strip()
    if not is_http_url(url):
        flash(request, "Give an http:// or https:// address.", "error")
        return render(request, "ingest.html", status=422, url=url)
    with services.fetcher(settings) as fetcher, recorded(sessions, "ingest") as recording:
        outcome = services.pipeline(settings, sessions, fetcher).ingest_url(url)
        recording.count(outcome)
    if outcome.article_id is None or outcome.status in ("skipped", "failed"):
        flash(request, f"{outcome.status.capitalize()}: {outcome.reason}", "error")
        return render(request, "ingest.html", status=422, url=url)
    said = {
        "stored": "Stored.",
        "revised": f"Already in the archive; its page changed ({outcome.reason}): a new revision is kept.",
        "gone": f"Already in the archive; its page looks gone ({outcome.reason}).",
    }
    flash(request, said.get(outcome.status, "Already in the archive."))
    return back(f"/admin/articles/{outcome.article_id}")
