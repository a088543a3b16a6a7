from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from newsarchive import archive
from newsarchive.api import atom
from newsarchive.api.caching import NOT_MODIFIED, AnswerDep
from newsarchive.api.deps import SessionDep
from newsarchive.api.params import Cursor, Dated, Limit
from newsarchive.api.schemas import (
    ArchiveDay,
    ArchiveDays,
    ArchiveMonths,
    ArchiveYears,
    ArticleSummary,
    errors,
)
from newsarchive.errors import NotFound

router = APIRouter(tags=["archive"])

Year = Annotated[int, Path(ge=1, le=9999)]
Month = Annotated[int, Path(ge=1, le=12)]
Day = Annotated[int, Path(ge=1, le=31)]


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NotFound(f"{year:04d}-{month:02d}-{day:02d} is not a date") from None


@router.get("/api/archive", response_model=ArchiveYears, responses=NOT_MODIFIED)
def years(session: SessionDep, answer: AnswerDep) -> Response:
    """Articles per year, newest year first."""

    def make() -> ArchiveYears:
        rows = archive.archive_years(session)
        return ArchiveYears.model_validate(
            {"years": [{"year": r.key, "count": r.count, "undated": r.undated} for r in rows]}
        )

    return answer(session, make)


@router.get(
    "/api/archive/{year}", response_model=ArchiveMonths, responses=errors(422) | NOT_MODIFIED
)
def months(year: Year, session: SessionDep, answer: AnswerDep) -> Response:
    def make() -> ArchiveMonths:
        rows = archive.archive_months(session, year)
        months = [{"month": r.key, "count": r.count, "undated": r.undated} for r in rows]
        return ArchiveMonths.model_validate({"year": year, "months": months})

    return answer(session, make)


@router.get(
    "/api/archive/{year}/{month}",
    response_model=ArchiveDays,
    responses=errors(422) | NOT_MODIFIED,
)
def days(year: Year, month: Month, session: SessionDep, answer: AnswerDep) -> Response:
    def make() -> ArchiveDays:
        rows = archive.archive_days(session, year, month)
        days = [{"day": r.key, "count": r.count, "undated": r.undated} for r in rows]
        return ArchiveDays.model_validate({"year": year, "month": month, "days": days})

    return answer(session, make)


@router.get(
    "/api/archive/{year}/{month}/{day}.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **errors(404, 422), **NOT_MODIFIED},
)
def day_feed(
    year: Year,
    month: Month,
    day: Day,
    request: Request,
    session: SessionDep,
    answer: AnswerDep,
    dated: Dated = False,
) -> Response:
    """An Atom feed of one archive day (its newest 100 articles)."""
    when = _date(year, month, day)

    def make() -> tuple[bytes, str]:
        page = archive.articles_on_day(session, when, dated=dated, limit=archive.MAX_LIMIT)
        body = atom.feed(
            title=f"newsarchive: {when.isoformat()}",
            self_url=str(request.url),
            feed_id=str(request.url),
            articles=page.items,
        )
        return body, atom.MEDIA_TYPE

    return answer(session, make)


@router.get(
    "/api/archive/{year}/{month}/{day}",
    response_model=ArchiveDay,
    responses=errors(404, 422) | NOT_MODIFIED,
)
def day_listing(
    year: Year,
    month: Month,
    day: Day,
    session: SessionDep,
    answer: AnswerDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    dated: Dated = False,
) -> Response:
    """The articles filed under the day their site printed, newest first."""
    when = _date(year, month, day)

    def make() -> ArchiveDay:
        page = archive.articles_on_day(session, when, dated=dated, limit=limit, cursor=cursor)
        return ArchiveDay(
            date=when.isoformat(),
            items=[ArticleSummary.model_validate(a) for a in page.items],
            next_cursor=page.next_cursor,
        )

    return answer(session, make)
