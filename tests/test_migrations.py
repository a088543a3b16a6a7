"""The schema is Alembic's: it goes up, down and up again, and matches the models exactly."""

import importlib.util
from datetime import date
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from newsarchive.db import (
    migrate,
    models,  # noqa: F401  (registers the tables on Base.metadata)
)
from newsarchive.db.base import Base
from newsarchive.db.session import make_engine, make_sessionmaker
from newsarchive.search import SearchParams, run_search
from newsarchive.search.service import matches_per_day

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


def test_0004_reads_precision_and_site_days_from_existing_rows(empty_db_url: str) -> None:
    """Articles stored before precision existed: a byline day stored as Berlin midnight goes
    back to its day, a precise date keeps its offset, undated articles are counted; and down."""
    migrate.upgrade(empty_db_url, "0003")
    engine = make_engine(empty_db_url)
    rows = [  # published_at (UTC, as stored), published_day (the old UTC day), source, raw
        ("2022-12-19 23:00:00", "2022-12-19", "page", "20.12.2022"),
        ("2024-03-06 04:30:00", "2024-03-06", "page", "2024-03-05T23:30:00-05:00"),
        ("2024-03-06 10:00:00", "2024-03-06", "first_seen", None),
        ("2024-01-05 09:30:00", "2024-01-05", "page", "10:30, 05-01-2024"),  # no offset in it
        ("2024-02-01 10:00:00", "2024-02-01", "page", "01.02.2024"),  # midnight in Honolulu
    ]
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO sources (name, interval_minutes, enabled, auto_created, "
                     "created_at) VALUES ('s', 0, true, false, '2024-01-01 00:00:00+00')")
            )  # fmt: skip
            for n, (at, day, source, raw) in enumerate(rows):
                conn.execute(
                    text(
                        "INSERT INTO articles (source_id, url, url_normalized, url_key, "
                        "content_hash, text, authors, tags, categories, word_count, published_at, "
                        "published_day, date_source, date_raw, first_seen_at, fetched_at, "
                        "updated_at) VALUES (1, :u, :u, :u, :h, 'x', '[]', '[]', '[]', 1, "
                        ":at, :day, :source, :raw, :at, :at, :at)"
                    ),
                    {"u": f"https://s.example/{n}", "h": f"hash{n}", "at": f"{at}+00", "day": day,
                     "source": source, "raw": raw},
                )  # fmt: skip
        migrate.upgrade(empty_db_url)
        with engine.connect() as conn:
            got = conn.execute(
                text(
                    "SELECT published_precision, published_offset, published_day FROM articles "
                    "ORDER BY id"
                )
            ).all()
            assert [(p, o, str(d)) for p, o, d in got] == [
                ("day", 60, "2022-12-20"),
                ("second", -300, "2024-03-05"),
                ("second", None, "2024-03-06"),
                ("minute", None, "2024-01-05"),
                ("day", -600, "2024-02-01"),
            ]
            counts = conn.execute(
                text("SELECT day, articles, undated FROM day_counts ORDER BY day")
            )
            assert [(str(d), n, u) for d, n, u in counts] == [
                ("2022-12-20", 1, 0),
                ("2024-01-05", 1, 0),
                ("2024-02-01", 1, 0),
                ("2024-03-05", 1, 0),
                ("2024-03-06", 1, 1),
            ]
        migrate.downgrade(empty_db_url, "0003")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 5
            columns = {c["name"] for c in inspect(conn).get_columns("articles")}
            assert "published_precision" not in columns
    finally:
        engine.dispose()


def test_concurrent_first_starts_wait_for_one_migration(empty_db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Three commands started at once on an empty database: one migrates, the others wait for
    it and find nothing to do; none fails."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_DATABASE_URL"] = empty_db_url
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "newsarchive", "sources", "list"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in started]
    assert [p.returncode for p in started] == [0, 0, 0], outputs
    engine = make_engine(empty_db_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision(empty_db_url)
    finally:
        engine.dispose()


def test_0012_keeps_the_word_forms_of_the_articles_already_stored(empty_db_url: str) -> None:
    """An archive from before 0012: its articles' forms are recorded by the migration, so a
    search for another form finds them at once; down drops the table, the articles stay."""
    migrate.upgrade(empty_db_url, "0011")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            _insert_articles(conn, [("Teachers strike", "en"), ("Häfen", "de")])
        migrate.upgrade(empty_db_url)
        with engine.connect() as conn:
            forms = conn.execute(text("SELECT language, stem, form FROM word_forms")).all()
            assert ("en", "teacher", "teachers") in forms
            assert ("de", "haf", "häfen") in forms
        migrate.downgrade(empty_db_url, "0011")
        assert "word_forms" not in _tables(empty_db_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 2
    finally:
        engine.dispose()


def _insert_articles(conn: Connection, articles: list[tuple[str, str]], first: int = 0) -> None:
    """A source 's' (unless `first` says earlier articles made it) and these (title,
    language) articles, as an older schema takes them."""
    if not first:
        conn.execute(
            text(
                "INSERT INTO sources (name, interval_minutes, enabled, auto_created, "
                "created_at) VALUES ('s', 0, true, false, '2024-01-01 00:00:00+00')"
            )
        )
    for n, (title, language) in enumerate(articles, first):
        conn.execute(
            text(
                "INSERT INTO articles (source_id, url, url_normalized, url_key, "
                "content_hash, title, text, authors, tags, categories, word_count, "
                "language, published_at, published_day, date_source, first_seen_at, "
                "fetched_at, updated_at) VALUES (1, :u, :u, :u, :h, :t, 'x', '[]', "
                "'[]', '[]', 1, :lang, :at, '2024-01-01', 'page', :at, :at, :at)"
            ),
            {
                "u": f"https://s.example/{n}",
                "h": f"hash{n}",
                "t": title,
                "lang": language,
                "at": "2024-01-01 10:00:00+00",
            },
        )


def _fts_intact(conn: Connection) -> None:
    """SQLite: the full-text index holds exactly what its content says (raises if not)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO fts_articles(fts_articles) VALUES ('integrity-check')")


def test_0016_filters_the_articles_already_stored(empty_db_url: str) -> None:
    """An archive from before 0016: after it, a search filtered by source or language finds
    the articles stored before; down again, the index is as 0015 left it."""
    migrate.upgrade(empty_db_url, "0015")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            _insert_articles(conn, [("Harbour news", "en"), ("Harbour Neuigkeiten", "de")])
            _fts_intact(conn)
        migrate.upgrade(empty_db_url)
        with make_sessionmaker(engine)() as session:
            for filters, titles in (
                ({"source": "s"}, {"Harbour news", "Harbour Neuigkeiten"}),
                ({"lang": "de"}, {"Harbour Neuigkeiten"}),
                ({"source": "s", "lang": "en"}, {"Harbour news"}),
            ):
                page = run_search(session, SearchParams(q="harbour", **filters))
                assert {hit.article.title for hit in page.hits} == titles, filters
        with engine.connect() as conn:
            _fts_intact(conn)
        migrate.downgrade(empty_db_url, "0015")
        with engine.connect() as conn:
            _fts_intact(conn)
            assert conn.execute(text("SELECT count(*) FROM articles")).scalar() == 2
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_0016_stopped_midway_is_finished_by_the_next_upgrade(empty_db_url: str) -> None:
    """SQLite commits 0016's statements one by one: stopped after its first steps (the old
    index dropped, the view made, the new index not yet built), the next upgrade builds it."""
    migrate.upgrade(empty_db_url, "0015")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            _insert_articles(conn, [("Harbour news", "en"), ("Harbour Neuigkeiten", "de")])
            for trigger in ("fts_articles_ai", "fts_articles_ad", "fts_articles_au"):
                conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
            conn.exec_driver_sql("DROP TABLE fts_articles")
            conn.exec_driver_sql(_migration("0016").VIEW)
        migrate.upgrade(empty_db_url)
        with make_sessionmaker(engine)() as session:
            page = run_search(session, SearchParams(q="harbour", lang="de"))
            assert [hit.article.title for hit in page.hits] == ["Harbour Neuigkeiten"]
        with engine.connect() as conn:
            _fts_intact(conn)
    finally:
        engine.dispose()


def _migration(revision: str) -> Any:
    """A migration's module, loaded from its file (its name is not an importable one)."""
    [path] = (migrate.MIGRATIONS / "versions").glob(f"*_{revision}_*.py")
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_0018_moves_the_words_of_the_articles_already_stored(empty_db_url: str) -> None:
    """An archive from before 0018: after it, the articles stored before are found, filtered
    and counted per day from the search rows, and a new one too; down again, the article
    table holds the words as 0017 had them."""
    migrate.upgrade(empty_db_url, "0017")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as conn:
            _insert_articles(conn, [("Harbour news", "en"), ("Harbour Neuigkeiten", "de")])
        migrate.upgrade(empty_db_url)
        with engine.begin() as conn:  # statistics for the planner's estimates from the start
            analyzed = "SELECT count(*) FROM pg_stats WHERE tablename = 'search_rows'"
            assert conn.execute(text(analyzed)).scalar_one() > 0
            _insert_articles(conn, [("Harbour later", "en")], first=2)
        with make_sessionmaker(engine)() as session:
            page = run_search(session, SearchParams(q="harbour", lang="de"))
            assert [hit.article.title for hit in page.hits] == ["Harbour Neuigkeiten"]
            per_day = matches_per_day(session, SearchParams(q="harbour"))
            assert per_day == {date(2024, 1, 1): 3}
        migrate.downgrade(empty_db_url, "0017")
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT title FROM articles WHERE search_vector @@ 'neuigkeiten'::tsquery")
            )
            assert found.scalars().all() == ["Harbour Neuigkeiten"]
            assert not conn.execute(text("SELECT to_regclass('search_rows')")).scalar()
    finally:
        engine.dispose()
