"""PostgreSQL: an index of the search rows' day, ANDed by the planner with the GIN index's bitmap
so that a range of days reads only its own matches' rows (a common word's year: 60,000 of its
600,000), where 0018 read every match's row and kept the range's.

The planner prices a row's `@@` test as cheap, while each one reads the row's TOASTed tsvector:
left to itself it reads a year's 100,000 rows through this index alone and tests each (517 ms
for the timeline, against 57 with both indexes). The search engine's planner settings make a
row cost what a row that may be tested costs (search/postgres.py, `cpu_tuple_cost`), which is
why 0018 left this index out and this migration adds it beside them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_search_rows_published_day ON search_rows (published_day)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_rows_published_day")
