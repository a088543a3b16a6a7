from __future__ import annotations

from fastapi import APIRouter, Response

from newsarchive import archive
from newsarchive.api.deps import AdminDep, SessionDep
from newsarchive.api.schemas import (
    WRITE_ERRORS,
    SourceHealth,
    SourceIn,
    SourceOut,
    SourcePatch,
    errors,
)
from newsarchive.db.base import utc_now
from newsarchive.watch import source_health as health

router = APIRouter(tags=["sources"])


@router.get("/api/sources", response_model=list[SourceOut])
def list_sources(session: SessionDep) -> list[SourceOut]:
    counts = archive.article_counts(session)
    return [SourceOut.of(s, counts.get(s.id, 0)) for s in archive.list_sources(session)]


@router.get("/api/sources/{source_id}", response_model=SourceOut, responses=errors(404, 422))
def get_source(source_id: int, session: SessionDep) -> SourceOut:
    source = archive.get_source(session, source_id)
    return SourceOut.of(source, archive.article_counts(session).get(source.id, 0))


@router.get(
    "/api/sources/{source_id}/health", response_model=SourceHealth, responses=errors(404, 422)
)
def source_health(source_id: int, session: SessionDep) -> SourceHealth:
    """How well the source's pages are extracted and fetched, day by day, and its alerts
    (README, "Source health")."""
    source = archive.get_source(session, source_id)
    return SourceHealth.model_validate(health.report(session, source.id, utc_now()))


@router.post(
    "/api/sources",
    response_model=SourceOut,
    status_code=201,
    dependencies=[AdminDep],
    responses=errors(*WRITE_ERRORS, 409),
)
def create_source(body: SourceIn, session: SessionDep) -> SourceOut:
    return SourceOut.of(archive.create_source(session, body.name, body.fields()), 0)


@router.patch(
    "/api/sources/{source_id}",
    response_model=SourceOut,
    dependencies=[AdminDep],
    responses=errors(*WRITE_ERRORS, 404, 409),
)
def update_source(source_id: int, body: SourcePatch, session: SessionDep) -> SourceOut:
    source = archive.get_source(session, source_id)
    archive.update_source(session, source, body.fields())
    return SourceOut.of(source, archive.article_counts(session).get(source.id, 0))


@router.delete(
    "/api/sources/{source_id}",
    status_code=204,
    dependencies=[AdminDep],
    responses=errors(401, 403, 404, 409, 422),
)
def delete_source(source_id: int, session: SessionDep, with_articles: bool = False) -> Response:
    """Refused (409) while the source has articles, unless `with_articles=true`."""
    archive.delete_source(
        session, archive.get_source(session, source_id), with_articles=with_articles
    )
    return Response(status_code=204)
