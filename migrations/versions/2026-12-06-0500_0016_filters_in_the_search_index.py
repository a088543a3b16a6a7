"""SQLite: each article's source, language and authors as tokens in the full-text index (a
third column, search_tags), so that a search filtered by them is an intersection in the index
instead of a read of every match's article row (search/fts5.py).

The index's content is a view, article_search, which adds search_tags to the article's title
and text: "zzs" and the source id, "zzl" and the language's bytes in hex, "zza" and each
author's name in hex, lowercased as the author filter compares it: one token each, all
beginning with "zz". Searches match the filters in search_tags only, and a word of the user's
that begins with "zz" in title and text only, so neither reaches the other. PostgreSQL filters
by its article table as before.

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


def _tags(row: str) -> str:
    """search_tags of an article row (`new`, `old` in a trigger, `articles` in the view)."""
    return (
        f"'zzs' || coalesce({row}.source_id, '') || ' zzl' || hex(coalesce({row}.language, ''))"
        f" || coalesce((SELECT group_concat(' zza' || hex(lower(value)), '')"
        f" FROM json_each({row}.authors)), '')"
    )


VIEW = f"""CREATE VIEW IF NOT EXISTS article_search AS
    SELECT search_key, title, text, {_tags("articles")} AS search_tags FROM articles"""
FTS_TRIGGERS = ["fts_articles_ai", "fts_articles_ad", "fts_articles_au"]
WORDS = ["title", "text"]


def _fts(content: str, tags: bool, update_of: list[str]) -> list[str]:
    """The index over title, text (and search_tags) of `content`, its triggers, and the index
    filled in key order (FTS5 writes a segment whenever a row's key is below the last one's;
    its 'rebuild' reads the rows in id order, and fails on a view)."""
    names = ", ".join(WORDS + (["search_tags"] if tags else []))
    new = ", ".join([f"new.{c}" for c in WORDS] + ([_tags("new")] if tags else []))
    old = ", ".join([f"old.{c}" for c in WORDS] + ([_tags("old")] if tags else []))
    return [
        f"""CREATE VIRTUAL TABLE fts_articles USING fts5(
            {names}, content='{content}', content_rowid='search_key',
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
        f"SELECT search_key, {names} FROM {content} ORDER BY search_key",
    ]


def _drop_fts() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS fts_articles")


def upgrade() -> None:
    # Each step may be done again (pysqlite commits DDL statement by statement): an upgrade
    # killed during the long fill is finished by the next one.
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    op.execute(VIEW)
    update_of = ["title", "text", "published_day", "source_id", "language", "authors"]
    for statement in _fts("article_search", True, update_of):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_fts()
    op.execute("DROP VIEW IF EXISTS article_search")
    for statement in _fts("articles", False, ["title", "text", "published_day"]):
        op.execute(statement)
