"""A fresh load: many articles into an archive that has none, fast enough to migrate a real
archive (`newsarchive import x.jsonl`) and to build the search benchmark's million.

The per-row work the one-article path pays for (each secondary index, the full-text index and
the per-day counts updated row by row, triggers firing) is done once, after the rows: the
article table's secondary indexes and triggers are read from the store's own catalogue, dropped,
and recreated from that same text when the rows are in, so this module repeats no schema. It
all happens in one transaction: a load that fails or is killed leaves the archive as it was
(empty, indexes and triggers in place), and the next run starts again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, insert, text

from newsarchive.archive import version
from newsarchive.archive.days import DayRule, day_of_row
from newsarchive.archive.forms import record_rows
from newsarchive.db.models import ARTICLE_RAW, ARTICLES
from newsarchive.errors import InvalidInput

BATCH = 5000
CACHE_KIB = 1_048_576  # SQLite's page cache during a load (1 GiB)
DEFAULT_CACHE_PAGES = -2000  # and after it: SQLite's default (2 MiB)
COLUMNS = [c.key for c in ARTICLES.columns]
JSON_COLUMNS = {"authors", "tags", "categories"}


@dataclass
class Loaded:
    stored: int = 0
    duplicates: int = 0


def load_fresh(
    connection: Connection,
    days: DayRule,
    rows: Iterable[Mapping[str, Any]],
) -> Loaded:
    """Store these article rows (the columns add_articles takes, with source_id) in an archive
    with no articles, in one transaction the caller commits. Rows whose url_key or
    content_hash an earlier row has are counted as duplicates, as import does; a row's "raw"
    (body, size, content_type, charset) is stored as its raw page. Each article is a story of
    its own until `newsarchive stories rebuild`."""
    store = STORES[connection.dialect.name]
    store.begin(connection)  # first: no writer comes between the check and the load
    try:
        return _load(connection, store, days, rows)
    finally:
        store.end(connection)


def _load(
    connection: Connection,
    store: SQLiteStore | PostgresStore,
    days: DayRule,
    rows: Iterable[Mapping[str, Any]],
) -> Loaded:
    if not is_empty(connection):
        raise InvalidInput("a bulk load needs an archive with no articles")
    saved = store.take_down(connection)
    loaded = Loaded()
    seen_keys: set[str] = set()
    seen_hashes: set[str] = set()
    seen_forms: dict[str, set[str]] = {}
    next_id = store.first_id(connection)
    complete = (_complete(row, days) for row in rows)
    while batch := list(islice(complete, BATCH)):
        fresh = []
        for row in batch:
            if row["url_key"] in seen_keys or row["content_hash"] in seen_hashes:
                loaded.duplicates += 1
                continue
            seen_keys.add(row["url_key"])
            seen_hashes.add(row["content_hash"])
            row["id"] = row["story_id"] = next_id
            next_id += 1
            fresh.append(row)
        pages = [{**row.pop("raw"), "article_id": row["id"]} for row in fresh if row.get("raw")]
        store.write(connection, fresh)
        record_rows(connection, fresh, seen_forms)
        if pages:
            connection.execute(insert(ARTICLE_RAW), pages)
        loaded.stored += len(fresh)
    store.put_back(connection, saved, next_id)
    version.bump(connection)  # its article triggers were down
    return loaded


def is_empty(connection: Connection) -> bool:
    """True while the archive has no articles: a fresh load may begin."""
    return connection.execute(text("SELECT 1 FROM articles LIMIT 1")).first() is None


def _complete(row: Mapping[str, Any], days: DayRule) -> dict[str, Any]:
    """Every column of the row, its archive day by the rule, and its raw page if it has one."""
    out = with_defaults(row)
    out["published_day"] = day_of_row(days, out)
    if row.get("raw"):
        out["raw"] = row["raw"]
    return out


def with_defaults(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every column of an article row: its own values, else each column's default."""
    out: dict[str, Any] = {}
    for column in ARTICLES.columns:
        if column.key in row:
            out[column.key] = row[column.key]
        elif column.default is not None and getattr(column.default, "is_scalar", False):
            out[column.key] = column.default.arg  # type: ignore[attr-defined]
        elif column.default is not None:
            out[column.key] = column.default.arg(None)  # type: ignore[attr-defined]
        else:
            out[column.key] = None
    return out


class SQLiteStore:
    def begin(self, connection: Connection) -> None:
        # pysqlite runs DDL outside a transaction unless one was begun (it begins one only
        # before DML): begin it, so that dropping the indexes and triggers is undone with the rows.
        if not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # The load's B-trees (full-text segments, indexes) stay in memory while they grow.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")

    def take_down(self, connection: Connection) -> list[str]:
        found = connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'articles' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ).all()
        for kind, name, _sql in found:
            connection.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return [sql for _kind, _name, sql in found]

    def first_id(self, connection: Connection) -> int:
        return int(
            connection.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM articles").scalar_one()
        )

    def write(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        if rows:
            connection.execute(insert(ARTICLES), rows)

    def put_back(self, connection: Connection, saved: list[str], _next_id: int) -> None:
        # FTS5 writes a segment whenever a row's key is below the last one's: rows go in in
        # key order (read through the key's index, built first) or every row is a segment.
        key_index = [sql for sql in saved if "ix_articles_search_key" in sql]
        for sql in key_index:
            connection.exec_driver_sql(sql)
        connection.exec_driver_sql(
            "INSERT INTO fts_articles(rowid, title, text, search_tags) "
            "SELECT search_key, title, text, search_tags FROM article_search ORDER BY search_key"
        )
        _count_days(connection)
        for sql in saved:
            if sql not in key_index:
                connection.exec_driver_sql(sql)
        connection.exec_driver_sql("ANALYZE articles")

    def end(self, connection: Connection) -> None:
        """The pooled connection goes back with SQLite's default cache, loaded or not."""
        connection.exec_driver_sql(f"PRAGMA cache_size = {DEFAULT_CACHE_PAGES}")


class PostgresStore:
    def begin(self, connection: Connection) -> None:
        # Index builds get the memory they need (this transaction only).
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")

    def end(self, connection: Connection) -> None:
        pass  # SET LOCAL ends with the transaction

    def take_down(self, connection: Connection) -> list[str]:
        # (DROP INDEX locks the table: reads wait until the load commits. A fresh load
        # is of an archive nobody reads yet.)
        # (the search rows' too: they are written after the articles, in put_back)
        indexes = connection.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid IN ('articles'::regclass, 'search_rows'::regclass) "
            "AND NOT i.indisunique AND NOT i.indisprimary"
        ).all()
        triggers = connection.exec_driver_sql(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'articles'::regclass AND NOT tgisinternal"
        ).all()
        for name, _sql in indexes:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}" ON articles')
        return [sql for _name, sql in indexes] + [sql for _name, sql in triggers]

    def first_id(self, connection: Connection) -> int:
        return int(
            connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('articles', 'id'))"
            ).scalar_one()
        )

    def write(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        cursor = connection.connection.cursor()
        columns = ", ".join(COLUMNS)
        with cursor.copy(f"COPY articles ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[c]) if c in JSON_COLUMNS else row[c] for c in COLUMNS]
                )

    def put_back(self, connection: Connection, saved: list[str], next_id: int) -> None:
        _count_days(connection)
        # What the search rows' trigger (migration 0018) would have written, row by row, in
        # day order, as a crawl of the news writes them: a range of days then reads its rows
        # from a tenth of the table's pages, not from nearly all of them (a year's matches of
        # a common word, 1,033 pages against 10,300 at 1M articles). The ids are sorted, then
        # each article read by its key (OFFSET 0 keeps that join a loop in the ids' order):
        # sorting the rows themselves would sort their texts or vectors on disk.
        connection.exec_driver_sql(
            "INSERT INTO search_rows (id, published_day, published_at, source_id, language, "
            "authors, search_vector) SELECT a.id, a.published_day, a.published_at, "
            "a.source_id, a.language, a.authors, search_vector_of(a.title, a.text) "
            "FROM (SELECT id FROM articles ORDER BY published_day, published_at, id) AS o "
            "CROSS JOIN LATERAL (SELECT * FROM articles WHERE articles.id = o.id OFFSET 0) AS a"
        )
        for sql in saved:
            connection.exec_driver_sql(sql)
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('articles', 'id'), :next, false)"),
            {"next": next_id},
        )
        connection.exec_driver_sql("ANALYZE articles, search_rows")


def _count_days(connection: Connection) -> None:
    """day_counts as its triggers would have left it (migration 0004's rule for `undated`)."""
    connection.exec_driver_sql("DELETE FROM day_counts")
    connection.exec_driver_sql(
        "INSERT INTO day_counts(day, articles, undated) SELECT published_day, count(*), "
        "sum(CASE WHEN date_source = 'first_seen' THEN 1 ELSE 0 END) "
        "FROM articles GROUP BY published_day"
    )


STORES: dict[str, SQLiteStore | PostgresStore] = {
    "sqlite": SQLiteStore(),
    "postgresql": PostgresStore(),
}
