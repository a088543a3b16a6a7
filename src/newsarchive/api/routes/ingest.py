from __future__ import annotations

from fastapi import APIRouter, Request, Response

from newsarchive import archive, services
from newsarchive.api.deps import AdminDep, SettingsDep
from newsarchive.api.schemas import WRITE_ERRORS, Article, IngestRequest, errors
from newsarchive.errors import Failed, Skipped
from newsarchive.ingest.runs import recorded

router = APIRouter(tags=["ingest"])


@router.post(
    "/api/ingest",
    response_model=Article,
    status_code=201,
    dependencies=[AdminDep],
    responses={200: {"model": Article}, **errors(*WRITE_ERRORS, 502)},
)
def ingest(
    body: IngestRequest, request: Request, response: Response, settings: SettingsDep
) -> Article:
    """Fetch, extract and store one article now: 201 when stored; 200 with the article already
    stored for a duplicate, or, for a URL stored before, after revisiting it (its page changed:
    a new revision); 422 when skipped (e.g. not HTML), 502 when the fetch failed."""
    sessions = request.app.state.sessions
    with services.fetcher(settings) as fetcher:
        pipeline = services.pipeline(settings, sessions, fetcher)
        with recorded(sessions, "ingest") as run:  # listed in /api/runs like the CLI's
            outcome = pipeline.ingest_url(str(body.url))
            run.count(outcome)
    if outcome.article_id is None or outcome.status in ("skipped", "failed"):
        error = Skipped if outcome.status == "skipped" else Failed
        raise error(f"{outcome.status}: {outcome.reason}")
    if outcome.status != "stored":
        response.status_code = 200
    with sessions() as session:
        return Article.model_validate(archive.get_article(session, outcome.article_id))
