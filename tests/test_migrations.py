"""The schema is Alembic's: it goes up, down and up again, and matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from newsarchive.db import (
    migrate,
    models,  # noqa: F401  (registers the tables on Base.metadata)
)
from newsarchive.db.base import Base
from newsarchive.db.session import make_engine

TABLES = {
    "sources",
    "articles",
    "article_raw",
    "runs",
    "run_errors",
    "feeds",
    "frontier",
    "hosts",
    "day_counts",
    "meta",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return names
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) >= TABLES
    migrate.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) >= TABLES
    engine = make_engine(empty_db_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision(empty_db_url)
    finally:
        engine.dispose()


def test_models_match_migrations(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": migrate.include_object}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
