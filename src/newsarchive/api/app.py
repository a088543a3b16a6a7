"""create_app(): the FastAPI application over one database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from newsarchive import __version__, archive, services
from newsarchive.admin.app import create_admin
from newsarchive.api import docs, metrics
from newsarchive.api.caching import Answers, MiB
from newsarchive.api.routes import (
    archive as days,
)
from newsarchive.api.routes import (
    articles,
    explore,
    health,
    ingest,
    revisions,
    runs,
    saved_searches,
    search,
    sources,
)
from newsarchive.config import Settings, get_settings
from newsarchive.db import migrate, side_reads
from newsarchive.db.replica import COOKIE, COOKIE_SECONDS, READS, ReadRouting
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.errors import NewsArchiveError, validation_message

log = logging.getLogger(__name__)
# Shutdown waits this long at least for the admin's crawls to finish the pages in hand (a fetch
# can take the fetch timeout); the compose file's stop_grace_period leaves room for it.
CRAWL_STOP_SECONDS = 30.0
ROUTERS = (
    health,
    articles,
    revisions,
    search,
    explore,
    days,
    sources,
    runs,
    ingest,
    saved_searches,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    threads = settings.api_threads
    engine, *replicas = _engines(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = threads  # the request threads
        try:
            with session_scope(app.state.sessions) as session:
                rule = services.day_rule(settings)
                if archive.ensure_archive_zone(session, rule):
                    log.info("archive days now follow %s", rule.key)
        except SQLAlchemyError:
            log.exception("could not check the archive's time zone; /api/health will say why")
        yield
        try:  # the admin's crawls end first: they write through this engine
            wait = max(CRAWL_STOP_SECONDS, settings.fetch_timeout + 10)
            await run_in_threadpool(admin.state.crawls.shutdown, wait)
        finally:
            for each in (engine, *replicas):
                each.dispose()

    app = FastAPI(
        title="newsarchive",
        version=__version__,
        summary="A searchable archive of news articles.",
        lifespan=lifespan,
        docs_url=None,  # api/docs.py serves them without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.answers = Answers(settings.answer_cache_mb * MiB)
    app.state.finishing = CapacityLimiter(threads)  # the commits' threads (api/deps.py)
    app.state.routing = ReadRouting(app.state.sessions, [make_sessionmaker(r) for r in replicas])
    app.state.migrations = migrate.scripts(settings.database_url)
    for module in ROUTERS:
        app.include_router(module.router)
    metrics.install(app, app.state.sessions)
    docs.install(app)
    admin = create_admin(settings, app.state.sessions, app.state.routing, app.state.finishing)
    app.mount("/admin", admin)
    _add_error_handlers(app)
    if replicas:
        _remember_writes(app, app.state.routing)
    return app


def _engines(settings: Settings) -> list[Engine]:
    """The primary's engine, then each replica's. A connection for each request thread, each
    finishing thread (api/deps.py) and each side read's helper (db/side_reads.py): no request
    waits for one (more, for a moment, when commits queue). A stopped replica refuses at once;
    one gone from the network gets 3 s."""
    connections = 2 * settings.api_threads + side_reads.HELPERS
    pool = {"pool_size": connections, "max_overflow": 2 * settings.api_threads}
    return [
        make_engine(settings.database_url, **pool),
        *(
            make_engine(url, connect_args={"connect_timeout": 3}, **pool)
            for url in settings.read_database_urls
        ),
    ]


def _remember_writes(app: FastAPI, routing: ReadRouting) -> None:
    """After a write, the cookie that sends the writer's next reads where the write is."""

    @app.middleware("http")
    async def remember(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if request.method not in READS and response.status_code < 400:
            position = await run_in_threadpool(routing.position)
            if position is not None:
                response.set_cookie(
                    COOKIE, position, max_age=COOKIE_SECONDS, httponly=True, samesite="lax"
                )
        return response


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is {"detail": "<one readable sentence>"} with its status; no stack traces."""

    @app.exception_handler(NewsArchiveError)
    async def _domain(_request: Request, exc: NewsArchiveError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names the first matching route's methods only
            methods = allowed_methods(app, request)
            if methods:
                headers["Allow"] = ", ".join(methods)
        return JSONResponse(
            {"detail": str(exc.detail)}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error"}, status_code=500)


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route answers at this path (asking the router about each, since
    included routers hide their routes)."""
    methods = []
    for method in ("DELETE", "GET", "PATCH", "POST", "PUT"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in app.router.routes):
            methods.append(method)
    return methods
