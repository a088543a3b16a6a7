"""Word-form queries: the forms of each word the archive holds, recorded in the transaction
that stores or changes an article, and read by a search to find every form of a query word."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from newsarchive import stemming
from newsarchive.db.models import Article, WordForm

CHUNK = 2000  # rows per INSERT (3 parameters each, under SQLite's 32,766)
SEEN_AT_MOST = 1_000_000  # words a load remembers per language; past it, ON CONFLICT does


def record_forms(connection: Connection, language: str | None, texts: Iterable[str | None]) -> None:
    """Keep the forms of these texts' words in their language."""
    _insert(connection, stemming.forms(language, texts), language)


def record_rows(
    connection: Connection, rows: Iterable[Mapping[str, Any]], seen: dict[str, set[str]]
) -> None:
    """The forms of many article rows (title, text, language) at once, for bulk loads:
    `seen` holds the words this load recorded already, by language, so that only an
    article's new words are stemmed and written (a set difference, not a loop per word)."""
    fresh: dict[str, set[str]] = {}
    for row in rows:
        language = stemming.language_of(row.get("language"))
        if language is None:
            continue
        known = seen.setdefault(language, set())
        if len(known) > SEEN_AT_MOST:
            known.clear()
        new = stemming.distinct_words((row.get("title"), row.get("text"))) - known
        if new:
            known |= new
            fresh.setdefault(language, set()).update(new)
    for language, words in fresh.items():
        _insert(connection, stemming.keyed(language, words), language)


def _insert(connection: Connection, pairs: set[tuple[str, str]], language: str | None) -> None:
    lang = stemming.language_of(language)
    if lang is None or not pairs:
        return
    values = [{"language": lang, "stem": stem, "form": form} for stem, form in sorted(pairs)]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for start in range(0, len(values), CHUNK):
        stmt = dialect.insert(WordForm).values(values[start : start + CHUNK])
        connection.execute(stmt.on_conflict_do_nothing())


# Each language with forms held, by one index seek per language (a skip scan of the primary
# key, which leads with the language), instead of the whole index that DISTINCT would read.
LANGUAGES_HELD = text(
    "WITH RECURSIVE held(language) AS ("
    " SELECT min(language) FROM word_forms"
    " UNION ALL"
    " SELECT (SELECT min(language) FROM word_forms WHERE language > held.language)"
    " FROM held WHERE held.language IS NOT NULL"
    ") SELECT language FROM held WHERE language IS NOT NULL"
)


def languages_held(connection: Connection) -> list[str]:
    """The languages whose forms the archive holds: a query word is looked up in these only."""
    return list(connection.scalars(LANGUAGES_HELD))


def forms_of(connection: Connection, keys: Sequence[tuple[str, str]], limit: int) -> list[str]:
    """The forms held under these (language, stem) keys, shortest first, at most `limit`."""
    if not keys:
        return []
    # (byte order on both stores, so both keep the same forms when there are more)
    form = WordForm.form.collate("C") if connection.dialect.name == "postgresql" else WordForm.form
    query = (
        select(WordForm.form)
        # (one index seek per key: SQLite scans the table for a row-value IN list)
        .where(
            or_(*(and_(WordForm.language == lang, WordForm.stem == stem) for lang, stem in keys))
        )
        .group_by(WordForm.form)
        .order_by(func.length(WordForm.form), form)
        .limit(limit)
    )
    return list(connection.scalars(query))


def rebuild_forms(
    connection: Connection, *, batch: int = 2000, progress: Callable[[int], None] | None = None
) -> int:
    """Record the forms of every stored article (an archive from before forms were kept, or a
    new stemmer), in id order; returns how many articles were read. The caller commits."""
    seen: dict[str, set[str]] = {}
    last, read = 0, 0
    columns = (Article.id, Article.language, Article.title, Article.text)
    while True:
        query = select(*columns).where(Article.id > last).order_by(Article.id).limit(batch)
        rows = [row._asdict() for row in connection.execute(query)]
        if not rows:
            return read
        record_rows(connection, rows, seen)
        read += len(rows)
        last = rows[-1]["id"]
        if progress is not None:
            progress(len(rows))
