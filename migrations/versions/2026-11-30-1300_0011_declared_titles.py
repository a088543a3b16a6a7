"""Articles keep the title their page declares beside the headline it shows, and which rule
chose the headline: readers see the <h1>, search engines and feeds the declared one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("declared_title", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("title_rule", sa.String(length=32), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite 3.35+): a batch copy of the table cannot rebuild its generated
    # search_key column
    op.execute("ALTER TABLE articles DROP COLUMN title_rule")
    op.execute("ALTER TABLE articles DROP COLUMN declared_title")
