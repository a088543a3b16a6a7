"""GET /metrics in Prometheus format.

Two kinds of figures: what this API process saw (request durations by route), and what the
database says at scrape time (articles, pages by outcome over all runs, the frontier, crawl lag
per source), so that every API worker reports the same archive-wide numbers whichever crawl
process did the work.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsarchive import archive
from newsarchive.db.base import utc_now


class ArchiveCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        try:
            with self.sessions() as session:
                articles = archive.count_articles(session)
                totals = archive.run_totals(session)
                states = archive.frontier.counts_by_state(session)
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

    app.add_middleware(_RequestTimer, histogram=requests)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _RequestTimer:
    """Times each request by its route. A plain ASGI middleware: Starlette's BaseHTTPMiddleware
    (what @app.middleware makes) passes every response through a memory stream, which cost
    more than the rest of a small request's overhead."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            # a mounted app's route (the admin's) is named under its mount point, which
            # root_path holds; what a mount serves itself (static files) by the mount point
            route = scope.get("route")
            root = scope.get("root_path", "")
            if route is not None and not isinstance(route, Mount):
                path = root + route.path
            else:
                path = root or "unmatched"
            self.histogram.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - started
            )
