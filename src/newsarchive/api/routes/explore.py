"""Explore: attention over time and a topic's words, the questions media researchers ask."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from newsarchive.api.caching import NOT_MODIFIED, AnswerDep, Rendered
from newsarchive.api.deps import SessionDep
from newsarchive.api.params import NO_NUL, Collection, From, Lang, Text, To
from newsarchive.api.schemas import errors
from newsarchive.search.query import MAX_QUERY_CHARS
from newsarchive.search.service import SearchParams
from newsarchive.search.terms import top_terms
from newsarchive.search.timeline import MAX_QUERIES
from newsarchive.search.timeline import timeline as count_timeline
from newsarchive.transfer import csv_lines

router = APIRouter(tags=["explore"])


# The answers' shapes (used by these routes only).
class TimelinePoint(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    day: date = Field(
        alias="date", description="the bucket's first day: the day, the Monday, the 1st"
    )
    count: int = Field(description="articles of the bucket that match the search")
    total: int = Field(description="all articles of the bucket, with the same filters")
    share: float = Field(description="count / total; 0 for a bucket without articles")


class TimelineSeries(BaseModel):
    q: str
    points: list[TimelinePoint]


class TimelineOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    interval: Literal["day", "week", "month"]
    date_from: date = Field(alias="from", description="the first day counted")
    date_to: date = Field(alias="to", description="the last day counted")
    series: list[TimelineSeries]


class TermOut(BaseModel):
    term: str
    count: int = Field(description="sampled matches that hold the word")
    score: float = Field(description="how characteristic: higher first")


class TermsOut(BaseModel):
    terms: list[TermOut]
    sampled: int = Field(description="matches read (the newest, up to 2,000)")


Queries = Annotated[
    list[Annotated[str, Query(max_length=MAX_QUERY_CHARS, pattern=NO_NUL)]],
    Query(
        max_length=MAX_QUERIES,
        description="1 to 4 searches, each in the full search language; empty: all articles",
    ),
]


@router.get(
    "/api/timeline",
    response_model=TimelineOut,
    responses={200: {"content": {"text/csv": {}}}, **errors(422), **NOT_MODIFIED},
)
def timeline(
    session: SessionDep,
    answer: AnswerDep,
    q: Queries = [""],  # noqa: B006  (FastAPI copies defaults; never mutated)
    date_from: From = None,
    date_to: To = None,
    interval: Literal["day", "week", "month"] = "day",
    source: Text = None,
    lang: Lang = None,
    collection: Collection = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Each search's matching articles per archive day, week (from Monday) or month, beside
    all articles of that period with the same filters: `share` = count / total. Every bucket
    of the range is there, zeros too; the range is widened to whole weeks or months, and is
    the last 90 days (a year by week, two by month) up to the newest archive day unless given.
    Counts are exact: a day's `count` is the search's total on that day."""

    def make() -> Rendered:
        found = count_timeline(
            session,
            q,
            start=date_from,
            end=date_to,
            interval=interval,
            source=source,
            lang=lang,
            collection=collection,
        )
        out = TimelineOut.model_validate(  # (read from the dataclasses: asdict's deep copy
            {  # was 14 % of a timeline's time in the API)
                "interval": found.interval,
                "from": found.start,
                "to": found.end,
                "series": found.series,
            },
            from_attributes=True,
        )
        if format == "json":
            return out
        rows = (
            {
                "date": p.day,
                "q": series.q,
                "count": p.count,
                "total": p.total,
                "share": f"{p.share:.6f}",
            }
            for series in out.series
            for p in series.points
        )  # (one CSV writer for every export: the formula guard included)
        csv = "".join(csv_lines(rows, ["date", "q", "count", "total", "share"]))
        return csv, "text/csv; charset=utf-8"

    response = answer(session, make)
    if format == "csv":
        response.headers["Content-Disposition"] = 'attachment; filename="newsarchive-timeline.csv"'
    return response


@router.get("/api/terms", response_model=TermsOut, responses=errors(422) | NOT_MODIFIED)
def terms(
    session: SessionDep,
    answer: AnswerDep,
    q: Annotated[
        str,
        Query(max_length=MAX_QUERY_CHARS, pattern=NO_NUL, description="a search; empty: all"),
    ] = "",
    date_from: From = None,
    date_to: To = None,
    source: Text = None,
    lang: Lang = None,
    author: Text = None,
    collection: Collection = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The words most characteristic of the matching articles against the whole archive: in
    how many of the newest 2,000 matches (`sampled`) each word is, against a random sample of
    2,000 articles of the archive. Stop words of each article's language and the query's own
    words are left out; `score` orders them (a word's part of the two samples' divergence)."""
    params = SearchParams(
        q=q,
        date_from=date_from,
        date_to=date_to,
        source=source,
        lang=lang,
        author=author,
        collection=collection,
    )

    def make() -> TermsOut:
        found = top_terms(session, params, limit=limit)
        terms = [asdict(t) for t in found.terms]
        return TermsOut.model_validate({"terms": terms, "sampled": found.sampled})

    return answer(session, make)
