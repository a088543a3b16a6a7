"""The date archive: which calendar day an article is filed under (the site's own), and the
year, month and day counts the day_counts table keeps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from newsarchive.archive.paging import SUMMARY_LOADING, Page, newest_first
from newsarchive.archive.version import KeptUntilWritten
from newsarchive.db.models import (
    ARTICLES,
    Article,
    DayCount,
    Meta,
    Source,
    SourceCollection,
)


@dataclass(frozen=True)
class DayRule:
    """Which calendar day the archive files an article under: the day its site printed (its own
    zone) where that zone is known, else the day in `zone`; `forced` files every article that
    carries a time under `zone`'s day (a date given without a time stays its day)."""

    zone: ZoneInfo = ZoneInfo("UTC")
    forced: bool = False

    @property
    def key(self) -> str:
        """What meta 'archive_tz' records, so a change of rule recomputes the days."""
        return f"{self.zone.key} (forced)" if self.forced else self.zone.key

    def day_of(self, at: datetime, precision: str, offset_minutes: int | None) -> date:
        if offset_minutes is not None and (precision == "day" or not self.forced):
            return (at.astimezone(UTC) + timedelta(minutes=offset_minutes)).date()
        return at.astimezone(self.zone).date()


@dataclass(frozen=True)
class DayCountRow:
    """Articles filed under a period, and how many of them are dated only by first sight."""

    key: int
    count: int
    undated: int


_DAY_COUNTS: KeptUntilWritten[tuple[tuple[date, int, int], ...]] = KeptUntilWritten()


def _day_counts(session: Session, start: date, end: date) -> tuple[tuple[date, int, int], ...]:
    """Per-day counts in [start, end] from the trigger-maintained day_counts table (at most a
    few thousand small rows, so grouping by month or year in Python costs nothing), kept
    until the next write."""

    def read() -> tuple[tuple[date, int, int], ...]:
        rows = session.execute(
            select(DayCount.day, DayCount.articles, DayCount.undated)
            .where(DayCount.day >= start, DayCount.day <= end, DayCount.articles > 0)
            .order_by(DayCount.day)
        )
        return tuple((day, n, undated) for day, n, undated in rows)

    return _DAY_COUNTS.get(session, (start, end), read)


def latest_day(session: Session) -> date | None:
    """The newest archive day that has articles."""
    return session.scalar(select(func.max(DayCount.day)).where(DayCount.articles > 0))


def count_first_seen_since(session: Session, since: datetime) -> int:
    """Articles the archive stored since then, whatever day they were published."""
    query = select(func.count()).where(Article.first_seen_at >= since)
    return int(session.scalar(query) or 0)


def count_on_days(session: Session, start: date | None, end: date | None) -> int:
    """Articles filed under the days from start to end (open ends: all), from day_counts."""
    query = select(func.coalesce(func.sum(DayCount.articles), 0))
    if start is not None:
        query = query.where(DayCount.day >= start)
    if end is not None:
        query = query.where(DayCount.day <= end)
    return int(session.scalar(query) or 0)


def day_counts_between(
    session: Session, start: date, end: date, *, dated: bool = False
) -> dict[date, int]:
    """Articles per archive day; `dated`: only those with a date of their own (not filed
    under the day the archive first saw them)."""
    return {day: n - (u if dated else 0) for day, n, u in _day_counts(session, start, end)}


def earliest_day(session: Session, *, dated: bool = False) -> date | None:
    """The oldest archive day that has articles (with a date of their own, if `dated`)."""
    held = DayCount.articles - DayCount.undated if dated else DayCount.articles
    return session.scalar(select(func.min(DayCount.day)).where(held > 0))


def articles_per_day(
    session: Session,
    start: date,
    end: date,
    *,
    source: str | None,
    lang: str | None,
    collection: str | None = None,
) -> dict[date, int]:
    """Articles filed under each day from start to end, of one source, language or collection
    if given (without any: from day_counts, never the article table)."""
    if source is None and lang is None and collection is None:
        return day_counts_between(session, start, end)
    query = select(Article.published_day, func.count()).where(
        Article.published_day >= start, Article.published_day <= end
    )
    if source is not None:
        query = query.join(Source, Source.id == Article.source_id).where(Source.name == source)
    if lang is not None:
        query = query.where(Article.language == lang.lower())
    if collection is not None:
        members = select(SourceCollection.source_id).where(SourceCollection.name == collection)
        query = query.where(Article.source_id.in_(members))
    rows = session.execute(query.group_by(Article.published_day))
    return {row[0]: int(row[1]) for row in rows}


def _grouped(rows: Iterable[tuple[date, int, int]], key: Any) -> list[DayCountRow]:
    totals: dict[int, list[int]] = {}
    for day, n, undated in rows:
        total = totals.setdefault(key(day), [0, 0])
        total[0] += n
        total[1] += undated
    return [DayCountRow(k, n, u) for k, (n, u) in sorted(totals.items())]


def archive_years(session: Session) -> list[DayCountRow]:
    rows = _grouped(_day_counts(session, date.min, date.max), lambda d: d.year)
    return rows[::-1]


def archive_months(session: Session, year: int) -> list[DayCountRow]:
    return _grouped(_day_counts(session, date(year, 1, 1), date(year, 12, 31)), lambda d: d.month)


def archive_days(session: Session, year: int, month: int) -> list[DayCountRow]:
    last = (
        date(9999, 12, 31)
        if (year, month) == (9999, 12)
        else (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    )
    return _grouped(_day_counts(session, date(year, month, 1), last), lambda d: d.day)


def articles_on_day(
    session: Session, day: date, *, dated: bool = False, limit: int = 20, cursor: str | None = None
) -> Page:
    """One archive day's articles, newest first, keyset-paged; `dated` leaves out those dated
    only by when the archive first saw them."""
    query = select(Article).options(*SUMMARY_LOADING).where(Article.published_day == day)
    if dated:
        query = query.where(Article.date_source != "first_seen")
    return newest_first(session, query, limit, cursor)


def day_of_row(days: DayRule, row: Mapping[str, Any]) -> date:
    return days.day_of(
        row["published_at"], row.get("published_precision", "second"), row.get("published_offset")
    )


def ensure_archive_zone(session: Session, days: DayRule, *, batch: int = 2000) -> bool:
    """Recompute the archive day of every article whose day depends on the rule (a precise
    date in an unknown zone, or any precise date when the zone is forced) when the rule
    changed; True if it did. (The day_counts triggers follow each update.)"""
    stored = session.get(Meta, "archive_tz")
    if stored is not None and stored.value == days.key:
        return False
    last_id = 0
    while True:
        rows = session.execute(
            select(
                Article.id,
                Article.published_at,
                Article.published_precision,
                Article.published_offset,
                Article.published_day,
            )
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        changed = [
            {"row_id": article_id, "new_day": new_day}
            for article_id, at, precision, offset, day in rows
            if (new_day := days.day_of(at, precision, offset)) != day
        ]
        if changed:  # one executemany a batch
            table = ARTICLES
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(published_day=bindparam("new_day")),
                changed,
            )
        last_id = rows[-1][0]
    if stored is None:
        session.add(Meta(key="archive_tz", value=days.key))
    else:
        stored.value = days.key
    session.flush()
    return True
