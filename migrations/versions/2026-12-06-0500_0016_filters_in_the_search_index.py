"""SQLite: each article's source and language as tokens in the full-text index (a third column,
search_tags), so that a search filtered by source, collection or language is an intersection
in the index instead of a read of every match's article row (search/fts5.py).

The tokens come from a virtual generated column (computed when read, stored nowhere but in the
index): "zzs" and the source id, "zzl" and the language's bytes in hex. Searches match the
user's words in title and text only, and the tokens in search_tags only, so neither reaches
the other. PostgreSQL filters by its article table as before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAGS = "'zzs' || coalesce(source_id, '') || ' zzl' || hex(coalesce(language, ''))"
FTS_TRIGGERS = ["fts_articles_ai", "fts_articles_ad", "fts_articles_au"]


def _fts(columns: list[str], update_of: list[str]) -> list[str]:
    """The index over these article columns, its triggers, and the index filled in key order
    (FTS5 writes a segment whenever a row's key is below the last one's; its 'rebuild' reads
    the articles in id order)."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"""CREATE VIRTUAL TABLE fts_articles USING fts5(
            {names}, content='articles', content_rowid='search_key',
            tokenize='unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER fts_articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO fts_articles(rowid, {names}) VALUES (new.search_key, {new});
        END""",
        f"""CREATE TRIGGER fts_articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, {names})
            VALUES ('delete', old.search_key, {old});
        END""",
        f"""CREATE TRIGGER fts_articles_au AFTER UPDATE OF {", ".join(update_of)} ON articles
        BEGIN
            INSERT INTO fts_articles(fts_articles, rowid, {names})
            VALUES ('delete', old.search_key, {old});
            INSERT INTO fts_articles(rowid, {names}) VALUES (new.search_key, {new});
        END""",
        f"INSERT INTO fts_articles(rowid, {names}) "
        f"SELECT search_key, {names} FROM articles ORDER BY search_key",
    ]


def _drop_fts() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS fts_articles")


def _has_tags_column() -> bool:
    columns = op.get_bind().exec_driver_sql("SELECT name FROM pragma_table_xinfo('articles')")
    return "search_tags" in set(columns.scalars())


def upgrade() -> None:
    # Each step may be done again (pysqlite commits DDL statement by statement): an upgrade
    # killed during the long fill is finished by the next one.
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    if not _has_tags_column():
        op.execute(f"ALTER TABLE articles ADD COLUMN search_tags TEXT GENERATED ALWAYS AS ({TAGS})")
    for statement in _fts(
        ["title", "text", "search_tags"],
        ["title", "text", "published_day", "source_id", "language"],
    ):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    if _has_tags_column():
        op.execute("ALTER TABLE articles DROP COLUMN search_tags")
    for statement in _fts(["title", "text"], ["title", "text", "published_day"]):
        op.execute(statement)
