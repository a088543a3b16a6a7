"""Revisits: a stored article's page fetched again (asking conditionally), then judged: a new
revision, no change, or gone (404, 410, a redirect to the home page). A crawl revisits what its
frontier hands it, with the same leases, politeness and retries as new URLs; a person forces one
now (`newsarchive revisit`, the API, the admin page, or ingesting a stored URL again). Both
judge and plan the next revisit the same way, by the policy of ingest/revisions.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.errors import Failed, IngestError
from newsarchive.fetch.http import FetchResult
from newsarchive.fetch.page import fetched_page
from newsarchive.ingest.outcome import Outcome
from newsarchive.ingest.revisions import RevisitState, after_revisit, gone_reason

if TYPE_CHECKING:
    from newsarchive.ingest.pipeline import Pipeline

# A revisit's outcomes that say something of the page (a failure or a refusal of ours does not:
# it neither restores a removed article nor breaks a streak of 404s).
ANSWERED = ("revised", "unchanged", "gone")


def validators(
    sessions: sessionmaker[Session], article_id: int | None
) -> tuple[str | None, str | None]:
    """ETag and Last-Modified to send: a revisit's last answer's; a new URL sends none."""
    if article_id is None:
        return None, None
    with sessions() as session:
        return archive.revisit_validators(session, article_id)


def judge(
    pipeline: Pipeline, url: str, article_id: int, source_id: int, result: FetchResult
) -> tuple[Outcome, str | None]:
    """What a revisit's answer means; the second value says why the page looks gone."""
    if result.not_modified:
        return Outcome(url, "unchanged", article_id=article_id), None
    reason = gone_reason(url, final=result.final_url, redirected=bool(result.redirects))
    if reason is not None:
        return Outcome(url, "gone", reason, article_id=article_id), reason
    return pipeline.revise(article_id, fetched_page(url, result, source_id=source_id)), None


def gone_answer(url: str, article_id: int | None, exc: Failed) -> tuple[Outcome, str] | None:
    """A revisit answered 404 or 410: the page may have been taken down."""
    if article_id is None or (reason := gone_reason(url, status=exc.status)) is None:
        return None
    return Outcome(url, "gone", reason, article_id=article_id), reason


def close(
    session: Session,
    article_id: int,
    schedule: Sequence[timedelta],
    now: datetime,
    outcome: Outcome,
    gone: str | None,
) -> None:
    """After a revisit's answer: the next revisit planned and takedowns followed, by the one
    policy (ingest/revisions.after_revisit)."""
    columns = archive.revisit_columns(session, article_id)
    if columns is None:  # deleted meanwhile
        return
    answered = outcome.status in ANSWERED
    new = after_revisit(RevisitState(**columns), schedule, now, answered=answered, gone=gone)
    archive.set_revisit_columns(
        session, article_id, columns, asdict(new), now=now, reason=gone or outcome.reason or "gone"
    )


def revisit_now(pipeline: Pipeline, article_id: int) -> Outcome:
    """Fetch a stored article's page now and judge it as a crawl's revisit would: "revised",
    "unchanged", "gone", or why it could not be fetched. Raises ArticleNotFound."""
    if pipeline.fetcher is None:
        raise RuntimeError("a revisit needs a fetcher")
    with pipeline.sessions() as session:
        article = archive.get_article(session, article_id)
        url, source_id = article.url, article.source_id
    etag, last_modified = validators(pipeline.sessions, article_id)
    gone = None
    try:
        result = pipeline.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        outcome, gone = judge(pipeline, url, article_id, source_id, result)
    except Failed as exc:
        outcome, gone = gone_answer(url, article_id, exc) or (
            Outcome(url, "failed", exc.reason, article_id=article_id),
            None,
        )
    except IngestError as exc:
        outcome = Outcome(url, exc.outcome, exc.reason, article_id=article_id)  # type: ignore[arg-type]
    with session_scope(pipeline.sessions) as session:
        close(session, article_id, pipeline.revisit_after, pipeline.clock(), outcome, gone)
    return outcome
