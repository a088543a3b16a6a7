"""What every command needs: settings, the database (migrated first), one recorded run,
errors as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive, logs, services
from newsarchive.config import Settings, get_settings
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.errors import Conflict, InvalidInput, NewsArchiveError, NotFound
from newsarchive.ingest.outcome import Outcome, totals_line
from newsarchive.ingest.runs import recorded


def load_settings() -> Settings:
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "NEWSARCHIVE_" + str(first["loc"][0]).upper() if first.get("loc") else "settings"
        raise click.UsageError(f"{field}: {first['msg']}") from None
    logs.configure(fmt=settings.log_format, level=settings.log_level)
    return settings


@contextmanager
def open_sessions() -> Iterator[sessionmaker[Session]]:
    """Migrate, then hand out sessions on the configured database; errors become one line."""
    engine = open_database(load_settings())
    try:
        yield make_sessionmaker(engine)
    except (NotFound, Conflict, InvalidInput) as exc:
        raise click.UsageError(exc.detail) from None
    except NewsArchiveError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate, first saying so when an archive that exists is behind: on a large one an
    upgrade can take minutes (0016: five a million articles on SQLite), with nothing else
    to show for it."""
    engine = make_engine(database_url)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    target = migrate.head_revision(database_url) if revision == "head" else revision
    if current is not None and current != target:
        click.echo(
            f"upgrading the archive's schema from {current} to {target}: on a large archive "
            "this can take minutes (docs/operations.md, Upgrading)",
            err=True,
        )
    migrate.upgrade(database_url, revision)


def open_database(settings: Settings) -> Engine:
    """Migrate to head and put the archive's days in NEWSARCHIVE_ARCHIVE_TZ."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with session_scope(make_sessionmaker(engine)) as session:
        if archive.ensure_archive_zone(session, services.day_rule(settings)):
            click.echo(f"archive days now follow {settings.archive_tz}", err=True)
    return engine


def expand(path: Path) -> list[Path]:
    from newsarchive.fetch.files import supported

    if path.is_dir():
        return sorted(f for f in path.rglob("*") if f.is_file() and supported(f))
    return [path]


def run_recorded(kind: str, settings: Settings, work: Any, fetcher: Any) -> list[Outcome]:
    """Migrate, record a run, print one line per outcome, close the run."""
    engine = open_database(settings)
    sessions = make_sessionmaker(engine)
    pipeline = services.pipeline(settings, sessions, fetcher)
    outcomes: list[Outcome] = []
    try:
        with recorded(sessions, kind) as run:
            for outcome in work(pipeline):
                click.echo(outcome.line())
                run.count(outcome)
                outcomes.append(outcome)
    finally:
        engine.dispose()
    click.echo(f"{totals_line(run.id, 'finished', outcomes)} (database: {safe_url(settings)})")
    return outcomes


def safe_url(settings: Settings) -> str:
    """The database URL without its password; a SQLite file by its absolute path (it depends
    on the working directory)."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)
