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
        f"""CREATE VIRTUAL TABLE fts_articles USING fts5(
            title, text, content='articles', content_rowid='{key}',
            tokenize='unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER fts_articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO fts_articles(rowid, title, text) VALUES (new.{key}, new.title, new.text);
        END""",
        f"""CREATE TRIGGER fts_articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, title, text)
            VALUES ('delete', old.{key}, old.title, old.text);
        END""",
        f"""CREATE TRIGGER fts_articles_au AFTER UPDATE OF {update_of} ON articles BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, title, text)
            VALUES ('delete', old.{key}, old.title, old.text);
            INSERT INTO fts_articles(rowid, title, text) VALUES (new.{key}, new.title, new.text);
        END""",
        "INSERT INTO fts_articles(fts_articles) VALUES ('rebuild')",
    ]


def _drop_fts() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE fts_articles")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    # A virtual column: computed when read, stored only in its index (which FTS5 reads a row by).
    op.execute(
        "ALTER TABLE articles ADD COLUMN search_key INTEGER GENERATED ALWAYS AS "
        "(CAST(julianday(published_day) - 2440587.5 AS INTEGER) * 4294967296 + id) VIRTUAL"
    )
    op.execute("CREATE UNIQUE INDEX ix_articles_search_key ON articles (search_key)")
    for statement in _fts("search_key", "title, text, published_day"):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    op.execute("DROP INDEX ix_articles_search_key")
    op.execute("ALTER TABLE articles DROP COLUMN search_key")
    for statement in _fts("id", "title, text"):
        op.execute(statement)
