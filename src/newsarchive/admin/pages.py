"""Rendering an admin page, the admin's error pages, and what its handlers depend on."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.admin import filters
from newsarchive.admin.crawls import CrawlThreads
from newsarchive.admin.security import (
    SECURITY_HEADERS,
    csrf_token,
    logged_in,
    login_required,
    take_flashes,
)
from newsarchive.api.deps import get_session
from newsarchive.config import Settings
from newsarchive.errors import Forbidden, LoginRequired, NewsArchiveError, validation_message

log = logging.getLogger(__name__)
HERE = Path(__file__).parent

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True  # every template, whatever its name
templates.env.filters["when"] = filters.when
templates.env.filters["published"] = filters.published
templates.env.filters["web"] = filters.web


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def sessions_of(request: Request) -> sessionmaker[Session]:
    """The primary for a form's write, else maybe the replica (db/replica.py)."""
    return request.app.state.routing.sessions_for(request)  # type: ignore[no-any-return]


def crawls_of(request: Request) -> CrawlThreads:
    return request.app.state.crawls  # type: ignore[no-any-return]


AdminSettings = Annotated[Settings, Depends(settings_of)]
Sessions = Annotated[sessionmaker[Session], Depends(sessions_of)]  # for services that commit
# The request owns its transaction, as an API request does (api/deps.py): committed before the
# response goes out, rolled back when the handler raises.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
Crawls = Annotated[CrawlThreads, Depends(crawls_of)]
LOGGED_IN = [Depends(login_required)]  # every router but the login page's


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context |= {
        "csrf": csrf_token(request),
        "flashes": take_flashes(request),
        "logged_in": logged_in(request),
        "writes_enabled": settings_of(request).writes_enabled,
        "path": request.url.path,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def back(url: str) -> RedirectResponse:
    """After a form: see the result with a GET (303)."""
    return RedirectResponse(url, status_code=303)


def _message(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "message.html", status=status, title=title, message=message)


def add_error_pages(admin: FastAPI) -> None:
    """Every error is a page with the admin's headers: never a stack trace, never JSON."""

    @admin.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return back("/admin/login?" + urlencode({"next": exc.path}))

    @admin.exception_handler(Forbidden)
    async def _refused(request: Request, exc: Forbidden) -> Response:
        return _message(request, exc.status_code, "Refused", exc.detail)

    @admin.exception_handler(NewsArchiveError)
    async def _domain(request: Request, exc: NewsArchiveError) -> Response:
        return _message(request, exc.status_code, "Not possible", exc.detail)

    @admin.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _message(request, 422, "Not possible", validation_message(exc.errors()))

    @admin.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = "The page could not be made; the server's log says why."
        return _message(request, 500, "Something went wrong", message)
