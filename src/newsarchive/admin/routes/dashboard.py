"""The dashboard: today's counts, the last 90 days, recent runs, failing sources."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from newsarchive import archive
from newsarchive.admin import charts
from newsarchive.admin.pages import LOGGED_IN, AdminSettings, SessionDep, render
from newsarchive.db.base import utc_now

router = APIRouter(dependencies=LOGGED_IN)


RANGES = {
    "30": 30,
    "90": 90,
    "365": 365,
    "all": 3660,
}  # days the chart shows ("all": ten years at most)


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    settings: AdminSettings,
    session: SessionDep,
    days: Literal["30", "90", "365", "all"] = "90",
    undated: bool = False,
) -> HTMLResponse:
    now = utc_now().astimezone(settings.zone)
    today = now.date()
    # The chart ends at the newest publication day, so a crawl of older news shows; articles
    # dated only by when the archive saw them are left out unless asked for (one would make a
    # spike of the day a crawl began).
    last = min(archive.latest_day(session) or today, today)
    first = last - timedelta(days=RANGES[days] - 1)
    if days == "all":
        first = max(first, archive.earliest_day(session, dated=not undated) or last)
    per_day = archive.day_counts_between(session, first, last, dated=not undated)
    runs = archive.list_runs(session, limit=8)
    failing = archive.sources_with_failures(session, since=utc_now() - timedelta(days=7))
    alerts = archive.open_alerts(session)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    totals = {
        "articles": archive.count_articles(session),
        "sources": len(archive.list_sources(session)),
        "published_today": archive.day_counts_between(session, today, today).get(today, 0),
        "seen_today": archive.count_first_seen_since(session, midnight),
    }
    chart = charts.daily_bars(per_day, first, last)
    return render(
        request,
        "dashboard.html",
        totals=totals,
        chart=chart,
        runs=runs,
        failing=failing,
        alerts=alerts,
        days=days,
        undated=undated,
    )
