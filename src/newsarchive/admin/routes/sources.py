"""Sources: list, add, edit, enable or disable, remove, crawl now; feed lists in and out as OPML."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from newsarchive import archive
from newsarchive.admin.forms import new_source, source_change
from newsarchive.admin.pages import LOGGED_IN, Crawls, SessionDep, back, render
from newsarchive.admin.security import CheckedForm, flash
from newsarchive.errors import InvalidInput, NewsArchiveError
from newsarchive.inputs.opml import MAX_BYTES, listed, read_opml, write_opml

router = APIRouter(dependencies=LOGGED_IN)


def _sources_page(
    request: Request, session: Session, form: dict[str, Any], status: int = 200
) -> HTMLResponse:
    rows, counts = archive.list_sources(session), archive.article_counts(session)
    return render(request, "sources.html", status=status, sources=rows, counts=counts, form=form)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: SessionDep) -> HTMLResponse:
    return _sources_page(request, session, form={})


@router.post("/sources")
def add_source(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    """A refused source shows the form again, filled in as it was sent, with the reason."""
    try:
        given = new_source(form)
        with session.begin_nested():
            source = archive.create_source(session, given.name, given.fields())
    except NewsArchiveError as exc:
        flash(request, exc.detail, "error")
        return _sources_page(request, session, form=form, status=422)
    flash(request, f"Source {source.name} added.")
    return back("/admin/sources")


@router.post("/sources/opml")
def import_opml(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    """A feed reader's OPML export, uploaded: a source per site, names already registered
    left as they are."""
    upload, data = form.get("opml"), b""
    if isinstance(upload, UploadFile):
        with upload.file:
            data = upload.file.read(MAX_BYTES + 1)
    try:
        listed = read_opml(data)
    except InvalidInput as exc:
        flash(request, f"Not imported: {exc.detail}", "error")
        return back("/admin/sources")
    added, kept = archive.add_missing_sources(
        session, [(s.name, s.fields()) for s in listed.sources]
    )
    said = f"Imported {len(added)} sources from the OPML file"
    said += f"; {len(kept)} already registered" if kept else ""
    said += f"; {len(listed.refused)} feeds refused ({listed.refused[0]})" if listed.refused else ""
    flash(request, said + ".")
    return back("/admin/sources")


@router.get("/sources.opml")
def export_opml(session: SessionDep) -> Response:
    """Every source's feeds as OPML, for a feed reader or another archive."""
    return Response(
        write_opml(listed(archive.list_sources(session)), title="newsarchive sources"),
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="newsarchive-sources.opml"'},
    )


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def edit_source(request: Request, source_id: int, session: SessionDep) -> HTMLResponse:
    source = archive.get_source(session, source_id)
    alerts = archive.source_alerts(session, source_id, limit=20)
    return render(request, "source.html", source=source, alerts=alerts)


@router.post("/sources/{source_id}")
def update_source(
    request: Request, source_id: int, form: CheckedForm, session: SessionDep
) -> Response:
    try:
        change = source_change(form)
        with session.begin_nested():
            archive.update_source(session, archive.get_source(session, source_id), change.fields())
    except NewsArchiveError as exc:
        flash(request, exc.detail, "error")
        return back(f"/admin/sources/{source_id}")
    flash(request, "Source saved.")
    return back("/admin/sources")


@router.post("/sources/{source_id}/toggle")
def toggle_source(
    request: Request, source_id: int, form: CheckedForm, session: SessionDep
) -> Response:
    source = archive.get_source(session, source_id)
    enabled = not source.enabled
    archive.update_source(session, source, archive.SourceFields(enabled=enabled))
    flash(request, f"Source {'enabled' if enabled else 'disabled'}.")
    return back("/admin/sources")


@router.post("/sources/{source_id}/delete")
def remove_source(
    request: Request, source_id: int, form: CheckedForm, session: SessionDep
) -> Response:
    source = archive.get_source(session, source_id)
    name = source.name
    archive.delete_source(session, source, with_articles=form.get("with_articles") == "yes")
    flash(request, f"Source {name} removed.")
    return back("/admin/sources")


@router.post("/sources/{source_id}/crawl")
def crawl_now(
    request: Request, source_id: int, form: CheckedForm, session: SessionDep, crawls: Crawls
) -> Response:
    name = archive.get_source(session, source_id).name
    if crawls.start(name):
        flash(request, f"Crawl of {name} started; it appears below as it runs.")
    else:
        flash(request, f"A crawl of {name} is already running.", "error")
    return back("/admin/runs")
