"""SQLite: an index of each article's source and language by id, read instead of the article
rows by the facet estimates of a broad search (search/sqlite_broad.py).

The estimate reads the source and language of about 5,000 sampled matches. From the article
table each costs a read of the row (a whole page, the text with it); from this index, entries
of neighbouring ids share a page. At 1,000,000 articles it took a mid word's facets from 45 to
37 ms and a common word's from 62 to 54 ms (docs/benchmarks.md). PostgreSQL counts its facets
from the rows the search reads anyway (search/postgres_broad.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_articles_id_source_language"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles (id, source_id, language)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
