"""Shared fixtures: databases on both backends, settings, and a local news site.

Every test that touches the store takes the ``db_url`` fixture, which runs it once on SQLite and
once on a PostgreSQL database this test session creates and drops. With CI=true a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings, get_settings
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker
from tests.site import NewsSite

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PG_ADMIN = os.environ.get("NEWSARCHIVE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
TABLES = (
    "run_errors",
    "run_sources",
    "runs",
    "frontier",
    "revisions",
    "takedowns",
    "story_keys",
    "alerts",
    "deliveries",
    "saved_searches",
    "article_raw",
    "article_copies",
    "articles",
    "source_collections",
    "feeds",
    "hosts",
    "sources",
    "day_counts",
    "word_forms",
    "meta",
)
# What migrations put in `meta`: a test that changes the archive's zone must not change the
# next test's (the reset puts a new database's rows back).
NEW_META = {"archive_tz": "UTC"}


def corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not present at {path} (only in the team's workspace)")
    return path


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No NEWSARCHIVE_* variable, proxy or .env file of the developer leaks into a test."""
    for name in list(os.environ):
        if name.startswith("NEWSARCHIVE_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _signal_handlers() -> Iterator[None]:
    """A crawl run in this process (CliRunner) installs SIGINT and SIGTERM handlers of its own:
    they go with the test, so the next one starts with Python's, whatever the order."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


# --- databases ----------------------------------------------------------------------------------


def _pg_available() -> None:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required when CI=true and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN}")


def create_database(backend: str, tmp_dir: Path) -> str:
    """A new empty database; returns its SQLAlchemy URL."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
    _pg_available()
    name = f"newsarchive_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database with no tables (for migration tests)."""
    url = create_database(backend, tmp_path)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Engine]]]:
    """One migrated database per backend for the whole session, created on first use, with the
    engine that empties it after each test."""
    databases: dict[str, tuple[str, Engine]] = {}
    yield databases
    for url, engine in databases.values():
        engine.dispose()
        drop_database(url)


def _empty(engine: Engine) -> None:
    """DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE's fixed cost per table
    (0.2 s a test on PostgreSQL) was a third of the suite. Ids start again from 1. On
    PostgreSQL in one round trip (a third of the time of one statement each)."""
    meta = [f"INSERT INTO meta (key, value) VALUES ('{k}', '{v}')" for k, v in NEW_META.items()]
    if engine.dialect.name == "sqlite":  # (numbers from 1 again by itself)
        with engine.begin() as conn:
            for statement in [f"DELETE FROM {table}" for table in TABLES] + meta:
                conn.exec_driver_sql(statement)
        engine.dispose()  # no connection kept open: a test may replace the file (a restore)
        return
    with engine.begin() as conn:
        sequences = conn.scalars(text("SELECT sequencename FROM pg_sequences")).all()
        restart = [f'ALTER SEQUENCE "{sequence}" RESTART' for sequence in sequences]
        conn.exec_driver_sql(
            "; ".join([f"DELETE FROM {table}" for table in TABLES] + meta + restart)
        )


@pytest.fixture
def db_url(
    backend: str,
    _migrated: dict[str, tuple[str, Engine]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A migrated database on each backend, emptied after every test."""
    if backend not in _migrated:
        url = create_database(backend, tmp_path_factory.mktemp("db"))
        migrate.upgrade(url)
        _migrated[backend] = (url, make_engine(url))
    url, engine = _migrated[backend]
    yield url
    _empty(engine)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        allow_private_hosts=True,
        host_delay=0,
        fetch_timeout=5,
        admin_token="test-token",
    )


# --- the local news site ----------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as news_site:
        yield news_site
