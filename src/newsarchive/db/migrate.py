"""Alembic, driven from code with the package's own migrations (used by the CLI and tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

# Full-text search lives outside the ORM models (migration 0003 creates it with raw SQL):
# SQLite's FTS5 table and its shadow tables, PostgreSQL's tsvector column and its GIN index.
SEARCH_OBJECTS = {"search_vector", "ix_articles_search_vector"}


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
    cfg.set_main_option("script_location", "newsarchive:migrations")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


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
