"""Revisits in a crawl: a stored article's page fetched again (asking conditionally), then
judged: a new revision, no change, or gone (404, 410, a redirect to the home page). The
frontier carries revisits like new URLs, so they get the same leases, politeness and retries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.archive import frontier
from newsarchive.errors import Failed
from newsarchive.fetch.http import FetchResult
from newsarchive.ingest.pipeline import Outcome, Pipeline, fetched_page
from newsarchive.ingest.revisions import GONE_STATUSES, gone_by_redirect, next_revisit

# A revisit's outcomes that say something of the page (a failure or a refusal of ours does not:
# it neither restores a removed article nor breaks a streak of 404s).
ANSWERED = ("revised", "unchanged", "gone")


def validators(
    sessions: sessionmaker[Session], item: frontier.Claim
) -> tuple[str | None, str | None]:
    """ETag and Last-Modified to send: a revisit's last answer's; a new URL sends none."""
    if item.revisit_of is None:
        return None, None
    with sessions() as session:
        return archive.revisit_validators(session, item.revisit_of)


def judge(
    pipeline: Pipeline, item: frontier.Claim, result: FetchResult
) -> tuple[Outcome, str | None]:
    """What a revisit's answer means; the second value says why the page looks gone."""
    assert item.revisit_of is not None
    if result.not_modified:
        return Outcome(item.url, "unchanged", article_id=item.revisit_of), None
    if gone_by_redirect(item.url, result.final_url, bool(result.redirects)):
        reason = f"redirected to the home page {result.final_url}"
        return Outcome(item.url, "gone", reason, article_id=item.revisit_of), reason
    page = fetched_page(item.url, result, source_id=item.source_id)
    return pipeline.revise(item.revisit_of, page), None


def gone_answer(item: frontier.Claim, exc: Failed) -> tuple[Outcome, str] | None:
    """A revisit answered 404 or 410: the page may have been taken down."""
    if item.revisit_of is None or exc.status not in GONE_STATUSES:
        return None
    reason = f"HTTP {exc.status}"
    return Outcome(item.url, "gone", reason, article_id=item.revisit_of), reason


def planner(schedule: Sequence[timedelta]) -> Callable[[datetime, int, datetime], datetime | None]:
    """When the next revisit is due, from when the article was first seen and how many were
    done (archive.after_revisit asks)."""
    return lambda first_seen, done, now: next_revisit(first_seen, done, schedule, now)
