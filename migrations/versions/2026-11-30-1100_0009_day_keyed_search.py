"""Search at scale on SQLite: the full-text index numbers its rows by archive day, then article
(search_key = day since 1970 * 2**32 + id), so that date sorts, date ranges and per-day counts
are read from the index in order, without the article table (search/sqlite.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TRIGGERS = ["fts_articles_ai", "fts_articles_ad", "fts_articles_au"]


def _fts(key: str, update_of: str) -> list[str]:
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS fts_articles USING fts5(
            title, text, content='articles', content_rowid='{key}',
            tokenize='unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER IF NOT EXISTS fts_articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO fts_articles(rowid, title, text) VALUES (new.{key}, new.title, new.text);
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS fts_articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, title, text)
            VALUES ('delete', old.{key}, old.title, old.text);
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS fts_articles_au AFTER UPDATE OF {update_of} ON articles BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, title, text)
            VALUES ('delete', old.{key}, old.title, old.text);
            INSERT INTO fts_articles(rowid, title, text) VALUES (new.{key}, new.title, new.text);
        END""",
        "INSERT INTO fts_articles(fts_articles) VALUES ('rebuild')",
    ]


def _drop_fts() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS fts_articles")


def _has_key_column() -> bool:
    columns = op.get_bind().exec_driver_sql("SELECT name FROM pragma_table_xinfo('articles')")
    return "search_key" in set(columns.scalars())


def upgrade() -> None:
    # Each step may be done again: pysqlite commits DDL statement by statement, so an upgrade
    # killed during the long rebuild is finished by the next one.
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    if not _has_key_column():
        # A virtual column: computed when read, stored only in its index (FTS5 reads by it).
        op.execute(
            "ALTER TABLE articles ADD COLUMN search_key INTEGER GENERATED ALWAYS AS "
            "(CAST(julianday(published_day) - 2440587.5 AS INTEGER) * 4294967296 + id) VIRTUAL"
        )
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_articles_search_key ON articles (search_key)")
    for statement in _fts("search_key", "title, text, published_day"):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    op.execute("DROP INDEX IF EXISTS ix_articles_search_key")
    if _has_key_column():
        op.execute("ALTER TABLE articles DROP COLUMN search_key")
    for statement in _fts("id", "title, text"):
        op.execute(statement)
