"""The `newsarchive` command line."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import __version__, archive, logs
from newsarchive.archive import DayRule
from newsarchive.config import Settings, get_settings
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.errors import Conflict, InvalidInput, NewsArchiveError, NotFound
from newsarchive.ingest.pipeline import Outcome, Pipeline, fetcher_from
from newsarchive.ingest.runs import recorded
from newsarchive.ingest.urls import is_http_url


class OneLineErrors(click.Group):
    """Bad input exits 2 with a single 'Error: ...' line instead of click's usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.NoSuchOption as exc:
            hint = ""
            if exc.ctx is not None and exc.ctx.command.name == "search":
                hint = (
                    " (a query that starts with '-' goes after '--': newsarchive search -- -word)"
                )
            click.echo(f"Error: {exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.UsageError as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except OperationalError as exc:  # the database is down or unreachable: one line, exit 1
            reason = str(exc.orig or exc).strip().splitlines()[0]
            click.echo(f"Error: cannot use the database: {reason}", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _days(settings: Settings) -> DayRule:
    return DayRule(settings.zone, settings.archive_tz_force)


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "NEWSARCHIVE_" + str(first["loc"][0]).upper() if first.get("loc") else "settings"
        raise click.UsageError(f"{field}: {first['msg']}") from None
    logs.configure(fmt=settings.log_format, level=settings.log_level)
    return settings


@click.group(cls=OneLineErrors)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """A news-article ingestion and archive service."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--no-migrate", is_flag=True, help="Refuse to start on an older schema instead of upgrading it."
)
def serve(host: str, port: int, no_migrate: bool) -> None:
    """Migrate the database to head, then serve the API and admin page."""
    import uvicorn

    from newsarchive.api.app import create_app

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        problem = migrate.schema_problem(settings.database_url, engine)
    finally:
        engine.dispose()
    if problem and (no_migrate or "newer" in problem):
        raise click.ClickException(problem)
    if problem:
        migrate.upgrade(settings.database_url)
    listener = _listen(host, port)
    click.echo(
        f"newsarchive {__version__} on http://{host}:{port} (database: {_safe_url(settings)})"
    )
    config = uvicorn.Config(create_app(settings), log_level="info")
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound now: a port in use is one line, before any banner."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _name, address = infos[0]
        listener = socket.socket(family, kind, proto)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.set_inheritable(True)
    return listener


@cli.group()
def db() -> None:
    """Schema migrations (Alembic, with the package's own migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the schema (to head by default)."""
    migrate.upgrade(_settings().database_url, revision)
    _print_current()


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes every table)."""
    migrate.downgrade(_settings().database_url, revision)
    _print_current()


@db.command("current")
def db_current() -> None:
    """Print the schema revision and whether it is the head."""
    _print_current()


def _print_current() -> None:
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision(settings.database_url)
    state = "head" if current == head else f"behind head {head}"
    click.echo(f"{current or 'base (empty)'} ({state})")


@cli.command()
@click.argument("urls", nargs=-1, required=True)
def ingest(urls: tuple[str, ...]) -> None:
    """Fetch, extract and store each article page. Exits 1 if any URL failed."""
    bad = [url for url in urls if not is_http_url(url)]
    if bad:
        raise click.UsageError(f"not an http(s) URL: {bad[0]}")
    settings = _settings()
    with fetcher_from(settings) as fetcher:
        outcomes = _run("ingest", settings, lambda p: (p.ingest_url(u) for u in urls), fetcher)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@cli.command()
@click.option(
    "--format", "format_", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
    help="jsonl: sources, then articles with every field (read back by import); csv: articles.",
)  # fmt: skip
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="First archive day to export (inclusive).")  # fmt: skip
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]),
              help="Last archive day to export (inclusive).")  # fmt: skip
@click.option("--with-raw", is_flag=True, help="Include each article's stored raw page (jsonl).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")  # fmt: skip
def export(
    format_: str,
    date_from: datetime | None,
    date_to: datetime | None,
    with_raw: bool,
    output: Path | None,
) -> None:
    """Write the archive, or the articles of a range of days, as JSON Lines (sources, then
    articles: backups, and moving between SQLite and PostgreSQL, since `newsarchive import
    FILE.jsonl` reads it back) or as CSV (one row per article)."""
    from newsarchive import transfer

    days = (date_from.date() if date_from else None, date_to.date() if date_to else None)
    try:
        archive.check_day_range(*days)
    except InvalidInput as exc:
        raise click.UsageError(exc.detail) from None
    if output is not None and not output.parent.is_dir():
        raise click.UsageError(f"--output: no such directory: {output.parent}")
    try:
        stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    except OSError as exc:
        raise click.UsageError(f"--output: cannot write {output}: {exc.strerror}") from None
    try:
        with _sessions() as sessions, sessions() as session:
            rows = transfer.export_rows(session, with_raw=with_raw, days=days)
            lines = transfer.csv_lines(rows) if format_ == "csv" else transfer.jsonl_lines(rows)
            stream.writelines(lines)
    finally:
        if output:
            stream.close()


def _import_jsonl(path: Path, settings: Settings) -> bool:
    """Read an archive `newsarchive export` wrote, as one run; True if every line went in."""
    import json

    from newsarchive import transfer

    counts: dict[str, int] = {}
    with (
        _sessions() as sessions,
        path.open(encoding="utf-8") as lines,
        recorded(sessions, "import") as run,
    ):
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                with session_scope(sessions) as session:
                    result = transfer.import_row(session, row, _days(settings))
            except (ValueError, KeyError, TypeError) as exc:
                result = "failed"
                reason = f"{type(exc).__name__}: {exc}"[:300]
                click.echo(f"failed: {path}:{number}: {reason}")
                run.count(Outcome(f"{path}:{number}", "failed", reason))
            else:
                if result in ("stored", "duplicate"):
                    run.add({"stored" if result == "stored" else "duplicates": 1}, None)
            counts[result] = counts.get(result, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    click.echo(f"imported {path}: {summary}")
    return "failed" not in counts


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--base-url", help="URL a file's name is joined to when the page has no canonical link."
)
def import_(paths: tuple[Path, ...], base_url: str | None) -> None:
    """Import local pages (.html, .htm, .xhtml, gzipped too), web archives (.warc, .arc,
    gzipped too) and archives written by `newsarchive export` (.jsonl); directories
    recursively. Exits 1 if any page failed."""
    if base_url is not None and not is_http_url(base_url):
        raise click.UsageError(f"--base-url is not an http(s) URL: {base_url}")
    exports = [p for p in paths if p.is_file() and p.name.endswith(".jsonl")]
    complete = True
    for path in exports:  # an archive written by `newsarchive export`
        complete = _import_jsonl(path, _settings()) and complete
    paths = tuple(p for p in paths if p not in exports)
    if paths:
        files = [f for p in paths for f in _expand(p)]
        work = lambda p: p.import_paths(files, base_url=base_url)  # noqa: E731
        outcomes = _run("import", _settings(), work, None)
        complete = complete and not any(o.status == "failed" for o in outcomes)
    if not complete:
        sys.exit(1)


@cli.group()
def sources() -> None:
    """Register, list and remove the sites the crawler follows."""


@sources.command("add")
@click.argument("name")
@click.option("--home", help="Home page; its robots.txt sitemaps are read too.")
@click.option("--feed", "feeds", multiple=True, help="RSS, Atom or JSON feed URL (repeatable).")
@click.option(
    "--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index URL (repeatable)."
)
@click.option(
    "--interval",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Minutes between crawls; 0: at every crawl run.",
)
def sources_add(
    name: str, home: str | None, feeds: tuple[str, ...], sitemaps: tuple[str, ...], interval: int
) -> None:
    """Register a source."""
    for url in (home, *feeds, *sitemaps):
        if url is not None and not is_http_url(url):
            raise click.UsageError(f"not an http(s) URL: {url}")
    if not name.strip() or len(name) > 200:
        raise click.UsageError("NAME must be 1 to 200 characters")
    fields = archive.SourceFields(
        home_url=home, feeds=feeds, sitemaps=sitemaps, interval_minutes=interval
    )
    with _sessions() as sessions, session_scope(sessions) as session:
        source = archive.create_source(session, name.strip(), fields)
        click.echo(
            f"added source {source.name} (id {source.id}, {len(source.feeds)} feeds and sitemaps)"
        )


@sources.command("list")
def sources_list() -> None:
    """List sources with their feeds, interval and article counts."""
    from rich.console import Console
    from rich.table import Table

    with _sessions() as sessions, sessions() as session:
        rows = archive.list_sources(session)
        counts = archive.article_counts(session)
    table = Table("id", "name", "feeds and sitemaps", "every", "enabled", "last crawl", "articles")
    for s in rows:
        table.add_row(
            str(s.id),
            s.name + (" (auto)" if s.auto_created else ""),
            "\n".join(
                f"{f.kind}: {f.url}" + (f"\n  last error: {f.last_error}" if f.last_error else "")
                for f in s.feeds
            )
            or "-",
            f"{s.interval_minutes} min" if s.interval_minutes else "each run",
            "yes" if s.enabled else "no",
            f"{s.last_crawled_at:%Y-%m-%d %H:%M}" if s.last_crawled_at else "never",
            str(counts.get(s.id, 0)),
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@sources.command("remove")
@click.argument("name")
@click.option("--with-articles", is_flag=True, help="Also delete the source's stored articles.")
def sources_remove(name: str, with_articles: bool) -> None:
    """Remove a source (refused while it has articles, unless --with-articles)."""
    with _sessions() as sessions, session_scope(sessions) as session:
        source = archive.get_source_by_name(session, name)
        archive.delete_source(session, source, with_articles=with_articles)
    click.echo(f"removed source {name}")


@cli.command()
@click.option("--source", "source_name", help="Crawl only this source, now, due or not.")
@click.option(
    "--max-articles", type=click.IntRange(min=1), help="Fetch at most this many article pages."
)
@click.option("--loop", is_flag=True, help="Run rounds forever instead of once (no cron needed).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=None,
    show_default="5",
    help="Minutes between the start of one --loop round and the next (with --loop).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="Serve this process's fetch and extraction timings for Prometheus on this port.",
)
def crawl(
    source_name: str | None,
    max_articles: int | None,
    loop: bool,
    interval: float | None,
    metrics_port: int | None,
) -> None:
    """Discover and ingest new articles of every due source: what cron runs.

    Exits 0 when the run happened, even if some pages failed (they are recorded in the run);
    non-zero only when the run itself could not happen. SIGTERM or Ctrl-C ends the run after
    the pages in hand, losing nothing; the next run carries on.
    """
    import signal
    import threading
    import time

    stop = threading.Event()  # first, so that an early Ctrl-C is no traceback either
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    from newsarchive.ingest.crawl import METRICS, CrawlBusy, Crawler

    settings = _settings()
    if interval is not None and not loop:
        raise click.UsageError("--interval needs --loop (one run ends by itself)")
    minutes = 5.0 if interval is None else interval
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1", registry=METRICS)
    with _sessions() as sessions:
        while not stop.is_set():
            started = time.monotonic()
            progress, finish = _crawl_progress()
            try:
                report = Crawler(settings, sessions, progress=progress, stop=stop).run(
                    source=source_name, max_articles=max_articles
                )
                finish()
                click.echo(f"{report.line()} (database: {_safe_url(settings)})")
            except CrawlBusy as exc:
                finish()
                click.echo(f"{exc}; this run has nothing to do")
            if not loop:
                break
            stop.wait(max(0.0, minutes * 60 - (time.monotonic() - started)))


def _crawl_progress() -> tuple[Any, Any]:
    """A live progress bar on a terminal, with log lines printed above it; nothing otherwise
    (cron gets the summary line)."""
    if not sys.stdout.isatty():
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    task = bar.add_task("crawling", total=0)
    counts: dict[str, int] = {}
    logging_above = logs.above(bar.console)
    logging_above.__enter__()
    bar.start()

    def update(kind: str, n: int) -> None:
        if kind == "discovered":
            bar.update(task, total=(bar.tasks[0].total or 0) + n)
            return
        counts[kind] = counts.get(kind, 0) + n
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        bar.update(task, advance=n, description=f"crawling ({summary})")

    def finish() -> None:
        bar.stop()
        logging_above.__exit__(None, None, None)

    return update, finish


@cli.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every article in the archive.")
def reextract(ids: tuple[int, ...], all_: bool) -> None:
    """Run extraction again on stored raw pages (after an extractor improvement)."""
    if bool(ids) == all_:
        raise click.UsageError("give article IDs or --all, not both nor neither")
    settings = _settings()
    with _sessions() as sessions:
        pipeline = Pipeline(sessions, days=_days(settings))

        def every_id() -> Iterator[int]:
            last = 0
            while True:
                with sessions() as session:
                    batch = archive.article_ids(session, after=last)
                if not batch:
                    return
                yield from batch
                last = batch[-1]

        failed = 0
        for article_id in every_id() if all_ else ids:
            try:
                outcome = pipeline.reextract(article_id)
            except NotFound as exc:
                click.echo(f"failed: article {article_id}: {exc.detail}")
                failed += 1
                continue
            status = "re-extracted" if outcome.status == "stored" else outcome.status
            click.echo(
                f"{status}: article {article_id}"
                + (f": {outcome.reason}" if outcome.status != "stored" else "")
            )
            failed += outcome.status == "failed"
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("query")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day (inclusive)."
)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (inclusive).")
@click.option("--source", help="Only this source.")
@click.option("--lang", help="Only this language (e.g. en).")
@click.option("--author", help="Only articles by this author.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
)
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
def search(
    query: str,
    date_from: Any,
    date_to: Any,
    source: str | None,
    lang: str | None,
    author: str | None,
    sort: str,
    limit: int,
) -> None:
    """Search the archive, like GET /api/search, and print a table."""
    from rich.console import Console
    from rich.table import Table

    from newsarchive.search import SearchParams, run_search

    params = SearchParams(
        q=query,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        source=source,
        lang=lang,
        author=author,
        sort=sort,  # type: ignore[arg-type]
        limit=limit,
    )
    with _sessions() as sessions, sessions() as session:
        if source is not None:
            archive.get_source_by_name(session, source)  # an unknown source is bad input
        page = run_search(session, params, facets=False)
        table = Table("id", "published", "source", "title", "snippet", title=f"{page.total} found")
        for hit in page.hits:
            table.add_row(
                str(hit.article.id),
                f"{hit.article.published_at:%Y-%m-%d %H:%M}",
                hit.article.source_name,
                hit.article.title or "",
                _marked(hit.snippet),
            )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


def _marked(snippet_html: str) -> Any:
    """The API's snippet HTML (<mark> around hits, the rest escaped) as rich text."""
    import html

    from rich.text import Text

    text = Text()
    for i, part in enumerate(snippet_html.replace("</mark>", "<mark>").split("<mark>")):
        text.append(html.unescape(part), style="bold yellow" if i % 2 else "")
    return text


@contextmanager
def _sessions() -> Iterator[sessionmaker[Session]]:
    """Migrate, then hand out sessions on the configured database; errors become one line."""
    engine = _open_database(_settings())
    try:
        yield make_sessionmaker(engine)
    except (NotFound, Conflict, InvalidInput) as exc:
        raise click.UsageError(exc.detail) from None
    except NewsArchiveError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        engine.dispose()


def _open_database(settings: Settings) -> Engine:
    """Migrate to head and put the archive's days in NEWSARCHIVE_ARCHIVE_TZ."""
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        if archive.ensure_archive_zone(session, _days(settings)):
            click.echo(f"archive days now follow {settings.archive_tz}", err=True)
    return engine


def _expand(path: Path) -> list[Path]:
    from newsarchive.ingest.files import supported

    if path.is_dir():
        return sorted(f for f in path.rglob("*") if f.is_file() and supported(f))
    return [path]


def _run(kind: str, settings: Settings, work: Any, fetcher: Any) -> list[Outcome]:
    """Migrate, record a run, print one line per outcome, close the run."""
    engine = _open_database(settings)
    sessions = make_sessionmaker(engine)
    pipeline = Pipeline(
        sessions, fetcher=fetcher, max_bytes=settings.max_page_bytes, days=_days(settings)
    )
    outcomes: list[Outcome] = []
    try:
        with recorded(sessions, kind) as run:
            for outcome in work(pipeline):
                click.echo(outcome.line())
                run.count(outcome)
                outcomes.append(outcome)
    finally:
        engine.dispose()
    return outcomes


def _safe_url(settings: Settings) -> str:
    """The database URL without its password; a SQLite file by its absolute path (it depends
    on the working directory)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)
