"""The `newsarchive` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from newsarchive import __version__
from newsarchive.config import Settings, get_settings
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.ingest.pipeline import Outcome, Pipeline, fetcher_from, record
from newsarchive.ingest.urls import is_http_url


class OneLineErrors(click.Group):
    """Bad input exits 2 with a single 'Error: ...' line instead of click's usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.UsageError as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "NEWSARCHIVE_" + str(first["loc"][0]).upper() if first.get("loc") else "settings"
        raise click.UsageError(f"{field}: {first['msg']}") from None


@click.group(cls=OneLineErrors)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """A news-article ingestion and archive service."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Migrate the database to head, then serve the API and admin page."""
    import uvicorn

    from newsarchive.api.app import create_app

    settings = _settings()
    migrate.upgrade(settings.database_url)
    click.echo(
        f"newsarchive {__version__} on http://{host}:{port} (database: {_safe_url(settings)})"
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


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


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--base-url", help="URL a file's name is joined to when the page has no canonical link."
)
def import_(paths: tuple[Path, ...], base_url: str | None) -> None:
    """Import local .html/.html.gz pages and .warc/.warc.gz archives (directories: recursively)."""
    if base_url is not None and not is_http_url(base_url):
        raise click.UsageError(f"--base-url is not an http(s) URL: {base_url}")
    files = [f for p in paths for f in _expand(p)]
    _run("import", _settings(), lambda p: p.import_paths(files, base_url=base_url), None)


def _expand(path: Path) -> list[Path]:
    from newsarchive.ingest.files import supported

    if path.is_dir():
        return sorted(f for f in path.rglob("*") if f.is_file() and supported(f))
    return [path]


def _run(kind: str, settings: Settings, work: Any, fetcher: Any) -> list[Outcome]:
    """Migrate, record a run, print one line per outcome, close the run."""
    from newsarchive import archive

    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    pipeline = Pipeline(sessions, fetcher=fetcher, max_bytes=settings.max_page_bytes)
    with session_scope(sessions) as session:
        run_id = archive.start_run(session, kind).id
    outcomes: list[Outcome] = []
    status = "failed"
    try:
        for outcome in work(pipeline):
            click.echo(outcome.line())
            record(sessions, run_id, outcome)
            outcomes.append(outcome)
        status = "finished"
    finally:
        with session_scope(sessions) as session:
            archive.finish_run(session, run_id, status)
        engine.dispose()
    return outcomes


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
