"""Stories: each article's story_id (its own id until `newsarchive stories rebuild` groups the
archive), its text's MinHash signature, and the LSH index of band keys.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("story_id", sa.Integer(), nullable=True))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    op.execute("UPDATE articles SET story_id = id")
    op.create_index("ix_articles_story_id", "articles", ["story_id"])
    op.create_table(
        "story_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("published_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_keys_article_id_articles"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_story_keys")),
    )
    op.create_index("ix_story_keys_article_id", "story_keys", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_story_keys_article_id", table_name="story_keys")
    op.drop_table("story_keys")
    op.drop_index("ix_articles_story_id", table_name="articles")
    for column in ("minhash", "story_id"):  # in place: a batch copy would lose the triggers
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
        else:
            op.drop_column("articles", column)
