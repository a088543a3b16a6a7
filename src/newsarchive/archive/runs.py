"""Run queries: each ingestion run's counts, errors, heartbeat and end."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from newsarchive.archive.paging import storable_id
from newsarchive.db.base import utc_now
from newsarchive.db.models import (
    RUN_COUNTERS,
    RUNS,
    Run,
    RunError,
    RunSource,
    Source,
)
from newsarchive.errors import RunNotFound


def start_run(session: Session, kind: str, now: datetime | None = None) -> Run:
    now = now or utc_now()
    run = Run(kind=kind, status="running", started_at=now, heartbeat_at=now)
    for counter in RUN_COUNTERS:
        setattr(run, counter, 0)
    session.add(run)
    session.flush()
    return run


def count(
    session: Session, run_id: int, counts: Mapping[str, int], source_id: int | None = None
) -> None:
    """Add to a run's counters, and its source's, in SQL (concurrent workers lose nothing)."""
    if not counts:
        return
    if unknown := set(counts) - set(RUN_COUNTERS):
        raise ValueError(f"unknown run counters {unknown}")
    conn = session.connection()
    run_values = {getattr(Run, k): getattr(Run, k) + n for k, n in counts.items()}
    conn.execute(update(Run).where(Run.id == run_id).values(run_values))
    if source_id is None:
        return
    source_values = {getattr(RunSource, k): getattr(RunSource, k) + n for k, n in counts.items()}
    this_source = (RunSource.run_id == run_id) & (RunSource.source_id == source_id)
    if conn.execute(update(RunSource).where(this_source).values(source_values)).rowcount:
        return
    try:
        with session.begin_nested():
            row = dict.fromkeys(RUN_COUNTERS, 0) | dict(counts)
            session.add(RunSource(run_id=run_id, source_id=source_id, **row))
    except IntegrityError:  # a concurrent worker created the row first
        conn.execute(update(RunSource).where(this_source).values(source_values))


def record_error(
    session: Session, run_id: int, *, url: str, outcome: str, reason: str, source_id: int | None
) -> None:
    session.add(
        RunError(
            run_id=run_id,
            source_id=source_id,
            url=url,
            outcome=outcome,
            reason=reason,
            at=utc_now(),
        )
    )


def finish_run(session: Session, run_id: int, status: str = "finished") -> None:
    session.execute(
        RUNS.update().where(Run.id == run_id).values(status=status, finished_at=utc_now())
    )


# How the failure reason of a listing starts: a feed, a sitemap, or robots.txt of a source's
# home page (crawl/discovery.py writes them so). Refused or failed, a listing not read matters.
LISTING_FAILURES = ("feed: ", "sitemap: ", "robots.txt: ")


def _failure() -> Any:
    """A page that failed, or a listing that could not be read (refused ones too)."""
    listing = [RunError.reason.startswith(prefix, autoescape=True) for prefix in LISTING_FAILURES]
    return or_(RunError.outcome == "failed", *listing)


def sources_with_failures(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Sources whose pages failed or whose feeds could not be read lately (refused by our
    address rules included), with how often and the latest reason."""
    rows = session.execute(
        select(Source.id, Source.name, func.count(RunError.id), func.max(RunError.at))
        .join(RunError, RunError.source_id == Source.id)
        .where(RunError.at >= since, _failure())
        .group_by(Source.id, Source.name)
        .order_by(func.count(RunError.id).desc())
        .limit(20)
    ).all()
    out = []
    for source_id, name, failures, last_at in rows:
        last = session.scalars(
            select(RunError.reason)
            .where(RunError.source_id == source_id, _failure())
            .order_by(RunError.id.desc())
            .limit(1)
        ).first()
        out.append(
            {
                "id": source_id,
                "name": name,
                "failures": failures,
                "last_at": last_at,
                "last_reason": last,
            }
        )
    return out


def run_totals(session: Session) -> dict[str, int]:
    """Each run counter summed over every run."""
    row = session.execute(
        select(*(func.coalesce(func.sum(getattr(Run, c)), 0) for c in RUN_COUNTERS))
    ).one()
    return {counter: int(value) for counter, value in zip(RUN_COUNTERS, row, strict=True)}


def beat(session: Session, run_id: int, now: datetime) -> None:
    """The run's process is alive."""
    session.connection().execute(update(Run).where(Run.id == run_id).values(heartbeat_at=now))


def interrupt_stale_runs(session: Session, *, silent_since: datetime, now: datetime) -> int:
    """Mark 'interrupted' the runs still 'running' whose process has not beaten since then: it
    was killed (SIGKILL, a power cut) before it could say so. Returns how many."""
    last_sign = func.coalesce(Run.heartbeat_at, Run.started_at)
    result = session.connection().execute(
        update(Run)
        .where(Run.status == "running", last_sign < silent_since)
        .values(status="interrupted", finished_at=now)
    )
    return int(result.rowcount or 0)


def interrupt_running_runs(session: Session, *, kind: str) -> None:
    """Mark runs left 'running' by a killed process (call only when none can be running)."""
    session.connection().execute(
        update(Run)
        .where(Run.kind == kind, Run.status == "running")
        .values(status="interrupted", finished_at=utc_now())
    )


def list_runs(session: Session, *, limit: int = 20, before_id: int | None = None) -> list[Run]:
    query = select(Run).order_by(Run.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Run.id < before_id)
    return list(session.scalars(query))


def get_run(session: Session, run_id: int) -> Run:
    if not storable_id(run_id):
        raise RunNotFound(run_id)
    run = session.scalars(
        select(Run)
        .where(Run.id == run_id)
        .options(selectinload(Run.errors), selectinload(Run.sources))
    ).first()
    if run is None:
        raise RunNotFound(run_id)
    return run
