"""Word forms by language: a search for one form of a word finds the others. The table is
filled from the articles already stored (in batches; about a minute per 100,000 articles).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "word_forms",
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("stem", sa.Text(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("language", "stem", "form", name=op.f("pk_word_forms")),
    )
    # The package's own code, so that the forms are the ones new articles get. (It reads only
    # the articles' id, language, title and text, columns every later schema keeps.)
    from newsarchive.archive.forms import rebuild_forms

    rebuild_forms(op.get_bind())


def downgrade() -> None:
    op.drop_table("word_forms")
