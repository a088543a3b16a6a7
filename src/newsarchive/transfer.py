"""Archives in and out as files. A backup (`newsarchive export`) is every table as JSON Lines
after a header line, restored as it was into an empty archive of either store (archive/backup.py).
A selection of articles (a range of days, a search) is every source, then every matching article
with every column and optionally its raw page: import merges it into any archive, which
numbers its own rows. Both are streamed."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db import migrate
from newsarchive.db.base import UTCDateTime
from newsarchive.db.models import Article, Source
from newsarchive.errors import InvalidInput, brief

# Ids are the target's; the day follows the date, its precision and offset; stories are
# regrouped in the target (`stories rebuild`); revisit plans and version counts belong to the
# archive that keeps the versions.
SKIPPED_COLUMNS = {
    "id",
    "source_id",
    "published_day",
    "story_id",
    "minhash",
    "revision_count",
    "revisit_at",
    "revisits_done",
    "gone_since",
}
ARTICLE_COLUMNS = [c.key for c in Article.__table__.columns if c.key not in SKIPPED_COLUMNS]
# What an article row must carry (the rest have defaults).
REQUIRED_COLUMNS = (
    "url",
    "url_normalized",
    "url_key",
    "content_hash",
    "text",
    "published_at",
    "date_source",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATETIME_COLUMNS = {
    c.key
    for c in Article.__table__.columns
    if isinstance(c.type, UTCDateTime) and c.key in ARTICLE_COLUMNS
}
# The JSON type of each column in a file (datetimes are ISO strings there; lists are JSON lists).
COLUMN_TYPES: dict[str, type] = {
    c.key: str
    if c.key in DATETIME_COLUMNS
    else list
    if isinstance(c.type, JSON)
    else c.type.python_type
    for c in Article.__table__.columns
    if c.key in ARTICLE_COLUMNS
}


BACKUP_FORMAT = 2  # 1: the selection format, a source or article per line, no header


def backup_lines(session: Session) -> Iterator[str]:
    """A backup of the whole archive as seen at one moment: a header line, then one line per
    row of every table ({"table": ..., "row": {...}}), parents first."""
    connection = session.connection()
    archive.backup.snapshot(connection)
    schema = migrate.revision_of(connection)
    header = {"type": "backup", "format": BACKUP_FORMAT, "schema": schema}
    yield json.dumps(header) + "\n"
    for table, row in archive.backup.dump(connection):
        yield json.dumps({"table": table, "row": row}, ensure_ascii=False) + "\n"


def is_backup(first_line: str) -> bool:
    """True for the first line of a backup (a selection's first line is a source or article)."""
    try:
        header = json.loads(first_line)
    except ValueError:
        return False
    return isinstance(header, dict) and header.get("type") == "backup"


def restore(session: Session, lines: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Restore a backup (numbered lines, header first) into an empty archive: every row or,
    on the first that does not fit, none (InvalidInput naming its line). The caller commits."""
    numbered = iter(lines)
    _number, first = next(numbered, (0, "{}"))
    header = json.loads(first)
    if header.get("format") != BACKUP_FORMAT:
        raise InvalidInput(
            f"backup format {header.get('format')!r}: this newsarchive reads format {BACKUP_FORMAT}"
        )
    full = archive.backup.holding(session.connection())
    if full:
        raise InvalidInput(archive.backup.not_empty(full))
    at = [1]

    def rows() -> Iterator[archive.backup.Row]:
        for number, line in numbered:
            at[0] = number
            try:
                item = json.loads(line)
                yield str(item["table"]), dict(item["row"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInput(f"not a backup row: {type(exc).__name__}: {exc}") from None

    try:
        return archive.backup.restore(session.connection(), rows())
    except InvalidInput as exc:  # (a database error names the last line of its batch)
        raise InvalidInput(f"line {at[0]}: {exc.detail}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"line {at[0] + 1}: not UTF-8 text") from None


def export_rows(
    session: Session, articles: Iterable[Article], *, with_raw: bool = False
) -> Iterator[dict[str, Any]]:
    """Every source, then each of these articles with every column (and its raw page)."""
    for source in archive.list_sources(session):
        yield {
            "type": "source",
            "name": source.name,
            "home_url": source.home_url,
            "interval_minutes": source.interval_minutes,
            "enabled": source.enabled,
            "auto_created": source.auto_created,
            "collections": source.collections,
            "feeds": [{"kind": f.kind, "url": f.url} for f in source.feeds],
        }
    for article in articles:
        row: dict[str, Any] = {"type": "article", "source": article.source_name}
        for key in ARTICLE_COLUMNS:
            value = getattr(article, key)
            row[key] = value.isoformat() if isinstance(value, datetime | date) else value
        row["published_date"] = article.published_day.isoformat()  # for readers; not read back
        if with_raw:
            raw = archive.get_raw(session, article.id)
            if raw is not None:
                row["raw"] = {
                    "body": base64.b64encode(raw.body).decode(),
                    "size": raw.size,
                    "content_type": raw.content_type,
                    "charset": raw.charset,
                }
        yield row


def jsonl_lines(rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def csv_lines(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> Iterator[str]:
    """Article rows as CSV, streamed (rows of another type, such as sources, are left out;
    lists joined with '; '). Scraped text that a spreadsheet would run as a formula (a title
    starting with =, +, - or @) is written with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        if row.get("type", "article") != "article":
            continue
        writer.writerow({key: _cell(value) for key, value in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def import_row(session: Session, row: Mapping[str, Any], days: archive.DayRule) -> str:
    """'source', 'stored' or 'duplicate'; raises ValueError for a row that is not ours."""
    kind = row.get("type")
    if kind == "source":
        _import_source(session, row)
        return "source"
    if kind != "article":
        raise ValueError(f"unknown row type {kind!r}")
    values = _article_values(row)
    if archive.find_duplicate(
        session, url_keys=[values["url_key"]], content_hash=values["content_hash"]
    ):
        return "duplicate"
    values = _with_source(session, values, row)
    raw = values.pop("raw", None) or {"body": b"", "size": 0, "content_type": None, "charset": None}
    try:
        with session.begin_nested():
            archive.add_article(session, days, values, raw)
    except IntegrityError:
        return "duplicate"
    return "stored"


def import_fresh(
    session: Session,
    lines: Iterable[tuple[int, str]],
    days: archive.DayRule,
    failed: Callable[[int, str], None],
) -> dict[str, int]:
    """A whole export into an archive with no articles, through the fresh load (archive/archive.bulk.py):
    many times faster than row by row, and all or nothing. A line that is not ours is reported
    to `failed` (its number, why) and left out; the rest go in. The caller commits. Returns
    the counts import_row's answers would add up to."""
    sources = 0

    def articles() -> Iterator[dict[str, Any]]:
        nonlocal sources
        for number, line in lines:
            try:
                row = json.loads(line)
                kind = row.get("type")
                if kind == "source":
                    _import_source(session, row)
                    sources += 1
                elif kind == "article":
                    yield _with_source(session, _article_values(row), row)
                else:
                    raise ValueError(f"unknown row type {kind!r}")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                failed(number, brief(f"{type(exc).__name__}: {exc}"))

    loaded = archive.bulk.load_fresh(session.connection(), days, articles())
    return {"source": sources, "stored": loaded.stored, "duplicate": loaded.duplicates}


def _import_source(session: Session, row: Mapping[str, Any]) -> None:
    if archive.find_source(session, row["name"]) is not None:
        return
    source = Source(
        name=row["name"],
        home_url=row.get("home_url"),
        interval_minutes=row.get("interval_minutes", 0),
        enabled=row.get("enabled", True),
        auto_created=row.get("auto_created", False),
    )
    session.add(source)
    archive.set_feeds(
        source,
        archive.SourceFields(
            feeds=[f["url"] for f in row.get("feeds", []) if f["kind"] == "feed"],
            sitemaps=[f["url"] for f in row.get("feeds", []) if f["kind"] == "sitemap"],
        ),
    )
    archive.add_to_collections(source, [str(name) for name in row.get("collections", [])])
    session.flush()


def _with_source(
    session: Session, values: dict[str, Any], row: Mapping[str, Any]
) -> dict[str, Any]:
    """The values with their source's id: a source the file did not describe is created as
    for a page ingested alone."""
    return {**values, "source_id": archive.source_for_host(session, row["source"]).id}


def _article_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """An article row of an export as the store takes it: its columns, checked as the store
    needs them (a row that is not ours is a ValueError, never a half-written load), and its raw
    page, decoded, under "raw"."""
    values: dict[str, Any] = {key: row[key] for key in ARTICLE_COLUMNS if key in row}
    if not isinstance(row.get("source"), str):
        raise ValueError("an article needs its source's name")
    for key in REQUIRED_COLUMNS:
        if values.get(key) is None:
            raise ValueError(f"an article needs {key}")
    for key, value in values.items():
        expected = COLUMN_TYPES[key]
        if value is not None and not (isinstance(value, expected) and type(value) is not bool):
            raise ValueError(f"{key} is {type(value).__name__}, not {expected.__name__}")
    for key in DATETIME_COLUMNS:
        if values.get(key) is not None:
            values[key] = datetime.fromisoformat(values[key])
            if values[key].tzinfo is None:
                raise ValueError(f"{key} {row[key]!r} has no UTC offset")
    offset = values.get("published_offset")
    if offset is not None and (
        not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 15 * 60
    ):
        raise ValueError(f"published_offset {offset!r} is not minutes within ±15 hours")
    raw = row.get("raw")
    if raw:
        values["raw"] = {
            "body": base64.b64decode(raw["body"]),
            "size": raw.get("size", 0),
            "content_type": raw.get("content_type"),
            "charset": raw.get("charset"),
        }
    return values
