"""Story queries: the LSH index of band keys, the candidates for an article's story, a story's
members, and regrouping the whole archive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, union, update
from sqlalchemy.orm import Session

from newsarchive.db.models import ARTICLES, STORY_KEYS, Article, ArticleCopy, StoryKey


def lock_story_keys(session: Session, keys: Sequence[int]) -> None:
    """Hold the article's band keys until the transaction ends, so that two workers storing
    copies of one story at the same moment group them (the second waits and then sees the
    first). PostgreSQL: transaction advisory locks, in key order (no deadlock). SQLite: the
    article's insert before this call already holds the database's only write lock."""
    if session.get_bind().dialect.name == "postgresql":
        for key in sorted(set(keys)):
            session.execute(select(func.pg_advisory_xact_lock(key)))


def story_candidates(
    session: Session, keys: Sequence[int], day: date, window: timedelta, *, exclude: int
) -> list[tuple[int, int, bytes, date]]:
    """(article id, story id, signature, story day) of the articles sharing a band key with
    these, in stories that began within `window` of `day` (an index row carries its story's
    first day, so a story spans the window at most, however many copies follow)."""
    sharing = (
        select(STORY_KEYS.c.article_id, func.min(STORY_KEYS.c.published_day).label("day"))
        .where(
            STORY_KEYS.c.key.in_(list(keys)),
            STORY_KEYS.c.published_day.between(day - window, day + window),
            STORY_KEYS.c.article_id != exclude,
        )
        .group_by(STORY_KEYS.c.article_id)
        .subquery()
    )
    rows = session.connection().execute(
        select(ARTICLES.c.id, ARTICLES.c.story_id, ARTICLES.c.minhash, sharing.c.day).join(
            sharing, sharing.c.article_id == ARTICLES.c.id
        )
    )
    return [(row.id, row.story_id or row.id, row.minhash, row.day) for row in rows if row.minhash]


def set_story(
    session: Session,
    article_id: int,
    story_id: int,
    *,
    signature: bytes | None,
    keys: Sequence[int],
    day: date,
    new: bool = False,
) -> None:
    """File the article under `story_id` and index its band keys (replacing earlier ones;
    `new`: it has none yet); `day`: the story's first day."""
    conn = session.connection()  # Core: this runs for every stored article
    if not new:
        conn.execute(delete(STORY_KEYS).where(STORY_KEYS.c.article_id == article_id))
    conn.execute(
        update(ARTICLES)
        .where(ARTICLES.c.id == article_id)
        .values(story_id=story_id, minhash=signature)
    )
    if keys:
        rows = [{"key": key, "article_id": article_id, "published_day": day} for key in set(keys)]
        conn.execute(insert(STORY_KEYS), rows)


def hand_over_story(session: Session, story_id: int) -> None:
    """The story's first article left it (regrouped elsewhere): the members that stay take
    the id of the earliest of them, so a story's id is always one of its articles'."""
    stays = select(func.min(ARTICLES.c.id)).where(
        ARTICLES.c.story_id == story_id, ARTICLES.c.id != story_id
    )
    next_id = session.connection().execute(stays).scalar()
    if next_id is not None:
        session.connection().execute(
            update(ARTICLES)
            .where(ARTICLES.c.story_id == story_id, ARTICLES.c.id != story_id)
            .values(story_id=next_id, updated_at=ARTICLES.c.updated_at)
        )


def story_outlets(session: Session, story_id: int) -> int:
    """How many sources ran the story: its articles' and their exact copies'."""
    own = select(Article.source_id).where(Article.story_id == story_id)
    copied = (
        select(ArticleCopy.source_id)
        .join(Article, Article.id == ArticleCopy.article_id)
        .where(Article.story_id == story_id)
    )
    both = union(own, copied).subquery()
    return int(session.scalar(select(func.count()).select_from(both)) or 0)


def story_members(session: Session, story_id: int, *, limit: int = 200) -> list[Article]:
    """A story's articles, the earliest seen first, `limit` at most (none: no such story)."""
    query = select(Article).where(Article.story_id == story_id)
    return list(session.scalars(query.order_by(Article.first_seen_at, Article.id).limit(limit)))


def ungroup_all(session: Session) -> None:
    """Before a rebuild: every article its own story, the index empty."""
    session.execute(delete(StoryKey))
    session.execute(update(Article).values(story_id=Article.id, minhash=None))


def texts_for_grouping(session: Session, *, after: int, limit: int) -> list[tuple[int, str, date]]:
    """(id, text, archive day) of articles in id order after `after`, for a rebuild."""
    rows = session.execute(
        select(Article.id, Article.text, Article.published_day)
        .where(Article.id > after)
        .order_by(Article.id)
        .limit(limit)
    )
    return [(row.id, row.text, row.published_day) for row in rows]


def keys_in(
    session: Session, keys: Sequence[int], first: date, last: date
) -> list[tuple[int, int, date]]:
    """(key, article id, story day) of the index rows under these keys whose story began
    between `first` and `last` (a rebuild's batch lookup)."""
    found: list[tuple[int, int, date]] = []
    unique = sorted(set(keys))
    for start in range(0, len(unique), 900):  # under every store's bound-parameter limit
        chunk = unique[start : start + 900]
        rows = session.execute(
            select(StoryKey.key, StoryKey.article_id, StoryKey.published_day).where(
                StoryKey.key.in_(chunk), StoryKey.published_day.between(first, last)
            )
        )
        found += [(row.key, row.article_id, row.published_day) for row in rows]
    return found


def story_signatures(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, bytes]]:
    """Article id -> (story id, signature), for the ids that have a signature."""
    out: dict[int, tuple[int, bytes]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 900):
        rows = session.execute(
            select(Article.id, Article.story_id, Article.minhash).where(
                Article.id.in_(unique[start : start + 900]), Article.minhash.is_not(None)
            )
        )
        out |= {row.id: (row.story_id or row.id, row.minhash) for row in rows}
    return out


def set_stories(
    session: Session,
    stories: Sequence[tuple[int, int, bytes | None]],
    keys: Sequence[tuple[int, int, date]],
) -> None:
    """A rebuild's batch at once: (article id, story id, signature) and (key, article, day)."""
    if stories:
        session.execute(
            update(Article),
            [{"id": a, "story_id": s, "minhash": sig} for a, s, sig in stories],
        )
    if keys:
        session.execute(
            insert(StoryKey),
            [{"key": k, "article_id": a, "published_day": d} for k, a, d in keys],
        )
