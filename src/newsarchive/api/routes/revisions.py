"""An article's versions, and an Atom feed of the archive's newest changes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from newsarchive import archive
from newsarchive.api import atom
from newsarchive.api.deps import SessionDep
from newsarchive.api.schemas import RevisionOut, errors
from newsarchive.ingest.revisions import history

router = APIRouter(tags=["revisions"])


@router.get(
    "/api/articles/{article_id}/revisions",
    response_model=list[RevisionOut],
    responses=errors(404, 422),
)
def revisions(article_id: int, session: SessionDep) -> list[RevisionOut]:
    """Every version of the article's page the archive saw, oldest first; one entry while the
    page never changed (crawls revisit pages: NEWSARCHIVE_REVISIT_AFTER)."""
    article = archive.get_article(session, article_id)
    entries = history(archive.list_revisions(session, article_id), article)
    return [RevisionOut.model_validate(asdict(entry)) for entry in entries]


@router.get(
    "/api/changes.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **errors(422)},
)
def changes_feed(
    request: Request,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=archive.MAX_LIMIT)] = 50,
) -> Response:
    """An Atom feed of the newest changes to stored articles (corrections, rewrites), each
    entry one new revision with what changed and the text's diff."""
    body = atom.changes(
        self_url=str(request.url), changes=archive.recent_revisions(session, limit=limit)
    )
    return Response(body, media_type=atom.MEDIA_TYPE)
