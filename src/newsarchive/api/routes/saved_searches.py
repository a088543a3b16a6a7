"""Saved searches: stored queries whose new matches are POSTed to a webhook after each crawl
run, each with an Atom feed of its newest matches."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from newsarchive import archive
from newsarchive.api import atom
from newsarchive.api.deps import AdminDep, SessionDep
from newsarchive.api.schemas import WRITE_ERRORS, SavedSearchIn, SavedSearchOut, errors
from newsarchive.db.base import utc_now
from newsarchive.search import run_search
from newsarchive.search.query import parse
from newsarchive.watch.saved_searches import params

router = APIRouter(tags=["saved searches"])


@router.get("/api/saved-searches", response_model=list[SavedSearchOut])
def list_saved(session: SessionDep) -> list[SavedSearchOut]:
    return [SavedSearchOut.of(s) for s in archive.list_saved_searches(session)]


@router.post(
    "/api/saved-searches",
    response_model=SavedSearchOut,
    status_code=201,
    dependencies=[AdminDep],
    responses=errors(*WRITE_ERRORS, 409),
)
def create_saved(body: SavedSearchIn, session: SessionDep) -> SavedSearchOut:
    """Its webhook gets the matches stored from now on, once each, after each crawl run."""
    parse(body.q)  # a query the search would refuse is refused now (422)
    return SavedSearchOut.of(archive.create_saved_search(session, body.row(utc_now())))


@router.get(
    "/api/saved-searches/{search_id}.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **errors(404, 422)},
)
def saved_feed(search_id: int, request: Request, session: SessionDep) -> Response:
    """An Atom feed of the saved search's 50 newest matches."""
    search = archive.get_saved_search(session, search_id)
    page = run_search(session, params(search, limit=50), facets=False)
    body = atom.feed(
        title=f"newsarchive: {search.name}",
        self_url=str(request.url),
        feed_id=str(request.url),
        articles=[hit.article for hit in page.hits],
    )
    return Response(body, media_type=atom.MEDIA_TYPE)


@router.get(
    "/api/saved-searches/{search_id:int}", response_model=SavedSearchOut, responses=errors(404, 422)
)
def get_saved(search_id: int, session: SessionDep) -> SavedSearchOut:
    return SavedSearchOut.of(archive.get_saved_search(session, search_id))


@router.delete(
    "/api/saved-searches/{search_id:int}",
    status_code=204,
    dependencies=[AdminDep],
    responses=errors(401, 403, 404, 422),
)
def delete_saved(search_id: int, session: SessionDep) -> Response:
    archive.delete_saved_search(session, search_id)
    return Response(status_code=204)
