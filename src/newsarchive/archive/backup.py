"""The whole archive as rows, table by table, and back into an empty archive: a backup keeps
every table a user made or the archive learnt (sources with their ids, articles, raw pages,
revisions, takedowns, stories, saved searches, alerts, runs, the crawl frontier), ids
included, so links, saved searches and stories survive a move between SQLite and PostgreSQL.
What is derived from the articles (the full-text index, the per-day counts) is rebuilt on
restore the way a fresh load builds it (bulk.py), in the same one transaction."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    LargeBinary,
    Table,
    delete,
    false,
    func,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, StatementError

from newsarchive.archive import bulk
from newsarchive.db.base import Base, UTCDateTime
from newsarchive.errors import InvalidInput, brief

# Not in a backup: day_counts is recounted from the articles on restore, and the new store's
# write version counts its own writes (the restore's among them), never the old store's.
DERIVED = frozenset({"day_counts", "archive_version"})
REPLACED = frozenset({"meta"})  # facts about the store: the backup's replace the new store's
BATCH = 1000
Row = tuple[str, dict[str, Any]]


def tables() -> list[Table]:
    """What a backup holds, parents before the tables that point at them."""
    import newsarchive.db.models  # noqa: F401  (every table registered)

    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED]


def snapshot(connection: Connection) -> None:
    """Make every later read of this connection's transaction see one moment of the archive,
    so that a backup taken while a crawl writes is consistent. Call before any other read."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    elif not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # (pysqlite begins no transaction for reads: each would see its own moment)
        connection.exec_driver_sql("BEGIN")


def dump(connection: Connection) -> Iterator[Row]:
    """(table name, row as JSON values) for every row of every table, table by table."""
    streamed = connection.execution_options(yield_per=BATCH)
    for table in tables():
        query = select(table).order_by(*table.primary_key.columns)
        for row in streamed.execute(query).mappings():
            yield table.name, {key: _encode(table.c[key], value) for key, value in row.items()}


def holding(connection: Connection) -> list[str]:
    """The tables that hold rows already: a restore needs none (meta aside)."""
    return [
        t.name
        for t in tables()
        if t.name not in REPLACED and connection.execute(select(1).select_from(t).limit(1)).first()
    ]


def not_empty(tables: list[str]) -> str:
    return (
        f"a backup restores into an empty archive, and this one has rows in {', '.join(tables)}: "
        "restore into a new database (NEWSARCHIVE_DATABASE_URL)"
    )


def restore(connection: Connection, rows: Iterable[Row]) -> dict[str, int]:
    """Write a backup's rows (in dump's order) into an archive that holds none, ids as they
    were, in one transaction the caller commits; returns the rows written per table. A row
    that does not fit raises InvalidInput and nothing is kept."""
    store = bulk.STORES[connection.dialect.name]
    store.begin(connection)
    try:
        full = holding(connection)
        if full:
            raise InvalidInput(not_empty(full))
        saved = store.take_down(connection)
        driver_error = connection.dialect.loaded_dbapi.Error  # (the PostgreSQL load is a raw COPY)
        known = {t.name: t for t in tables()}
        written: dict[str, int] = {}
        next_article = 1
        for name, group in groupby(rows, key=lambda row: row[0]):
            table = known.get(name)
            if table is None:
                raise InvalidInput(f"table {name!r} is not one this version of newsarchive has")
            if name in REPLACED:
                connection.execute(delete(table))
            for batch in _batches(table, (row for _name, row in group)):
                try:
                    if name == "articles":
                        store.write(connection, [bulk.with_defaults(row) for row in batch])
                        next_article = max(next_article, max(row["id"] for row in batch) + 1)
                    else:
                        connection.execute(insert(table), batch)
                except (
                    DBAPIError,
                    StatementError,
                    KeyError,
                    TypeError,
                    UnicodeError,
                    driver_error,
                ) as exc:
                    raise InvalidInput(f"rows of {name} do not fit: {_why(exc)}") from None
                written[name] = written.get(name, 0) + len(batch)
        store.put_back(connection, saved, next_article)
        if connection.dialect.name == "postgresql":
            _continue_sequences(connection)
        return written
    finally:
        store.end(connection)


def _why(exc: Exception) -> str:
    """The database's own sentence (its first line), not SQLAlchemy's wrapping of it."""
    if isinstance(exc, KeyError):
        return f"a row has no {exc}"
    cause = getattr(exc, "orig", None) or exc
    return brief(str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__)


def _batches(table: Table, rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(_decoded(table, row))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _decoded(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [key for key in row if key not in table.c]
    if unknown:
        raise InvalidInput(
            f"{table.name} has no column {unknown[0]!r}: the backup is from a newer newsarchive"
        )
    try:
        return {key: _decode(table.c[key], value) for key, value in row.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(f"a row of {table.name} does not fit: {exc}") from None


def _encode(column: Column[Any], value: Any) -> Any:
    if value is None or isinstance(column.type, JSON):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{column.name} {value!r} has no UTC offset")
        return parsed
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value, validate=True)
    return value


def _continue_sequences(connection: Connection) -> None:
    """Each id sequence goes on after the ids restored (rows written with their ids leave
    PostgreSQL's sequences where they were)."""
    for table in tables():
        if "id" in table.c and table.c.id.primary_key and table.name != "articles":
            sequence = func.pg_get_serial_sequence(table.name, "id")
            after = func.coalesce(func.max(table.c.id), 0) + 1
            connection.execute(select(func.setval(sequence, after, false())))
