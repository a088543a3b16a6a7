"""The archive's write version: a counter every write to what the API reads moves on, so read
answers can carry an ETag and be cached until the next write (api/caching.py).

Triggers move it, not the code that writes, so every writer (crawls on other machines, imports,
the admin page, psql) is counted. SQLite runs them per row; PostgreSQL once per statement, which
holds the counter's row lock from the archive's first write in a transaction to its commit.
The epoch tells stores apart: a database made again from scratch counts from 0 again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 22:00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the API's cached answers are made of (day_counts follows articles by its own triggers).
TABLES = (
    "articles",
    "article_raw",
    "article_copies",
    "sources",
    "source_collections",
    "revisions",
    "takedowns",
    "word_forms",
    "meta",
)
BUMP = "UPDATE archive_version SET version = version + 1"


def upgrade() -> None:
    op.create_table(
        "archive_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_version")),
    )
    op.execute(
        sa.text(
            "INSERT INTO archive_version (id, epoch, version) VALUES (1, :epoch, 0)"
        ).bindparams(epoch=uuid.uuid4().hex)
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER archive_version_{table}_{event.lower()} "
                    f"AFTER {event} ON {table} BEGIN {BUMP}; END"
                )
        return
    op.execute(
        "CREATE FUNCTION archive_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER archive_version_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION archive_version_bump()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER archive_version_{table}_{event}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER archive_version_bump ON {table}")
        op.execute("DROP FUNCTION archive_version_bump()")
    op.drop_table("archive_version")
