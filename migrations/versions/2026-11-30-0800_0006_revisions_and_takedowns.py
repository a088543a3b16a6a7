"""Revisions: revisits of stored articles (when the next is due, how many were done), every
version of a page that changed, takedowns (404/410 twice, a run apart), the validators a revisit
sends, and the run counters revisited and revised.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "articles", sa.Column("revision_count", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column("articles", sa.Column("revisit_at", UTC_TIME, nullable=True))
    op.add_column(
        "articles", sa.Column("revisits_done", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("articles", sa.Column("gone_since", UTC_TIME, nullable=True))
    op.add_column("articles", sa.Column("removed_at", UTC_TIME, nullable=True))
    op.create_index("ix_articles_revisit_at", "articles", ["revisit_at"])
    op.add_column("article_raw", sa.Column("etag", sa.Text(), nullable=True))
    op.add_column("article_raw", sa.Column("last_modified", sa.Text(), nullable=True))
    with op.batch_alter_table("frontier") as batch:
        batch.add_column(sa.Column("revisit_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_frontier_revisit_of_articles"), "articles", ["revisit_of"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
    for table in ("runs", "run_sources"):
        for counter in ("revisited", "revised"):
            op.add_column(
                table, sa.Column(counter, sa.Integer(), server_default="0", nullable=False)
            )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fetched_at", UTC_TIME, nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("charset", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint(
            "article_id", "revision", name=op.f("uq_revisions_article_id_revision")
        ),
    )
    op.create_index("ix_revisions_fetched_at", "revisions", ["fetched_at"])
    op.create_table(
        "takedowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", UTC_TIME, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restored_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_takedowns_article_id_articles"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takedowns")),
    )
    op.create_index(op.f("ix_takedowns_article_id"), "takedowns", ["article_id"])


def _drop_columns(table: str, *columns: str) -> None:
    """DROP COLUMN in place: on SQLite (3.35 and later) that keeps the table and its triggers
    (the day counts', the search index's), which a batch copy of the table would lose."""
    for column in columns:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)


# Before the revisions go, each changed article gets its first-stored version back (the older
# code keeps one version per article: the one it stored).
RESTORE_FIRST = [
    """UPDATE articles SET
        title = (SELECT r.title FROM revisions r WHERE r.article_id = articles.id AND r.revision = 1),
        text = (SELECT r.text FROM revisions r WHERE r.article_id = articles.id AND r.revision = 1),
        authors = (SELECT r.authors FROM revisions r
                   WHERE r.article_id = articles.id AND r.revision = 1)
    WHERE id IN (SELECT article_id FROM revisions WHERE revision = 1)""",
    """UPDATE article_raw SET
        body = (SELECT r.raw FROM revisions r
                WHERE r.article_id = article_raw.article_id AND r.revision = 1),
        charset = (SELECT r.charset FROM revisions r
                   WHERE r.article_id = article_raw.article_id AND r.revision = 1)
    WHERE article_id IN (SELECT article_id FROM revisions WHERE revision = 1)""",
]


def downgrade() -> None:
    for statement in RESTORE_FIRST:
        op.execute(statement)
    op.drop_index(op.f("ix_takedowns_article_id"), table_name="takedowns")
    op.drop_table("takedowns")
    op.drop_index("ix_revisions_fetched_at", table_name="revisions")
    op.drop_table("revisions")
    for table in ("run_sources", "runs"):
        _drop_columns(table, "revised", "revisited")
    with op.batch_alter_table("frontier") as batch:  # no triggers; SQLite cannot drop a foreign key
        batch.drop_constraint(op.f("fk_frontier_revisit_of_articles"), type_="foreignkey")
        batch.drop_column("revisit_of")
    _drop_columns("article_raw", "last_modified", "etag")
    op.drop_index("ix_articles_revisit_at", table_name="articles")
    _drop_columns(
        "articles", "removed_at", "gone_since", "revisits_done", "revisit_at", "revision_count"
    )
