"""The admin web page: server-rendered HTML over the same archive, search and pipeline the API
uses. Mounted at /admin as its own small app, so that only it carries a session cookie."""

from __future__ import annotations

import contextlib
import logging
import threading
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from newsarchive import archive
from newsarchive.admin import charts, filters
from newsarchive.admin.forms import parse_day, source_fields
from newsarchive.admin.security import (
    SECURITY_HEADERS,
    CheckedForm,
    PostedForm,
    Redirect,
    Refused,
    csrf_ok,
    csrf_token,
    flash,
    logged_in,
    login_required,
    safe_next,
    session_secret,
    take_flashes,
    token_matches,
)
from newsarchive.archive import DayRule
from newsarchive.config import Settings
from newsarchive.db.base import utc_now
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput, NewsArchiveError, NotFound, validation_message
from newsarchive.ingest.pipeline import Pipeline, fetcher_from
from newsarchive.ingest.runs import recorded
from newsarchive.ingest.urls import is_http_url
from newsarchive.search import SearchParams, run_search

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PAGE_SIZE = 25


def create_admin(settings: Settings, sessions: sessionmaker[Session]) -> FastAPI:
    admin = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    admin.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie="newsarchive_admin",
        max_age=8 * 3600,
        same_site="lax",
        path="/admin",
    )
    admin.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.autoescape = True  # every template, whatever its name
    templates.env.filters["when"] = filters.when
    templates.env.filters["published"] = filters.published
    crawls: dict[str, threading.Thread] = {}
    crawls_lock = threading.Lock()

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context |= {
            "csrf": csrf_token(request),
            "flashes": take_flashes(request),
            "logged_in": logged_in(request),
            "writes_enabled": settings.writes_enabled,
            "path": request.url.path,
        }
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    def back(url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    @admin.exception_handler(Redirect)
    async def _redirect(_request: Request, exc: Redirect) -> Response:
        return back(exc.url)

    @admin.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return render(
            request, "message.html", status=exc.status, title="Refused", message=exc.message
        )

    @admin.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return render(
            request, "message.html", status=422, title="Not possible",
            message=validation_message(exc.errors()),
        )  # fmt: skip

    @admin.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render(
            request, "message.html", status=500, title="Something went wrong",
            message="The page could not be made; the server's log says why.",
        )  # fmt: skip

    @admin.exception_handler(NewsArchiveError)
    async def _domain(request: Request, exc: NewsArchiveError) -> Response:
        return render(
            request,
            "message.html",
            status=exc.status_code,
            title="Not possible",
            message=exc.detail,
        )

    # --- login ------------------------------------------------------------------------------

    @admin.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/admin/") -> HTMLResponse:
        return render(request, "login.html", next=safe_next(next))

    @admin.post("/login")
    def login(request: Request, form: PostedForm) -> Response:
        if not csrf_ok(request, str(form.get("csrf", ""))):
            raise Refused(403, "This form has expired. Reload the login page and try again.")
        if not settings.writes_enabled:
            raise Refused(
                403, "No admin token is configured: set NEWSARCHIVE_ADMIN_TOKEN and restart."
            )
        if not token_matches(settings, str(form.get("token", ""))):
            flash(request, "Wrong token.", "error")
            return render(request, "login.html", next=safe_next(str(form.get("next", ""))))
        request.session.clear()
        request.session["admin"] = True
        csrf_token(request)
        return back(safe_next(str(form.get("next", ""))))

    @admin.post("/logout")
    def logout(request: Request, form: CheckedForm) -> Response:
        request.session.clear()
        return back("/admin/login")

    # --- dashboard --------------------------------------------------------------------------

    @admin.get("/", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        login_required(request)
        now = utc_now().astimezone(settings.zone)
        today = now.date()
        with sessions() as session:
            # The chart ends at the newest publication day, so a crawl of older news shows.
            last = min(archive.latest_day(session) or today, today)
            per_day = archive.day_counts_between(session, last - timedelta(days=89), last)
            runs = archive.list_runs(session, limit=8)
            failing = archive.sources_with_failures(session, since=utc_now() - timedelta(days=7))
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            totals = {
                "articles": archive.count_articles(session),
                "sources": len(archive.list_sources(session)),
                "published_today": archive.day_counts_between(session, today, today).get(today, 0),
                "seen_today": archive.count_first_seen_since(session, midnight),
            }
        chart = charts.daily_bars(per_day, last - timedelta(days=89), last)
        return render(
            request, "dashboard.html", totals=totals, chart=chart, runs=runs, failing=failing
        )

    # --- articles ---------------------------------------------------------------------------

    @admin.get("/articles", response_class=HTMLResponse)
    def articles(
        request: Request,
        q: str = "",
        source: str = "",
        lang: str = "",
        date_from: str = "",
        date_to: str = "",
        cursor: str = "",
    ) -> HTMLResponse:
        login_required(request)
        filters = {
            "q": q,
            "source": source,
            "lang": lang,
            "date_from": date_from,
            "date_to": date_to,
        }
        error = None
        items: list[Any] = []
        snippets: dict[int, str] = {}
        total = None
        next_cursor = None
        with sessions() as session:
            source_names = [s.name for s in archive.list_sources(session)]
            try:
                start, end = parse_day(date_from), parse_day(date_to)
                if q.strip():
                    page = run_search(
                        session,
                        SearchParams(q=q, date_from=start, date_to=end, source=source or None,
                                     lang=lang or None, sort="newest", limit=PAGE_SIZE, cursor=cursor or None),
                        facets=False,
                    )  # fmt: skip
                    items = [hit.article for hit in page.hits]
                    snippets = {hit.article.id: hit.snippet for hit in page.hits}
                    total, next_cursor = page.total, page.next_cursor
                else:
                    listing = archive.list_articles(
                        session,
                        archive.ArticleFilters(
                            source=source or None, lang=lang or None, date_from=start, date_to=end
                        ),
                        limit=PAGE_SIZE,
                        cursor=cursor or None,
                    )
                    items, next_cursor = list(listing.items), listing.next_cursor
            except InvalidInput as exc:
                error = exc.detail
        next_url = (
            "/admin/articles?" + urlencode({**filters, "cursor": next_cursor})
            if next_cursor
            else None
        )
        return render(
            request, "articles.html", items=items, snippets=snippets, total=total, error=error,
            filters=filters, sources=source_names, next_url=next_url,
        )  # fmt: skip

    @admin.get("/articles/{article_id}", response_class=HTMLResponse)
    def article(request: Request, article_id: int) -> HTMLResponse:
        login_required(request)
        with sessions() as session:
            found = archive.get_article(session, article_id)
            raw = archive.get_raw(session, article_id)
            raw_size = raw.size if raw is not None else 0
        paragraphs = [p for p in found.text.split("\n") if p.strip()]
        return render(
            request, "article.html", article=found, paragraphs=paragraphs, raw_size=raw_size
        )

    @admin.get("/articles/{article_id}/raw")
    def raw_page(request: Request, article_id: int) -> Response:
        """The stored page as plain text: shown, never rendered."""
        login_required(request)
        with sessions() as session:
            archive.get_article(session, article_id)
            raw = archive.get_raw(session, article_id)
        if raw is None or not raw.body:
            raise NotFound("no raw page is stored for this article")
        body = zlib.decompress(raw.body).decode(raw.charset or "utf-8", errors="replace")
        headers = dict(SECURITY_HEADERS) | {
            "Content-Security-Policy": "sandbox; default-src 'none'"
        }
        return PlainTextResponse(body, headers=headers)

    @admin.post("/articles/{article_id}/reextract")
    def reextract(request: Request, article_id: int, form: CheckedForm) -> Response:
        outcome = Pipeline(
            sessions, days=DayRule(settings.zone, settings.archive_tz_force)
        ).reextract(article_id)
        if outcome.status == "stored":
            flash(request, "Extracted again from the stored page.")
        else:
            flash(request, f"Not re-extracted: {outcome.reason}", "error")
        return back(f"/admin/articles/{article_id}")

    @admin.get("/articles/{article_id}/delete", response_class=HTMLResponse)
    def confirm_delete(request: Request, article_id: int) -> HTMLResponse:
        login_required(request)
        with sessions() as session:
            found = archive.get_article(session, article_id)
        return render(request, "confirm_delete.html", article=found)

    @admin.post("/articles/{article_id}/delete")
    def delete(request: Request, article_id: int, form: CheckedForm) -> Response:
        with session_scope(sessions) as session:
            archive.delete_article(session, article_id)
        flash(request, f"Article {article_id} deleted.")
        return back("/admin/articles")

    # --- sources ----------------------------------------------------------------------------

    def sources_page(request: Request, form: dict[str, Any], status: int = 200) -> HTMLResponse:
        with sessions() as session:
            rows, counts = archive.list_sources(session), archive.article_counts(session)
        return render(
            request, "sources.html", status=status, sources=rows, counts=counts, form=form
        )

    @admin.get("/sources", response_class=HTMLResponse)
    def sources(request: Request) -> HTMLResponse:
        login_required(request)
        return sources_page(request, form={})

    @admin.post("/sources")
    def add_source(request: Request, form: CheckedForm) -> Response:
        try:
            name, fields = source_fields(form, new=True)
            with session_scope(sessions) as session:
                source = archive.create_source(session, name, fields)
        except (InvalidInput, NewsArchiveError) as exc:
            flash(request, exc.detail, "error")
            return sources_page(request, form=form, status=422)
        flash(request, f"Source {source.name} added.")
        return back("/admin/sources")

    @admin.get("/sources/{source_id}", response_class=HTMLResponse)
    def edit_source(request: Request, source_id: int) -> HTMLResponse:
        login_required(request)
        with sessions() as session:
            source = archive.get_source(session, source_id)
        return render(request, "source.html", source=source)

    @admin.post("/sources/{source_id}")
    def update_source(request: Request, source_id: int, form: CheckedForm) -> Response:
        try:
            _name, fields = source_fields(form, new=False)
            with session_scope(sessions) as session:
                archive.update_source(session, archive.get_source(session, source_id), fields)
        except InvalidInput as exc:
            flash(request, exc.detail, "error")
            return back(f"/admin/sources/{source_id}")
        flash(request, "Source saved.")
        return back("/admin/sources")

    @admin.post("/sources/{source_id}/toggle")
    def toggle_source(request: Request, source_id: int, form: CheckedForm) -> Response:
        with session_scope(sessions) as session:
            source = archive.get_source(session, source_id)
            enabled = not source.enabled
            archive.update_source(session, source, archive.SourceFields(enabled=enabled))
        flash(request, f"Source {'enabled' if enabled else 'disabled'}.")
        return back("/admin/sources")

    @admin.post("/sources/{source_id}/delete")
    def remove_source(request: Request, source_id: int, form: CheckedForm) -> Response:
        with session_scope(sessions) as session:
            source = archive.get_source(session, source_id)
            name = source.name
            archive.delete_source(session, source, with_articles=form.get("with_articles") == "yes")
        flash(request, f"Source {name} removed.")
        return back("/admin/sources")

    @admin.post("/sources/{source_id}/crawl")
    def crawl_now(request: Request, source_id: int, form: CheckedForm) -> Response:
        with sessions() as session:
            name = archive.get_source(session, source_id).name
        with crawls_lock:  # handlers run in threads: one check-and-start at a time
            running = crawls.get(name)
            if running is not None and running.is_alive():
                flash(request, f"A crawl of {name} is already running.", "error")
                return back("/admin/runs")
            crawls[name] = _start_crawl(settings, sessions, name)
        flash(request, f"Crawl of {name} started; it appears below as it runs.")
        return back("/admin/runs")

    # --- runs and ingest --------------------------------------------------------------------

    @admin.get("/runs", response_class=HTMLResponse)
    def runs(request: Request) -> HTMLResponse:
        login_required(request)
        with sessions() as session:
            rows = archive.list_runs(session, limit=50)
        return render(request, "runs.html", runs=rows)

    @admin.get("/runs/{run_id}", response_class=HTMLResponse)
    def run(request: Request, run_id: int) -> HTMLResponse:
        login_required(request)
        with sessions() as session:
            found = archive.get_run(session, run_id)
        return render(request, "run.html", run=found)

    @admin.get("/ingest", response_class=HTMLResponse)
    def ingest_form(request: Request) -> HTMLResponse:
        login_required(request)
        return render(request, "ingest.html", url="")

    @admin.post("/ingest")
    def ingest(request: Request, form: CheckedForm) -> Response:
        url = str(form.get("url") or "").strip()
        if not is_http_url(url):
            flash(request, "Give an http:// or https:// address.", "error")
            return render(request, "ingest.html", status=422, url=url)
        with fetcher_from(settings) as fetcher, recorded(sessions, "ingest") as run:
            outcome = Pipeline(
                sessions,
                fetcher=fetcher,
                max_bytes=settings.max_page_bytes,
                days=DayRule(settings.zone, settings.archive_tz_force),
            ).ingest_url(url)
            run.count(outcome)
        if outcome.article_id is None:
            flash(request, f"{outcome.status.capitalize()}: {outcome.reason}", "error")
            return render(request, "ingest.html", status=422, url=url)
        flash(request, "Stored." if outcome.status == "stored" else "Already in the archive.")
        return back(f"/admin/articles/{outcome.article_id}")

    return admin


def _start_crawl(
    settings: Settings, sessions: sessionmaker[Session], name: str
) -> threading.Thread:
    from newsarchive.errors import CrawlBusy
    from newsarchive.ingest.crawl import Crawler

    def crawl() -> None:
        # CrawlBusy: another crawl holds the SQLite database; the runs page shows that one.
        with contextlib.suppress(CrawlBusy):
            Crawler(settings, sessions).run(source=name)

    thread = threading.Thread(target=crawl, name=f"admin-crawl-{name}", daemon=True)
    thread.start()
    return thread
