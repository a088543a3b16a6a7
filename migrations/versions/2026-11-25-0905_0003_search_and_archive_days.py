"""Search and the date archive: full-text indexes (SQLite FTS5, PostgreSQL tsvector + GIN), the
archive day of each article, and per-day counts kept in step by triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    # Full text: an external-content FTS5 table over articles(title, text).
    """CREATE VIRTUAL TABLE fts_articles USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER fts_articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO fts_articles(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER fts_articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO fts_articles(fts_articles, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER fts_articles_au AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO fts_articles(fts_articles, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO fts_articles(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO fts_articles(fts_articles) VALUES ('rebuild')",
    # Archive days.
    """CREATE TRIGGER day_counts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO day_counts(day, articles) VALUES (new.published_day, 1)
        ON CONFLICT(day) DO UPDATE SET articles = articles + 1;
    END""",
    """CREATE TRIGGER day_counts_ad AFTER DELETE ON articles BEGIN
        UPDATE day_counts SET articles = articles - 1 WHERE day = old.published_day;
        DELETE FROM day_counts WHERE day = old.published_day AND articles <= 0;
    END""",
    """CREATE TRIGGER day_counts_au AFTER UPDATE OF published_day ON articles
    WHEN old.published_day IS NOT new.published_day BEGIN
        UPDATE day_counts SET articles = articles - 1 WHERE day = old.published_day;
        DELETE FROM day_counts WHERE day = old.published_day AND articles <= 0;
        INSERT INTO day_counts(day, articles) VALUES (new.published_day, 1)
        ON CONFLICT(day) DO UPDATE SET articles = articles + 1;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER day_counts_au",
    "DROP TRIGGER day_counts_ad",
    "DROP TRIGGER day_counts_ai",
    "DROP TRIGGER fts_articles_au",
    "DROP TRIGGER fts_articles_ad",
    "DROP TRIGGER fts_articles_ai",
    "DROP TABLE fts_articles",
]

POSTGRES_UP = [
    # Words are lowercased and stripped of diacritics, not stemmed: the same matching as SQLite's
    # unicode61 tokenizer, in any language.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION newsarchive (COPY = simple)",
    """ALTER TEXT SEARCH CONFIGURATION newsarchive
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple""",
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsarchive'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('newsarchive'::regconfig, coalesce(text, '')), 'B')) STORED""",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    """CREATE FUNCTION day_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE day_counts SET articles = articles - 1 WHERE day = OLD.published_day;
            DELETE FROM day_counts WHERE day = OLD.published_day AND articles <= 0;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO day_counts(day, articles) VALUES (NEW.published_day, 1)
            ON CONFLICT (day) DO UPDATE SET articles = day_counts.articles + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER day_counts_track AFTER INSERT OR DELETE ON articles
        FOR EACH ROW EXECUTE FUNCTION day_counts_track()""",
    """CREATE TRIGGER day_counts_track_update AFTER UPDATE OF published_day ON articles
        FOR EACH ROW WHEN (OLD.published_day IS DISTINCT FROM NEW.published_day)
        EXECUTE FUNCTION day_counts_track()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER day_counts_track_update ON articles",
    "DROP TRIGGER day_counts_track ON articles",
    "DROP FUNCTION day_counts_track()",
    "DROP INDEX ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN search_vector",
    "DROP TEXT SEARCH CONFIGURATION newsarchive",
]


def upgrade() -> None:
    op.create_table(
        "day_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_day_counts")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_day", sa.Date(), nullable=True))
    # Existing articles: their UTC day; the application recomputes days when the archive's
    # zone (meta "archive_tz") is another.
    utc_day = (
        "date(published_at)" if dialect == "sqlite" else "(published_at AT TIME ZONE 'UTC')::date"
    )
    op.execute(f"UPDATE articles SET published_day = {utc_day}")
    op.execute(
        "INSERT INTO day_counts(day, articles) "
        "SELECT published_day, count(*) FROM articles GROUP BY published_day"
    )
    op.execute("INSERT INTO meta(key, value) VALUES ('archive_tz', 'UTC')")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.alter_column("published_day", existing_type=sa.Date(), nullable=False)
        batch_op.create_index(
            "ix_articles_published_day_published_at_id",
            ["published_day", "published_at", "id"],
            unique=False,
        )
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_published_day_published_at_id")
        batch_op.drop_column("published_day")
    op.drop_table("meta")
    op.drop_table("day_counts")
