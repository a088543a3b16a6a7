"""Source health, against the store: judge a source after a crawl run (open and close its
alerts), and describe its health day by day. The rules are in watch/rules.py."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Alert
from newsarchive.watch import webhooks
from newsarchive.watch.rules import (
    BASELINE,
    RECENT,
    SILENT_RUNS,
    RunSample,
    Sample,
    judge_articles,
    judge_runs,
)

DAYS = 30  # the days a health report covers


def evaluate(
    session: Session,
    source_id: int,
    now: datetime,
    *,
    run_id: int | None = None,
    webhook: str | None = None,
) -> list[Alert]:
    """Open the alerts the source's newest articles and runs call for, close those they no
    longer do; returns the alerts opened. `run_id`: the run that just ended its work;
    `webhook`: where each opening and closing is POSTed (queued here, sent after the run)."""
    archive.lock_source(session, source_id)
    open_now = {alert.kind: alert for alert in archive.open_alerts(session, source_id)}
    samples = [
        _sample(row) for row in archive.newest_articles(session, source_id, RECENT + BASELINE)
    ]
    runs = [
        RunSample(row.stored, row.failed, row.feeds_failed)
        for row in archive.newest_runs(session, source_id, SILENT_RUNS * 4, current=run_id)
    ]
    baselines = {kind: alert.baseline for kind, alert in open_now.items()}
    opened = []
    for verdict in [*judge_articles(samples, baselines), *judge_runs(runs)]:
        alert = open_now.get(verdict.kind)
        if verdict.broken and alert is None:
            alert = archive.open_alert(
                session,
                source_id,
                verdict.kind,
                now=now,
                baseline=verdict.baseline,
                message=verdict.message,
            )
            opened.append(alert)
            webhooks.queue(session, webhook, "alert.opened", _event(alert), now)
        elif not verdict.broken and alert is not None:
            archive.close_alert(session, alert.id, now)
            event = _event(alert) | {"closed_at": now, "why_closed": verdict.message}
            webhooks.queue(session, webhook, "alert.closed", event, now)
    return opened


def _event(alert: Alert) -> dict[str, Any]:
    return {
        "source": alert.source.name,
        "source_id": alert.source_id,
        "kind": alert.kind,
        "since": alert.opened_at,
        "message": alert.message,
    }


def report(session: Session, source_id: int, now: datetime) -> dict[str, Any]:
    """The source's last DAYS days (stored, shares, median words, failures), its fetching,
    and its alerts: what GET /api/sources/{id}/health answers."""
    since = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    by_day: dict[Any, list[Any]] = defaultdict(list)
    for row in archive.articles_since(session, source_id, since):
        by_day[row.first_seen_at.date()].append(row)
    problems: dict[Any, Counter[str]] = defaultdict(Counter)
    by_status: Counter[str] = Counter()
    for at, outcome, reason in archive.errors_since(session, source_id, since):
        problems[at.date()][outcome] += 1
        by_status[reason.split(" (")[0].split(":")[0][:60]] += 1
    days = []
    for day in sorted(set(by_day) | set(problems), reverse=True):
        rows = by_day.get(day, [])
        days.append(
            {
                "date": day,
                "stored": len(rows),
                "with_page_date": sum(r.date_source == "page" for r in rows),
                "with_authors": sum(bool(r.authors) for r in rows),
                "with_title": sum(bool(r.title) for r in rows),
                "median_words": statistics.median(r.word_count for r in rows) if rows else None,
                "failed": problems[day]["failed"],
                "skipped": problems[day]["skipped"],
            }
        )
    runs = archive.newest_runs(session, source_id, 100)
    failing = 0
    for run in runs:
        if run.stored or not (run.failed or run.feeds_failed):
            break
        failing += 1
    last_success = next((run.finished_at for run in runs if run.stored), None)
    return {
        "days": days,
        "fetch": {
            "last_success_at": last_success,
            "consecutive_failed_runs": failing,
            "by_status": dict(by_status.most_common(20)),
        },
        "alerts": [
            {
                "kind": a.kind,
                "since": a.opened_at,
                "message": a.message,
                "open": a.closed_at is None,
                "closed_at": a.closed_at,
            }
            for a in archive.source_alerts(session, source_id)
        ],
    }


def _sample(row: Any) -> Sample:
    return Sample(
        page_date=row.date_source == "page",
        authors=bool(row.authors),
        title=bool(row.title),
        words=row.word_count,
    )
