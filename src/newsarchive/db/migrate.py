"""Alembic, driven from code with the package's own migrations (used by the CLI and tests)."""

from __future__ import annotations

import fcntl
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url

from newsarchive.db.session import make_engine

# Where newsarchive.migrations is: the top-level migrations/ folder in a checkout, the
# package's own folder in an installed wheel.
# (imported by name: the package is mapped from outside src/, where type checkers do not look)
MIGRATIONS = Path(str(importlib.import_module("newsarchive.migrations").__file__)).parent
# pg_advisory_lock key for migrations: "newsarchive migrate" in a 64-bit integer, any constant
# other programs sharing the database are unlikely to use.
MIGRATION_LOCK = 0x6E657773_6D696772

# Full-text search lives outside the ORM models (migrations 0003 and 0009 create it with raw
# SQL): SQLite's FTS5 table, its shadow tables, the key it numbers rows by, the view it reads
# its filter tokens from (0016) and the index its facets read (0017); PostgreSQL's tsvector
# column and its GIN index (before 0018), then its search rows table (0018).
SEARCH_OBJECTS = {
    "search_vector",
    "ix_articles_search_vector",
    "search_key",
    "article_search",
    "ix_articles_search_key",
    "ix_articles_id_source_language",
    "search_rows",
}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate's filter: leave the search objects alone."""
    if name is None:
        return True
    if type_ == "table" and name.startswith("fts_"):
        return False
    return name not in SEARCH_OBJECTS


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    with _locked(database_url) as cfg:
        command.upgrade(cfg, revision)


def downgrade(database_url: str, revision: str) -> None:
    with _locked(database_url) as cfg:
        command.downgrade(cfg, revision)


@contextmanager
def _locked(database_url: str) -> Iterator[Config]:
    """Alembic's config for a connection that holds the migration lock: processes that start
    at once on a new database wait for the first one's migration, then find nothing to do.
    PostgreSQL: an advisory lock on the migrating connection; SQLite: flock on the database
    file (independent of SQLite's own locks, and gone with the process)."""
    cfg = alembic_config(database_url)
    url = make_url(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if url.get_backend_name() == "postgresql":
                conn.execute(select(func.pg_advisory_lock(MIGRATION_LOCK)))
                conn.commit()
                try:
                    cfg.attributes["connection"] = conn
                    yield cfg
                finally:
                    conn.rollback()
                    conn.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK)))
                    conn.commit()
            elif url.database and url.database != ":memory:":
                with Path(url.database).open("ab") as database_file:
                    fcntl.flock(database_file, fcntl.LOCK_EX)
                    cfg.attributes["connection"] = conn
                    yield cfg
            else:
                cfg.attributes["connection"] = conn
                yield cfg
    finally:
        engine.dispose()


def scripts(database_url: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(database_url))


def head_revision(database_url: str) -> str | None:
    return scripts(database_url).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return revision_of(conn)


def revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_problem(database_url: str, engine: Engine) -> str | None:
    """Why this code cannot use the database's schema as it is, or None when it is at head."""
    return mismatch(current_revision(engine), scripts(database_url))


def mismatch(current: str | None, script: ScriptDirectory) -> str | None:
    head = script.get_current_head()
    if current == head:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        return (
            f"the database schema ({current}) is newer than this newsarchive (head {head}): "
            "upgrade newsarchive, or use another database"
        )
    return f"the database schema is at {current or 'nothing'}, this code needs {head}: run `newsarchive db upgrade`"
