"""Site days: each article's date precision (a day given without a time stays a day), the site's
UTC offset, the archive day recomputed from them, and per-day counts of undated articles.

Existing rows: the precision is read from what the page wrote (date_raw) and where the date came
from; a day-precise date was stored as midnight in the site's zone, so its offset follows from the
stored instant; a precise date keeps the offset its raw text carries. Dates whose site zone
nothing records still follow NEWSARCHIVE_ARCHIVE_TZ (`newsarchive reextract --all` reads every
stored page again and finds their zone).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from newsarchive.db.base import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLOCK = re.compile(r"(?<![\d:])\d{1,2}(?::|h(?=\d))\d{2}(:\d{2})?(?![\d:])", re.IGNORECASE)
# An offset right after a clock time: "2024-03-05T23:30:00-05:00", "10:30 +0100" (not the
# "-2024" of "10:30, 05-01-2024").
_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-])(0\d|1[0-4]):?([0-5]\d)$")
BATCH = 2000

# day_counts follows published_day and, in its `undated` column, date_source "first_seen".
SQLITE_TRIGGERS = [
    """CREATE TRIGGER day_counts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO day_counts(day, articles, undated)
        VALUES (new.published_day, 1, new.date_source = 'first_seen')
        ON CONFLICT(day) DO UPDATE SET articles = articles + 1,
            undated = undated + (new.date_source = 'first_seen');
    END""",
    """CREATE TRIGGER day_counts_ad AFTER DELETE ON articles BEGIN
        UPDATE day_counts SET articles = articles - 1,
            undated = undated - (old.date_source = 'first_seen')
        WHERE day = old.published_day;
        DELETE FROM day_counts WHERE day = old.published_day AND articles <= 0;
    END""",
    """CREATE TRIGGER day_counts_au AFTER UPDATE OF published_day, date_source ON articles
    WHEN old.published_day IS NOT new.published_day OR old.date_source IS NOT new.date_source
    BEGIN
        UPDATE day_counts SET articles = articles - 1,
            undated = undated - (old.date_source = 'first_seen')
        WHERE day = old.published_day;
        DELETE FROM day_counts WHERE day = old.published_day AND articles <= 0;
        INSERT INTO day_counts(day, articles, undated)
        VALUES (new.published_day, 1, new.date_source = 'first_seen')
        ON CONFLICT(day) DO UPDATE SET articles = articles + 1,
            undated = undated + (new.date_source = 'first_seen');
    END""",
]
SQLITE_OLD_TRIGGERS = [
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
SQLITE_DROP = [
    "DROP TRIGGER day_counts_au",
    "DROP TRIGGER day_counts_ad",
    "DROP TRIGGER day_counts_ai",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION day_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE day_counts SET articles = articles - 1,
                undated = undated - (OLD.date_source = 'first_seen')::int
            WHERE day = OLD.published_day;
            DELETE FROM day_counts WHERE day = OLD.published_day AND articles <= 0;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO day_counts(day, articles, undated)
            VALUES (NEW.published_day, 1, (NEW.date_source = 'first_seen')::int)
            ON CONFLICT (day) DO UPDATE SET articles = day_counts.articles + 1,
                undated = day_counts.undated + (NEW.date_source = 'first_seen')::int;
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER day_counts_track_update ON articles",
    """CREATE TRIGGER day_counts_track_update AFTER UPDATE OF published_day, date_source
        ON articles FOR EACH ROW WHEN (OLD.published_day IS DISTINCT FROM NEW.published_day
            OR OLD.date_source IS DISTINCT FROM NEW.date_source)
        EXECUTE FUNCTION day_counts_track()""",
]
POSTGRES_DOWN = [
    """CREATE OR REPLACE FUNCTION day_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
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
    "DROP TRIGGER day_counts_track_update ON articles",
    """CREATE TRIGGER day_counts_track_update AFTER UPDATE OF published_day ON articles
        FOR EACH ROW WHEN (OLD.published_day IS DISTINCT FROM NEW.published_day)
        EXECUTE FUNCTION day_counts_track()""",
]

articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("published_at", UTCDateTime()),
    sa.column("published_day", sa.Date),
    sa.column("published_precision", sa.String),
    sa.column("published_offset", sa.Integer),
    sa.column("date_source", sa.String),
    sa.column("date_raw", sa.Text),
)


def _precision(at: datetime, date_source: str, date_raw: str | None) -> str:
    if date_source == "url":
        return "day"
    if date_source == "sitemap":  # sitemaps often give a bare day, stored as UTC midnight
        return "day" if at.astimezone(UTC).time() == datetime.min.time() else "second"
    if date_source == "page" and date_raw:
        match = _CLOCK.search(date_raw)
        return "day" if match is None else ("second" if match[1] else "minute")
    return "second"


def _offset(at: datetime, precision: str, date_raw: str | None) -> int | None:
    if precision == "day":  # stored as midnight in the site's zone: the offset follows
        # midnight at UTC-t or UTC+(24h-t): at 10:00 UTC or before, a zone west of UTC
        # (the Americas, Hawaii); later, one east of it (Europe to New Zealand)
        seconds = (at - at.replace(hour=0, minute=0, second=0, microsecond=0)).seconds
        return -(seconds // 60) if seconds <= 10 * 3600 else (86400 - seconds) // 60
    match = _OFFSET.search((date_raw or "").strip())
    if match is None or match.group(2, 3) == ("00", "00"):
        return None
    minutes = int(match[2]) * 60 + int(match[3])
    return minutes if match[1] == "+" else -minutes


def _recompute_days() -> None:
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(
                articles.c.id,
                articles.c.published_at,
                articles.c.published_day,
                articles.c.date_source,
                articles.c.date_raw,
            )
            .where(articles.c.id > last_id)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for row_id, at, day, date_source, date_raw in rows:
            precision = _precision(at, date_source, date_raw)
            offset = _offset(at, precision, date_raw)
            new_day = day if offset is None else (at + timedelta(minutes=offset)).date()
            changes.append({"i": row_id, "p": precision, "o": offset, "d": new_day})
        bind.execute(
            articles.update()
            .where(articles.c.id == sa.bindparam("i"))
            .values(
                published_precision=sa.bindparam("p"),
                published_offset=sa.bindparam("o"),
                published_day=sa.bindparam("d"),
            ),
            changes,
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN (no batch rebuild): a rebuild of articles would drop its triggers.
    op.add_column(
        "articles",
        sa.Column("published_precision", sa.String(8), server_default="second", nullable=False),
    )
    op.add_column("articles", sa.Column("published_offset", sa.Integer(), nullable=True))
    op.add_column(
        "day_counts", sa.Column("undated", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index("ix_articles_first_seen_at", "articles", ["first_seen_at"])
    for statement in SQLITE_DROP + SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_UP:
        op.execute(statement)
    _recompute_days()  # the triggers move each changed row between days
    op.execute(
        "UPDATE day_counts SET undated = (SELECT count(*) FROM articles "
        "WHERE articles.published_day = day_counts.day AND date_source = 'first_seen')"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    # The older code files every article under its day in its zone: make it recompute them.
    op.execute("UPDATE meta SET value = 'recompute' WHERE key = 'archive_tz'")
    for statement in SQLITE_DROP + SQLITE_OLD_TRIGGERS if dialect == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_index("ix_articles_first_seen_at", table_name="articles")
    if dialect == "sqlite":  # DROP COLUMN on SQLite ≥ 3.35 keeps the table and its triggers
        op.execute("ALTER TABLE day_counts DROP COLUMN undated")
        op.execute("ALTER TABLE articles DROP COLUMN published_offset")
        op.execute("ALTER TABLE articles DROP COLUMN published_precision")
    else:
        op.drop_column("day_counts", "undated")
        op.drop_column("articles", "published_offset")
        op.drop_column("articles", "published_precision")
