"""Collections of sources ("germany", "national"): what searches, timelines and exports filter by.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_collections",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_collections_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "name", name=op.f("pk_source_collections")),
    )
    op.create_index(
        op.f("ix_source_collections_name"), "source_collections", ["name"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_source_collections_name"), table_name="source_collections")
    op.drop_table("source_collections")
