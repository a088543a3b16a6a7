"""The date archive, browsed: years, then a year's months, then a month's days, each with its
article count; a day opens the articles filed under it."""

from __future__ import annotations

from calendar import month_name

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from newsarchive import archive
from newsarchive.admin.pages import LOGGED_IN, SessionDep, render

router = APIRouter(dependencies=LOGGED_IN)
Year = Path(ge=1, le=9999)
Month = Path(ge=1, le=12)


@router.get("/archive", response_class=HTMLResponse)
def years(request: Request, session: SessionDep) -> HTMLResponse:
    rows = [(str(r.key), f"/admin/archive/{r.key}", r) for r in archive.archive_years(session)]
    return render(request, "archive.html", heading="The archive by year", rows=rows, up=None)


@router.get("/archive/{year}", response_class=HTMLResponse)
def months(request: Request, session: SessionDep, year: int = Year) -> HTMLResponse:
    rows = [
        (month_name[r.key], f"/admin/archive/{year}/{r.key}", r)
        for r in archive.archive_months(session, year)
    ]
    return render(request, "archive.html", heading=str(year), rows=rows, up="/admin/archive")


@router.get("/archive/{year}/{month}", response_class=HTMLResponse)
def days(
    request: Request, session: SessionDep, year: int = Year, month: int = Month
) -> HTMLResponse:
    rows = []
    for r in archive.archive_days(session, year, month):
        day = f"{year:04d}-{month:02d}-{r.key:02d}"
        rows.append((day, f"/admin/articles?date_from={day}&date_to={day}", r))
    heading = f"{month_name[month]} {year}"
    return render(request, "archive.html", heading=heading, rows=rows, up=f"/admin/archive/{year}")
