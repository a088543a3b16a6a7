"""An article's versions, and an Atom feed of the archive's newest changes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from newsarchive import archive, services
from newsarchive.api import atom
from newsarchive.api.deps import AdminDep, SessionDep, SettingsDep
from newsarchive.api.schemas import WRITE_ERRORS, Article, RevisionOut, errors
from newsarchive.errors import Failed, Skipped
from newsarchive.ingest.revisions import history

router = APIRouter(tags=["revisions"])


class RevisitOut(BaseModel):
    status: Literal["revised", "unchanged", "gone"] = Field(
        description="revised: the page changed and a new revision was kept; gone: 404, 410 or "
        "moved to the home page (taken down after two such answers a run apart)"
    )
    changed: str | None = Field(description="what changed, when revised: 'title, text'")
    gone: str | None = Field(description="why the page looks gone, when gone")
    article: Article


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


@router.post(
    "/api/articles/{article_id}/revisit",
    response_model=RevisitOut,
    dependencies=[AdminDep],
    responses=errors(*WRITE_ERRORS, 404, 502),
)
def revisit(article_id: int, request: Request, settings: SettingsDep) -> RevisitOut:
    """Fetch the article's page now and compare: "revised" (a new revision, `changed` says
    what), "unchanged", or "gone" (404, 410, moved to the home page); 502 when it could not
    be fetched. The next revisit is planned as a crawl's would be."""
    sessions = request.app.state.sessions
    with sessions() as session:
        archive.get_article(session, article_id)  # 404 before any fetch
    [outcome] = services.revisit(settings, sessions, [article_id])
    if outcome.status in ("skipped", "failed"):
        error = Skipped if outcome.status == "skipped" else Failed
        raise error(f"{outcome.status}: {outcome.reason}")
    with sessions() as session:
        article = Article.model_validate(archive.get_article(session, article_id))
    changed = outcome.reason if outcome.status == "revised" else None
    gone = outcome.reason if outcome.status == "gone" else None
    return RevisitOut(status=outcome.status, changed=changed, gone=gone, article=article)


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
