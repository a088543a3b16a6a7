"""Runs: a heartbeat (a run whose process died stops beating and becomes 'interrupted' on both
stores), and the feeds and sitemaps a run could not read, per run and per source.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    for table in ("runs", "run_sources"):
        op.add_column(
            table, sa.Column("feeds_failed", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("run_sources") as batch:
        batch.drop_column("feeds_failed")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("feeds_failed")
        batch.drop_column("heartbeat_at")
