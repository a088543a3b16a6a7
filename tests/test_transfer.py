"""An archive moves from SQLite to PostgreSQL (and back) without losing a field."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.cli import cli
from newsarchive.config import get_settings
from newsarchive.db import migrate
from newsarchive.db.models import Article, ArticleRaw, Source
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.transfer import ARTICLE_COLUMNS
from tests.conftest import create_database, drop_database
from tests.factories import add_article, add_source


def snapshot(url: str) -> tuple[list[dict], list[dict]]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        articles = []
        for a in session.scalars(select(Article).order_by(Article.url)):
            raw = session.get(ArticleRaw, a.id)
            row = {k: getattr(a, k) for k in ARTICLE_COLUMNS}
            row |= {
                "source": a.source_name,
                "published_day": a.published_day,
                "raw": raw.body if raw else None,
            }
            articles.append(row)
        sources = [
            {"name": s.name, "home": s.home_url, "interval": s.interval_minutes, "enabled": s.enabled,
             "feeds": sorted((f.kind, f.url) for f in s.feeds), "collections": s.collections}
            for s in session.scalars(select(Source).order_by(Source.name))
        ]  # fmt: skip
    engine.dispose()
    return articles, sources


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_round_trip_sqlite_to_postgresql_keeps_every_field(
    db_url: str,
    sessions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    add_source(
        sessions, "harbour", home_url="https://h.example/", feeds=["https://h.example/rss"],
        sitemaps=["https://h.example/s.xml"], interval_minutes=30,
    )  # fmt: skip
    with session_scope(sessions) as session:
        archive.add_to_collections(archive.get_source_by_name(session, "harbour"), ["germany"])
    add_article(sessions, "Harbour «opens»", "Zürich text\nsecond line", datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC),
                source="harbour", authors=["Ana Ruiz", "Bo Li"], language="de")  # fmt: skip
    add_article(sessions, "Second", "other text", source="beta", language=None)
    with session_scope(sessions) as session:
        first = session.scalars(select(Article).order_by(Article.id)).first()
        assert first is not None
        session.get(ArticleRaw, first.id).body = b"\x78\x9c compressed bytes \x00\xff"  # type: ignore[union-attr]
        first.tags, first.categories, first.modified_at = (
            ["a", "b"],
            ["c"],
            datetime(2024, 3, 1, tzinfo=UTC),
        )
        first.canonical_url, first.top_image, first.date_raw = (
            "https://h.example/c",
            "https://h.example/i.jpg",
            "raw",
        )

    dump = tmp_path / "archive.jsonl"
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    exported = CliRunner().invoke(
        cli, ["export", "--articles", "--with-raw", "--output", str(dump)]
    )
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in dump.read_text().splitlines()]
    assert [r["type"] for r in rows] == ["source", "source", "article", "article"]

    target = create_database("postgresql", tmp_path)
    try:
        migrate.upgrade(target)
        monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", target)
        get_settings.cache_clear()  # a new process would read the environment afresh
        imported = CliRunner().invoke(cli, ["import", str(dump)])
        assert imported.exit_code == 0, imported.output
        assert imported.output.strip().endswith("source 2, stored 2")
        assert snapshot(target) == snapshot(db_url)
        again = CliRunner().invoke(cli, ["import", str(dump)])
        assert again.output.strip().endswith("duplicate 2, source 2")
    finally:
        drop_database(target)


def test_a_broken_line_is_reported_and_the_rest_go_on(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "broken.jsonl"
    dump.write_text('{"type": "source", "name": "x"}\nnot json\n{"type": "mystery"}\n')
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["import", str(dump)])
    assert result.exit_code == 1  # as for a page that failed
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"failed: {dump}:2: JSONDecodeError")
    assert lines[1].startswith(f"failed: {dump}:3: ValueError: unknown row type")
    assert lines[-1] == f"imported {dump}: failed 2, source 1"
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            [run] = archive.list_runs(session)
            assert (run.kind, run.status, run.failed) == ("import", "finished", 2)
    finally:
        engine.dispose()


@pytest.mark.parametrize("into", ["an empty archive", "an archive with articles"])
def test_article_lines_the_store_cannot_take_are_refused_one_by_one(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, into: str,
) -> None:  # fmt: skip
    """Through the fresh load or row by row: a bad line is one failure, never the whole load."""
    if into == "an archive with articles":
        add_article(sessions, "Already here", "older text")
    good = {
        "type": "article", "source": "x.example", "url": "https://x.example/1",
        "url_normalized": "https://x.example/1", "url_key": "https://x.example/1",
        "content_hash": "a" * 64, "text": "harbour text", "title": "Good",
        "published_at": "2024-05-01T12:00:00+00:00", "date_source": "page",
    }  # fmt: skip
    bad = [
        {**good, "published_at": "2024-05-01T12:00:00"},  # no offset: which instant?
        {k: v for k, v in good.items() if k != "date_source"},
        {**good, "authors": "Ann"},  # not a list
        {**good, "published_offset": 24 * 60},
    ]
    dump = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({**row, "url_key": f"k{n}", "content_hash": f"{n:064x}"})
        for n, row in enumerate(bad)
    ]
    dump.write_text("\n".join([*lines, json.dumps(good)]) + "\n")
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["import", str(dump)])
    assert result.exit_code == 1, result.output
    failures = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert [f.split(": ")[1] for f in failures] == [f"{dump}:{n}" for n in (1, 2, 3, 4)]
    reasons = ["no UTC offset", "needs date_source", "authors is str", "published_offset 1440"]
    assert all(reason in failure for reason, failure in zip(reasons, failures, strict=True))
    assert result.output.strip().splitlines()[-1].endswith("failed 4, stored 1")
    with sessions() as session:
        titles = [a.title for a in archive.list_articles(session, archive.ArticleFilters()).items]
        assert "Good" in titles


def test_export_csv_of_a_range_of_days(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_article(sessions, "In range", "text one", datetime(2024, 3, 2, 9, tzinfo=UTC))
    add_article(sessions, "Too late", "text two", datetime(2024, 3, 9, 9, tzinfo=UTC))
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    out = tmp_path / "march.csv"
    result = CliRunner().invoke(
        cli,
        ["export", "--format", "csv", "--from", "2024-03-01", "--to", "2024-03-05", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["title"], r["published_date"], r["source"]) for r in rows] == [
        ("In range", "2024-03-02", "alpha")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "missing-dir/x.jsonl"], "Error: --output: no such directory: missing-dir"),
        (
            ["--from", "2024-03-05", "--to", "2024-03-01"],
            "Error: 'from' (2024-03-05) is after 'to' (2024-03-01)",
        ),
    ],
)
def test_export_mistakes_are_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == message
