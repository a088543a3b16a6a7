"""The admin web page: server-rendered HTML over the same archive, search and pipeline the API
uses. Mounted at /admin as its own small app, so that only it carries a session cookie.

routes/   one router per page group (login, dashboard, explore, articles, the archive by
          date, sources, runs and ingest, saved searches)
pages.py  rendering, the error pages, what handlers depend on
security.py, forms.py, filters.py, charts.py, crawls.py: login and CSRF, forms, template
filters, the dashboard's and the explore page's charts, crawls started from the page
"""

from __future__ import annotations

from anyio import CapacityLimiter
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from newsarchive.admin import pages
from newsarchive.admin.crawls import CrawlThreads
from newsarchive.admin.routes import (
    articles,
    browse,
    dashboard,
    explore,
    login,
    runs,
    searches,
    sources,
)
from newsarchive.admin.security import session_secret
from newsarchive.config import Settings
from newsarchive.db.replica import ReadRouting


def create_admin(
    settings: Settings,
    sessions: sessionmaker[Session],
    routing: ReadRouting | None = None,
    finishing: CapacityLimiter | None = None,
) -> FastAPI:
    admin = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    admin.state.settings = settings
    admin.state.sessions = sessions
    admin.state.routing = routing or ReadRouting(sessions)
    # The threads its requests' commits run on (api/deps.py): the API's, when mounted in it.
    admin.state.finishing = finishing or CapacityLimiter(settings.api_threads)
    admin.state.crawls = CrawlThreads(settings, sessions)
    admin.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="newsarchive_admin",
        max_age=8 * 3600,
        same_site="lax",
        path="/admin",
    )
    admin.mount("/static", StaticFiles(directory=pages.HERE / "static"), name="static")
    pages.add_error_pages(admin)
    for group in (login, dashboard, explore, articles, browse, sources, runs, searches):
        admin.include_router(group.router)
    return admin
