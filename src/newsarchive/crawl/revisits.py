"""Revisits in a crawl: a stored article's page fetched again (asking conditionally), then
judged: a new revision, no change, or gone (404, 410, a redirect to the home page). The
frontier carries revisits like new URLs, so they get the same leases, politeness and retries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.errors import Failed
from newsarchive.fetch.http import FetchResult
from newsarchive.ingest.outcome import Outcome
from newsarchive.ingest.pipeline import Pipeline, fetched_page
from newsarchive.ingest.revisions import RevisitState, after_revisit, gone_reason

# A revisit's outcomes that say something of the page (a failure or a refusal of ours does not:
# it neither restores a removed article nor breaks a streak of 404s).
ANSWERED = ("revised", "unchanged", "gone")


def validators(
    sessions: sessionmaker[Session], item: archive.frontier.Claim
) -> tuple[str | None, str | None]:
    """ETag and Last-Modified to send: a revisit's last answer's; a new URL sends none."""
    if item.revisit_of is None:
        return None, None
    with sessions() as session:
        return archive.revisit_validators(session, item.revisit_of)


def judge(
    pipeline: Pipeline, item: archive.frontier.Claim, result: FetchResult
) -> tuple[Outcome, str | None]:
    """What a revisit's answer means; the second value says why the page looks gone."""
    assert item.revisit_of is not None
    if result.not_modified:
        return Outcome(item.url, "unchanged", article_id=item.revisit_of), None
    reason = gone_reason(item.url, final=result.final_url, redirected=bool(result.redirects))
    if reason is not None:
        return Outcome(item.url, "gone", reason, article_id=item.revisit_of), reason
    page = fetched_page(item.url, result, source_id=item.source_id)
    return pipeline.revise(item.revisit_of, page), None


def gone_answer(item: archive.frontier.Claim, exc: Failed) -> tuple[Outcome, str] | None:
    """A revisit answered 404 or 410: the page may have been taken down."""
    if item.revisit_of is None or (reason := gone_reason(item.url, status=exc.status)) is None:
        return None
    return Outcome(item.url, "gone", reason, article_id=item.revisit_of), reason


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
