"""`newsarchive export` is a complete backup: every table, ids kept, restored by `import` into
an empty archive of either store, in both directions; and a restore is all or nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Engine,
    Float,
    Integer,
    LargeBinary,
    Table,
    func,
    insert,
    select,
)

from newsarchive import archive
from newsarchive.cli import cli
from newsarchive.config import get_settings
from newsarchive.db import migrate
from newsarchive.db.base import UTCDateTime
from newsarchive.db.models import Source
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.search import SearchParams, run_search
from tests.conftest import create_database, drop_database

IDS = (3, 8)  # ids with gaps: a restore that renumbered rows would show


def _value(table: Table, column: Any, n: int, made: dict[str, list[dict[str, Any]]]) -> Any:
    """A value of the column's type for row n, pointing at a row made earlier for a key."""
    for key in column.foreign_keys:
        parent = made[key.column.table.name]
        return parent[n % len(parent)][key.column.name]
    kind = column.type
    if column.primary_key and isinstance(kind, Integer) and not isinstance(kind, BigInteger):
        return IDS[n]
    if isinstance(kind, UTCDateTime):
        return datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC) + timedelta(days=n)
    if isinstance(kind, Date):
        return date(2024, 3, 1) + timedelta(days=n)
    if isinstance(kind, Boolean):
        return n == 0
    if isinstance(kind, BigInteger):
        return -(2**62) + n
    if isinstance(kind, Float):
        return 0.25 + n
    if isinstance(kind, Integer):
        return 40 + n
    if isinstance(kind, LargeBinary):
        return b"\x78\x9c\x00\xff raw " + bytes([n])
    if isinstance(kind, JSON):
        return ["Ana Ruiz", f"«Zürich» {n}"]
    text = f"{n} «Zürich» harbour {table.name} {column.name}"
    return text[: getattr(kind, "length", None) or len(text)]


def fill_every_table(engine: Engine) -> None:
    """Two rows in every table a backup holds, every column set."""
    made: dict[str, list[dict[str, Any]]] = {}
    with engine.begin() as connection:
        for table in archive.backup.tables():
            rows = [{c.name: _value(table, c, n, made) for c in table.columns} for n in range(2)]
            if table.name == "word_forms":
                for row in rows:
                    row["language"] = "en"
            if table.name == "articles":
                for n, row in enumerate(rows):
                    row["date_source"] = "first_seen" if n else "page"
                    row["language"] = "en"
                    row["text"] = f"The harbour reopened after storms {n}"
            connection.execute(insert(table), rows)
            made[table.name] = rows


def every_table(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, derived ones too, in key order; not the store's own write
    counter (archive_version: a restored store counts its own writes, from its own epoch)."""
    engine = make_engine(url)
    import newsarchive.db.models  # noqa: F401
    from newsarchive.db.base import Base

    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
                if table.name != "archive_version"
            }
    finally:
        engine.dispose()


def run(args: list[str], url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", url)
    get_settings.cache_clear()  # a new process would read the environment afresh
    return CliRunner().invoke(cli, args)


@pytest.mark.parametrize(("origin", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_backup_restores_every_table_as_it_was_in_the_other_store(
    origin: str, target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_url, target_url = create_database(origin, tmp_path), create_database(target, tmp_path)
    try:
        migrate.upgrade(source_url)
        engine = make_engine(source_url)
        fill_every_table(engine)
        engine.dispose()
        before = every_table(source_url)
        assert all(before[t.name] for t in archive.backup.tables()), "a table was left empty"

        backup = tmp_path / "backup.jsonl"
        exported = run(["export", "-o", str(backup)], source_url, monkeypatch)
        assert exported.exit_code == 0, exported.output
        header = json.loads(backup.read_text().splitlines()[0])
        assert (header["type"], header["format"]) == ("backup", 2)

        migrate.upgrade(target_url)
        restored = run(["import", str(backup)], target_url, monkeypatch)
        assert restored.exit_code == 0, restored.output
        assert restored.output.startswith(f"restored {backup}: ")
        assert every_table(target_url) == before

        # What is derived was rebuilt: the full-text index finds the articles, and new rows
        # are numbered after the restored ones.
        engine = make_engine(target_url)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            page = run_search(session, SearchParams(q="harbour"), facets=False)
            assert sorted(hit.article.id for hit in page.hits) == list(IDS)
        with session_scope(sessions) as session:
            session.add(Source(name="after the restore"))
        with sessions() as session:
            assert session.scalar(select(func.max(Source.id))) == IDS[-1] + 1
        engine.dispose()
    finally:
        drop_database(source_url)
        drop_database(target_url)


def test_a_backup_restores_only_into_an_empty_archive(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    fill_every_table(engine)
    engine.dispose()
    backup = tmp_path / "backup.jsonl"
    assert run(["export", "-o", str(backup)], db_url, monkeypatch).exit_code == 0
    before = every_table(db_url)

    again = run(["import", str(backup)], db_url, monkeypatch)
    assert again.exit_code == 1
    assert "restores into an empty archive" in again.output
    assert "nothing was restored" in again.output
    assert every_table(db_url) == before


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda rows: rows.insert(5, "not json"), "line 6: not a backup row: JSONDecodeError"),
        (
            lambda rows: rows.append(json.dumps({"table": "articles", "row": {"shiny": 1}})),
            "articles has no column 'shiny': the backup is from a newer newsarchive",
        ),
        (
            lambda rows: rows.append(json.dumps({"table": "planets", "row": {}})),
            "table 'planets' is not one this version of newsarchive has",
        ),
        (
            lambda rows: rows.insert(2, rows[1]),  # a row twice: its id is taken
            "do not fit",
        ),
        (
            lambda rows: rows.insert(
                1, '{"table": "sources", "row": {"id": 1, "name": "\\ud800"}}'
            ),
            "do not fit",  # a lone surrogate: no store can hold it
        ),
    ],
)
def test_a_damaged_backup_restores_nothing_and_says_where(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Any,
    reason: str,
) -> None:
    origin = create_database("sqlite", tmp_path)
    migrate.upgrade(origin)
    engine = make_engine(origin)
    fill_every_table(engine)
    engine.dispose()
    backup = tmp_path / "backup.jsonl"
    assert run(["export", "-o", str(backup)], origin, monkeypatch).exit_code == 0
    lines = backup.read_text().splitlines()
    damage(lines)
    backup.write_text("\n".join(lines) + "\n")
    before = every_table(db_url)

    restored = run(["import", str(backup)], db_url, monkeypatch)
    assert restored.exit_code == 1
    assert reason in restored.output
    assert every_table(db_url) == before
