"""Health queries: a source's newest articles and runs as the rules read them, and its
alerts. Every query reads one source's recent rows through an index, whatever the archive's
size."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from newsarchive.db.models import Alert, Article, Run, RunError, RunSource, Source


def newest_articles(session: Session, source_id: int, limit: int) -> list[Any]:
    """(date_source, authors, title, word_count) of the source's newest stored articles."""
    query = (
        select(Article.date_source, Article.authors, Article.title, Article.word_count)
        .where(Article.source_id == source_id)
        .order_by(Article.first_seen_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.execute(query))


def articles_since(session: Session, source_id: int, since: datetime) -> list[Any]:
    """(first_seen_at, date_source, authors, title, word_count) of the source's articles
    stored since then."""
    query = select(
        Article.first_seen_at,
        Article.date_source,
        Article.authors,
        Article.title,
        Article.word_count,
    ).where(Article.source_id == source_id, Article.first_seen_at >= since)
    return list(session.execute(query))


def newest_runs(
    session: Session, source_id: int, limit: int, *, current: int | None = None
) -> list[Any]:
    """(finished_at, stored, failed, feeds_failed) of the finished crawl runs that took the
    source in hand, and the `current` one, whose counts are complete, newest first."""
    done = or_(Run.finished_at.is_not(None), Run.id == current)
    query = (
        select(Run.finished_at, RunSource.stored, RunSource.failed, RunSource.feeds_failed)
        .join(Run, Run.id == RunSource.run_id)
        .where(RunSource.source_id == source_id, Run.kind == "crawl", done)
        .order_by(Run.id.desc())
        .limit(limit)
    )
    return list(session.execute(query))


def errors_since(session: Session, source_id: int, since: datetime) -> list[Any]:
    """(at, outcome, reason) of the source's skipped and failed pages since then."""
    query = select(RunError.at, RunError.outcome, RunError.reason).where(
        RunError.source_id == source_id, RunError.at >= since
    )
    return list(session.execute(query))


def run_source_ids(session: Session, run_id: int) -> list[int]:
    return list(session.scalars(select(RunSource.source_id).where(RunSource.run_id == run_id)))


def lock_source(session: Session, source_id: int) -> None:
    """Hold the source's row until the transaction ends (PostgreSQL; SQLite's writes are one at
    a time anyway): two workers judging one source never both open its alert."""
    session.execute(select(Source.id).where(Source.id == source_id).with_for_update())


def open_alerts(session: Session, source_id: int | None = None) -> list[Alert]:
    query = select(Alert).where(Alert.closed_at.is_(None)).order_by(Alert.opened_at)
    if source_id is not None:
        query = query.where(Alert.source_id == source_id)
    return list(session.scalars(query))


def source_alerts(session: Session, source_id: int, *, limit: int = 50) -> list[Alert]:
    """The source's alerts, open or closed, newest first."""
    query = select(Alert).where(Alert.source_id == source_id)
    return list(session.scalars(query.order_by(Alert.opened_at.desc()).limit(limit)))


def open_alert(
    session: Session, source_id: int, kind: str, *, now: datetime, baseline: float, message: str
) -> Alert:
    alert = Alert(source_id=source_id, kind=kind, opened_at=now, baseline=baseline, message=message)
    session.add(alert)
    session.flush()
    return alert


def close_alert(session: Session, alert_id: int, now: datetime) -> None:
    session.execute(update(Alert).where(Alert.id == alert_id).values(closed_at=now))
