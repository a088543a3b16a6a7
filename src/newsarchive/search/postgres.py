"""PostgreSQL: a weighted tsvector of title (A) and body (B) with a GIN index, in the narrow
search rows beside the articles (migrations 0003 and 0018; the query side is
postgres_tsquery.py). A search with more than EXACT_UP_TO matches is answered by
postgres_broad.py, reading a bounded number of them however large the archive."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, func, select, text
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article
from newsarchive.search import postgres_broad
from newsarchive.search.engine import MARK_END, MARK_START, Ask, Broad, Engine, marked_html
from newsarchive.search.postgres_tsquery import CONFIG, ROWS, matches, rank, to_tsquery
from newsarchive.search.query import Query

ROW_COST = "0.5"  # cpu_tuple_cost for a search's statements (the default: 0.01)
BITMAP_MEMORY = "'64MB'"  # work_mem for a bitmap of a million articles' matches to stay exact


class PostgresEngine(Engine):
    name = "postgresql"
    rows = ROWS

    @contextmanager
    def tuned(self, session: Session, *, filtered: bool) -> Iterator[None]:
        # The planner prices @@ as cheap, but each article's tsvector is TOASTed (reading one
        # costs microseconds), so testing every article in a sequential scan loses to the GIN
        # index even when most articles match (a word in 60 % of 250,000: 1.4 s against 0.6 s).
        # Measured for searches without filters; a filtered one keeps the planner's choice.
        # Either way the bitmap of the matches stays exact: a lossy one (the default 4 MB)
        # rechecked every article of its pages against its tsvector, 127,000 of them for a
        # common word's 60,000 matches in a year (the timeline: 690 ms). And one process a
        # statement: with the narrow search rows the planner gathers the timeline's from two
        # workers besides, which took longer (100 against 92 ms at 1M, in-process, alternated
        # twice) on three processes' CPU, where a busy server's cores are its requests'.
        # And a row costs what a row that may be tested against its words costs (50 times
        # the default): else the planner reads a range of days through the day index alone and
        # tests each row's TOASTed tsvector instead of ANDing the GIN index's bitmap with the
        # day index's (a common word's year: 517 against 57 ms; migration 0019).
        always = {
            "work_mem": BITMAP_MEMORY,
            "max_parallel_workers_per_gather": "0",
            "cpu_tuple_cost": ROW_COST,
        }
        settings = always if filtered else {"enable_seqscan": "off", **always}
        with postgres_broad.planner(session, **settings):
            yield

    def broad(self, session: Session, query: Query, ask: Ask) -> Broad | None:
        return postgres_broad.broad(
            session, query, ask, lambda side: self.tuned(side, filtered=False)
        )

    def matching(
        self, query: Query, date_from: date | None = None, date_to: date | None = None
    ) -> Select:  # type: ignore[type-arg]
        return select(ROWS.id.label("id"), rank(query).label("score")).where(
            matches(query), *archive.day_conditions(date_from, date_to, ROWS.published_day)
        )

    def per_day(
        self, session: Session, query: Query, date_from: date | None, date_to: date | None
    ) -> dict[date, int]:
        return postgres_broad.matches_per_day(session, query, date_from, date_to)

    def snippets(
        self, session: Session, query: Query, articles: Sequence[Article]
    ) -> dict[int, str]:
        ids = [a.id for a in articles]
        if not ids:
            return {}
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15"
        headline = func.ts_headline(CONFIG, Article.text, to_tsquery(query), options)
        rows = session.execute(select(Article.id, headline).where(Article.id.in_(ids)))
        return {article_id: marked_html(value or "") for article_id, value in rows}

    def has_author(self, author: str) -> ColumnElement[bool]:
        each = func.json_array_elements_text(ROWS.authors).table_valued("value")
        return exists(
            select(text("1")).select_from(each).where(func.lower(each.c.value) == author.lower())
        )
