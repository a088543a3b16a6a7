"""PostgreSQL: each article's words (the tsvector) and what a search counts, sorts and filters its
matches by (day, time, source, language, authors) in a narrow table of their own, search_rows,
instead of the article table; the GIN index moves with the words.

A broad search reads the row of every match it counts (facets, the timeline's days). An article
row is the whole article (about 2 kB at 1,000,000 synthetic articles, four to a page), a
search_rows row about 60 bytes (the tsvector always TOASTed: toast_tuple_target), so the rows
of a common word's matches are on ~9,000 pages instead of ~250,000, and the GIN index's bitmap
of them is built in a third of the time (docs/benchmarks.md).

A trigger on articles keeps the rows (inserted with the article, updated when the article's
title, text, day, time, source, language or authors change; deleted with it by the foreign key); the
words are computed by search_vector_of(), which the bulk load calls too (archive/bulk.py).
No new index on published_day: with one, the planner reads a day range's rows and tests each
one's TOASTed words instead of using the GIN index (it prices @@ as cheap).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VECTOR = """setweight(to_tsvector('newsarchive'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('newsarchive'::regconfig, coalesce(body, '')), 'B')"""

UP = [
    f"""CREATE FUNCTION search_vector_of(title text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {VECTOR} $$""",
    """CREATE TABLE search_rows (
        id integer NOT NULL,
        published_day date NOT NULL,
        published_at timestamp with time zone NOT NULL,
        source_id integer NOT NULL,
        language varchar(16),
        authors json NOT NULL,
        search_vector tsvector NOT NULL,
        CONSTRAINT pk_search_rows PRIMARY KEY (id),
        CONSTRAINT fk_search_rows_id_articles FOREIGN KEY (id) REFERENCES articles (id)
            ON DELETE CASCADE
    ) WITH (toast_tuple_target = 128)""",
    # as migration 0010 asked of the column before: statistics of 1,000 words, not 100
    "ALTER TABLE search_rows ALTER COLUMN search_vector SET STATISTICS 1000",
    """INSERT INTO search_rows (id, published_day, published_at, source_id, language, authors,
        search_vector)
        SELECT id, published_day, published_at, source_id, language, authors, search_vector
        FROM articles""",
    """CREATE INDEX ix_search_rows_search_vector ON search_rows USING gin (search_vector)""",
    "CREATE INDEX ix_search_rows_published_at_id ON search_rows (published_at, id)",
    # the planner's estimate of a word's matches (a broad search's path and estimated total)
    # from the first search on, not from autovacuum's first visit
    "ANALYZE search_rows",
    """CREATE FUNCTION search_rows_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
                AND NEW.text IS NOT DISTINCT FROM OLD.text THEN
            UPDATE search_rows SET published_day = NEW.published_day,
                published_at = NEW.published_at, source_id = NEW.source_id,
                language = NEW.language, authors = NEW.authors
            WHERE id = NEW.id;
        ELSE
            INSERT INTO search_rows (id, published_day, published_at, source_id, language,
                authors, search_vector)
            VALUES (NEW.id, NEW.published_day, NEW.published_at, NEW.source_id, NEW.language,
                NEW.authors, search_vector_of(NEW.title, NEW.text))
            ON CONFLICT (id) DO UPDATE SET published_day = EXCLUDED.published_day,
                published_at = EXCLUDED.published_at, source_id = EXCLUDED.source_id,
                language = EXCLUDED.language, authors = EXCLUDED.authors,
                search_vector = EXCLUDED.search_vector;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_rows_track
        AFTER INSERT OR UPDATE OF title, text, published_day, published_at, source_id, language,
            authors ON articles FOR EACH ROW EXECUTE FUNCTION search_rows_track()""",
    "DROP INDEX ix_articles_search_vector",
    "ALTER TABLE articles DROP COLUMN search_vector",
]
DOWN = [
    """ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('newsarchive'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('newsarchive'::regconfig, coalesce(text, '')), 'B')) STORED""",
    "ALTER TABLE articles ALTER COLUMN search_vector SET STATISTICS 1000",
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    "DROP TRIGGER search_rows_track ON articles",
    "DROP FUNCTION search_rows_track()",
    "DROP TABLE search_rows",
    "DROP FUNCTION search_vector_of(text, text)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWN:
            op.execute(statement)
