"""Attention over time: how many articles match each of a few searches per day, week or month,
beside how many articles there are in that period with the same filters, so that a topic's
share of all coverage can be compared with another's. Counts are exact: a day's count is that
day's search total."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.errors import InvalidInput
from newsarchive.search.service import SearchParams, matches_per_day

Interval = Literal["day", "week", "month"]
MAX_QUERIES = 4
MAX_DAYS = {"day": 3_660, "week": 36_600, "month": 36_600}  # ten years of days; a century else
DEFAULT_DAYS = {"day": 90, "week": 364, "month": 730}


@dataclass(frozen=True)
class Point:
    date: date  # the first day of the bucket: the day, the Monday, the 1st
    count: int
    total: int
    share: float  # count / total; 0 when the bucket holds no article


@dataclass(frozen=True)
class Series:
    q: str
    points: list[Point]


@dataclass(frozen=True)
class Timeline:
    interval: Interval
    start: date
    end: date
    series: list[Series]


def bucket_of(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next(start: date, interval: Interval) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def span(start: date, end: date, interval: Interval) -> tuple[date, date, list[date]]:
    """The range widened to whole buckets, and every bucket's first day in it."""
    first = bucket_of(start, interval)
    buckets = [first]
    while (following := _next(buckets[-1], interval)) <= end:
        buckets.append(following)
    return first, following - timedelta(days=1), buckets


def timeline(
    session: Session,
    queries: Sequence[str],
    *,
    start: date | None,
    end: date | None,
    interval: Interval = "day",
    source: str | None = None,
    lang: str | None = None,
    collection: str | None = None,
) -> Timeline:
    """Each query's matches and every article, per bucket from start to end (whole buckets;
    by default the last DEFAULT_DAYS up to the newest archive day). An empty query: all."""
    if not 1 <= len(queries) <= MAX_QUERIES:
        raise InvalidInput(f"give 1 to {MAX_QUERIES} queries (q), not {len(queries)}")
    archive.check_day_range(start, end)
    end = end or archive.latest_day(session) or date.today()
    start = start or end - timedelta(days=DEFAULT_DAYS[interval] - 1)
    if start > end:
        raise InvalidInput(f"'from' ({start}) is after the newest archive day ({end})")
    if (end - start).days + 1 > MAX_DAYS[interval]:
        raise InvalidInput(f"at most {MAX_DAYS[interval]:,} days by {interval}: narrow from/to")
    first, last, buckets = span(start, end, interval)
    every = archive.articles_per_day(
        session, first, last, source=source, lang=lang, collection=collection
    )
    totals = _bucketed(every, interval)
    series = []
    for q in queries:
        if q.strip():
            params = SearchParams(
                q=q, date_from=first, date_to=last, source=source, lang=lang, collection=collection
            )
            counts = _bucketed(matches_per_day(session, params), interval)
        else:
            counts = totals
        points = [
            Point(b, counts[b], totals[b], counts[b] / totals[b] if totals[b] else 0.0)
            for b in buckets
        ]
        series.append(Series(q, points))
    return Timeline(interval, first, last, series)


def _bucketed(per_day: Mapping[date, int], interval: Interval) -> Counter[date]:
    counts: Counter[date] = Counter()
    for day, n in per_day.items():
        counts[bucket_of(day, interval)] += n
    return counts
