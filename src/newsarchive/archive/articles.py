"""Article queries: find, list, filter, store and change articles and their raw pages."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newsarchive.archive.days import DayRule, day_of_row
from newsarchive.archive.forms import record_forms, record_rows
from newsarchive.archive.paging import SUMMARY_LOADING, Page, newest_first, storable_id
from newsarchive.archive.sources import in_collection
from newsarchive.db.models import (
    ARTICLE_RAW,
    ARTICLES,
    Article,
    ArticleCopy,
    ArticleRaw,
    DayCount,
    Source,
)
from newsarchive.errors import ArticleNotFound, InvalidInput

MAX_LIMIT = 100


@dataclass(frozen=True)
class ArticleFilters:
    source: str | None = None
    lang: str | None = None
    collection: str | None = None  # only the articles of the sources in this collection
    date_from: date | None = None
    date_to: date | None = None
    dated: bool = False  # leave out articles dated only by when the archive first saw them
    changed: bool = False  # only articles whose page changed after it was stored
    removed: bool = False  # only articles whose page was taken down
    story: int | None = None  # only the articles of this story


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id) if storable_id(article_id) else None
    if article is None:
        raise ArticleNotFound(article_id)
    return article


def articles_by_id(session: Session, ids: Sequence[int]) -> list[Article]:
    """These articles, in id order."""
    return list(session.scalars(select(Article).where(Article.id.in_(ids)).order_by(Article.id)))


def get_raw(session: Session, article_id: int) -> ArticleRaw | None:
    return session.get(ArticleRaw, article_id)


def count_articles(session: Session) -> int:
    """From the trigger-maintained day counts: constant time, where count(*) scans the table."""
    return int(session.scalar(select(func.coalesce(func.sum(DayCount.articles), 0))) or 0)


def check_day_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(f"'from' ({date_from}) is after 'to' ({date_to})")


def day_conditions(
    date_from: date | None, date_to: date | None, day: Any = Article.published_day
) -> list[Any]:
    """Inclusive archive days: a filter on one day keeps exactly what that day's archive page
    lists. `day`: the column of a table that copies the article's (PostgreSQL's search rows)."""
    check_day_range(date_from, date_to)
    return [
        *([day >= date_from] if date_from else []),
        *([day <= date_to] if date_to else []),
    ]


def list_articles(
    session: Session,
    filters: ArticleFilters,
    *,
    limit: int = 20,
    cursor: str | None = None,
    summaries: bool = True,
) -> Page:
    """Newest first, keyset-paged on (published_at, id) so pages never repeat or skip.
    `summaries`: what a listing shows (not each article's copies, paging.SUMMARY_LOADING)."""
    query = select(Article).options(*(SUMMARY_LOADING if summaries else ()))
    return newest_first(session, _filtered(query, filters), limit, cursor)


def iter_articles(
    session: Session, filters: ArticleFilters, *, batch: int = 500
) -> Iterator[Article]:
    """Every article the filters keep, newest first, in keyset batches (flat memory)."""
    cursor = None
    while True:
        page = list_articles(session, filters, limit=batch, cursor=cursor, summaries=False)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
        session.expunge_all()


def _filtered(query: Select, filters: ArticleFilters) -> Select:  # type: ignore[type-arg]
    if filters.source:
        query = query.join(Article.source).where(Source.name == filters.source)
    if filters.lang:
        query = query.where(Article.language == filters.lang.lower())
    if filters.collection:
        query = query.where(in_collection(filters.collection))
    if filters.dated:
        query = query.where(Article.date_source != "first_seen")
    if filters.changed:
        query = query.where(Article.revision_count > 1)
    if filters.removed:
        query = query.where(Article.removed_at.is_not(None))
    if filters.story is not None:
        query = query.where(Article.story_id == filters.story)
    return query.where(*day_conditions(filters.date_from, filters.date_to))


def find_duplicate(
    session: Session, *, url_keys: Sequence[str], content_hash: str | None = None
) -> int | None:
    """The id of an article stored under any of these normalised URLs, or with this content."""
    conditions: list[ColumnElement[bool]] = []
    if url_keys:
        conditions += [Article.url_key.in_(url_keys), Article.url_normalized.in_(url_keys)]
    if content_hash:
        conditions.append(Article.content_hash == content_hash)
    if not conditions:
        return None
    query = select(Article.id).where(or_(*conditions)).limit(1)
    return session.connection().execute(query).scalar()


def record_copy(
    session: Session, article_id: int, *, url: str, url_key: str, source_id: int, now: datetime
) -> None:
    """An exact copy of the article seen at another URL: kept once per URL (its reach)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    row = {"article_id": article_id, "url": url, "url_key": url_key, "source_id": source_id}
    stmt = dialect.insert(ArticleCopy).values(**row, first_seen_at=now)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["url_key"]))


def add_article(
    session: Session,
    days: DayRule,
    article: Mapping[str, Any],
    raw: Mapping[str, Any],
    *,
    own_story: bool = True,
) -> int:
    """Insert an article, on its archive day, and its raw page; return the new id. (Core
    inserts: this is the crawl's hot path, and the ORM's unit of work would double its cost.)
    `own_story`: the article starts as a story of its own (False: the caller files it at once,
    as stories/grouping.py does)."""
    article = {**article, "published_day": day_of_row(days, article)}
    conn = session.connection()
    articles, raws = ARTICLES, ARTICLE_RAW
    insert_article = insert(articles).returning(articles.c.id)
    article_id: int = conn.execute(insert_article, dict(article)).scalar_one()
    if own_story:  # (updated_at set to itself: grouping is no change of the article)
        own = {"story_id": article_id, "updated_at": articles.c.updated_at}
        conn.execute(update(articles).where(articles.c.id == article_id).values(own))
    conn.execute(insert(raws), {**raw, "article_id": article_id})
    record_forms(conn, article.get("language"), (article.get("title"), article.get("text")))
    return article_id


def update_article(
    session: Session, article_id: int, values: Mapping[str, Any], days: DayRule
) -> None:
    """Update an article's content; a content hash another article already has is left as it
    was (two articles cannot share one)."""
    values = dict(values)
    if "published_at" in values:
        values["published_day"] = day_of_row(days, values)
    values = without_taken_hash(session, article_id, values)
    conn = session.connection()
    conn.execute(update(Article).where(Article.id == article_id).values(values))
    if "title" in values or "text" in values:
        row = conn.execute(
            select(Article.language, Article.title, Article.text).where(Article.id == article_id)
        ).first()
        if row is not None:
            record_forms(conn, row.language, (row.title, row.text))


def without_taken_hash(
    session: Session, article_id: int, values: Mapping[str, Any]
) -> dict[str, Any]:
    """`values` without its content hash when another article has that hash (two articles
    cannot share one, and a changed text may equal another's, such as a notice page)."""
    values = dict(values)
    if "content_hash" in values:
        taken = session.scalar(
            select(Article.id).where(
                Article.content_hash == values["content_hash"], Article.id != article_id
            )
        )
        if taken is not None:
            del values["content_hash"]
    return values


def delete_article(session: Session, article_id: int) -> None:
    article = get_article(session, article_id)
    session.delete(article)
    session.flush()


def article_ids(
    session: Session,
    *,
    after: int = 0,
    limit: int = 1000,
    days: tuple[date | None, date | None] = (None, None),
) -> list[int]:
    """Ids in order, after `after`, of the articles on the archive days given."""
    query = select(Article.id).where(Article.id > after, *day_conditions(*days))
    return list(session.scalars(query.order_by(Article.id).limit(limit)))


def texts_of(session: Session, ids: Sequence[int]) -> list[tuple[str | None, str, str | None]]:
    """(title, text, language) of these articles, for counting their words."""
    if not ids:
        return []
    query = select(Article.title, Article.text, Article.language).where(Article.id.in_(ids))
    return [(row.title, row.text, row.language) for row in session.execute(query)]


def sample_ids(session: Session, size: int, seed: int = 0) -> list[int]:
    """About `size` ids of stored articles, spread over the archive at random (ids drawn in
    the id range, kept where an article has them: an index seek each, no scan)."""
    low, high = session.execute(select(func.min(Article.id), func.max(Article.id))).one()
    if low is None:
        return []
    rng = random.Random(seed)
    wanted = {rng.randint(low, high) for _ in range(min(size, high - low + 1) * 2)}
    found: list[int] = []
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        found += session.scalars(select(Article.id).where(Article.id.in_(chunk)))
    rng.shuffle(found)
    return found[:size]


def add_articles(session: Session, days: DayRule, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many articles in one statement batch (bulk loads and imports; no raw pages);
    each is a story of its own until `newsarchive stories rebuild` groups them."""
    if rows:
        conn = session.connection()
        conn.execute(
            insert(ARTICLES), [{**row, "published_day": day_of_row(days, row)} for row in rows]
        )
        record_rows(conn, rows, {})
        session.execute(
            update(Article)
            .where(Article.story_id.is_(None))
            .values(story_id=Article.id, updated_at=Article.updated_at)
        )
