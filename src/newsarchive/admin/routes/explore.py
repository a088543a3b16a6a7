"""Explore: up to four searches side by side, their attention over time (share of all coverage
or count, by day, week or month), and for each its top sources, top words and newest matches."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from newsarchive.admin import charts
from newsarchive.admin.forms import parse_day
from newsarchive.admin.pages import LOGGED_IN, SessionDep, render
from newsarchive.errors import InvalidInput
from newsarchive.search import SearchParams, run_search
from newsarchive.search.terms import top_terms
from newsarchive.search.timeline import MAX_QUERIES, timeline

router = APIRouter(dependencies=LOGGED_IN)
COLOURS = ("series-0", "series-1", "series-2", "series-3")


@router.get("/explore", response_class=HTMLResponse)
def explore(
    request: Request,
    session: SessionDep,
    q: list[str] = Query(default=[]),  # noqa: B008  (FastAPI's way to take a repeated param)
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    interval: Literal["day", "week", "month"] = "week",
    measure: Literal["share", "count"] = "share",
    source: str = "",
    lang: str = "",
    collection: str = "",
) -> HTMLResponse:
    queries = [text.strip() for text in q if text.strip()][:MAX_QUERIES]
    form = {"q": queries, "from": date_from, "to": date_to, "interval": interval}
    form |= {"measure": measure, "source": source, "lang": lang, "collection": collection}
    found: dict[str, Any] = {"chart": None, "panels": [], "csv_url": None}
    error = None
    if queries:
        try:
            found = _explored(session, queries, form)
        except InvalidInput as exc:
            error = exc.detail
    return render(request, "explore.html", form=form, error=error, colours=COLOURS, **found)


def _explored(session: Any, queries: list[str], form: dict[str, Any]) -> dict[str, Any]:
    source, lang = form["source"] or None, form["lang"] or None
    collection = form["collection"] or None
    found = timeline(
        session,
        queries,
        start=parse_day(form["from"]),
        end=parse_day(form["to"]),
        interval=form["interval"],
        source=source,
        lang=lang,
        collection=collection,
    )
    measure = form["measure"]
    chart = charts.lines(
        [
            (s.q, [(p.date, p.share if measure == "share" else float(p.count)) for p in s.points])
            for s in found.series
        ],
        unit=measure,
    )
    panels = []
    for series in found.series:
        params = SearchParams(
            q=series.q,
            date_from=found.start,
            date_to=found.end,
            source=source,
            lang=lang,
            collection=collection,
            sort="newest",
            limit=5,
        )
        page = run_search(session, params)
        panels.append(
            {
                "q": series.q,
                "total": sum(p.count for p in series.points),
                "sources": page.facets.get("sources", [])[:5],
                "terms": top_terms(session, params, limit=10).terms,
                "articles": [hit.article for hit in page.hits],
                "save_url": "/admin/searches?"
                + urlencode({"q": series.q, "source": source or "", "lang": lang or ""}),
            }
        )
    shown = {"q": queries, "from": found.start, "to": found.end, "interval": found.interval}
    shown |= {
        k: v for k, v in (("source", source), ("lang", lang), ("collection", collection)) if v
    }
    csv_url = "/api/timeline?" + urlencode({**shown, "format": "csv"}, doseq=True)
    return {"chart": chart, "panels": panels, "csv_url": csv_url, "span": found}
