"""GET /metrics in Prometheus format.

Two kinds of figures: what this API process saw (request durations by route), and what the
database says at scrape time (articles, pages by outcome over all runs, the frontier, crawl lag
per source), so that every API worker reports the same archive-wide numbers whichever crawl
process did the work.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.archive import frontier
from newsarchive.db.base import utc_now


class ArchiveCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        try:
            with self.sessions() as session:
                articles = archive.count_articles(session)
                totals = archive.run_totals(session)
                states = frontier.counts_by_state(session)
                sources = archive.list_sources(session)
                alerts = [(a.kind, a.source.name) for a in archive.open_alerts(session)]
        except SQLAlchemyError:
            return
        yield GaugeMetricFamily("newsarchive_articles", "Articles in the archive", value=articles)
        pages = CounterMetricFamily(
            "newsarchive_pages", "Pages handled by all runs, by outcome", labels=["outcome"]
        )
        for outcome, n in totals.items():
            pages.add_metric([outcome], n)
        yield pages
        queue = GaugeMetricFamily(
            "newsarchive_frontier_urls", "Crawl frontier URLs by state", labels=["state"]
        )
        for state, n in states.items():
            queue.add_metric([state], n)
        yield queue
        lag = GaugeMetricFamily(
            "newsarchive_crawl_lag_seconds",
            "Seconds since each source was last crawled (never crawled: since it was added)",
            labels=["source"],
        )
        now = utc_now()
        for source in sources:
            if source.auto_created:
                continue
            since = source.last_crawled_at or source.created_at
            lag.add_metric([source.name], (now - since).total_seconds())
        yield lag
        alert = GaugeMetricFamily(
            "newsarchive_source_alert",
            "1 for each open source health alert (README, Source health)",
            labels=["kind", "source"],
        )
        for kind, name in alerts:
            alert.add_metric([kind, name], 1)
        yield alert


def install(app: FastAPI, sessions: sessionmaker[Session]) -> None:
    registry = CollectorRegistry()
    registry.register(ArchiveCollector(sessions))
    requests = Histogram(
        "newsarchive_http_request_duration_seconds",
        "API request durations by route",
        ["method", "route", "status"],
        registry=registry,
    )

    @app.middleware("http")
    async def _time(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", None) or (
            "/admin" if request.url.path.startswith("/admin") else "unmatched"
        )
        requests.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
