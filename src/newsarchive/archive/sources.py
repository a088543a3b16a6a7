"""Source queries: the sites the archive follows, their feeds and sitemaps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Select,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from newsarchive.archive.paging import storable_id
from newsarchive.db.base import utc_now
from newsarchive.db.models import (
    Article,
    Feed,
    Source,
    SourceCollection,
)
from newsarchive.errors import Conflict, InvalidInput, SourceNotFound


def find_source(session: Session, name: str) -> Source | None:
    return session.scalars(select(Source).where(Source.name == name)).first()


def get_source_by_name(session: Session, name: str) -> Source:
    source = find_source(session, name)
    if source is None:
        raise SourceNotFound(name)
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id) if storable_id(source_id) else None
    if source is None:
        raise SourceNotFound(source_id)
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def source_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The names of these sources, by id."""
    if not ids:
        return {}
    return dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())


def article_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Article.source_id, func.count()).group_by(Article.source_id))
    return dict(rows.all())


@dataclass(frozen=True)
class SourceFields:
    """What a user may set on a source; None leaves a field as it is on update."""

    home_url: str | None = None
    feeds: Sequence[str] | None = None
    sitemaps: Sequence[str] | None = None
    interval_minutes: int | None = None
    enabled: bool | None = None
    collections: Sequence[str] | None = None


def create_source(session: Session, name: str, fields: SourceFields) -> Source:
    if find_source(session, name) is not None:
        raise Conflict(f"a source named {name!r} already exists")
    source = Source(
        name=name,
        home_url=fields.home_url,
        interval_minutes=fields.interval_minutes or 0,
        enabled=True if fields.enabled is None else fields.enabled,
        auto_created=False,
        created_at=utc_now(),
    )
    session.add(source)
    set_feeds(source, fields)
    set_collections(source, fields.collections)
    session.flush()
    return source


def add_missing_sources(
    session: Session, listed: Iterable[tuple[str, SourceFields]]
) -> tuple[list[Source], list[str]]:
    """Create each listed source whose name is not registered yet (a feed list imported twice
    adds nothing); returns the sources added and the names left as they were."""
    added: list[Source] = []
    kept: list[str] = []
    for name, fields in listed:
        if find_source(session, name) is not None:
            kept.append(name)
        else:
            added.append(create_source(session, name, fields))
    return added, kept


def update_source(session: Session, source: Source, fields: SourceFields) -> Source:
    if fields.home_url is not None:
        source.home_url = fields.home_url or None
    if fields.interval_minutes is not None:
        source.interval_minutes = fields.interval_minutes
    if fields.enabled is not None:
        source.enabled = fields.enabled
    if fields.feeds is not None or fields.sitemaps is not None:
        source.auto_created = False  # the user made it a real source
    set_feeds(source, fields)
    set_collections(source, fields.collections)
    session.flush()
    return source


def set_feeds(source: Source, fields: SourceFields) -> None:
    """Replace the feed or sitemap list given, keeping the rows (and their conditional GET
    state) of URLs that stay; a URL moved from one list to the other keeps its row too."""
    wanted: dict[str, str] = {f.url: f.kind for f in source.feeds}
    for kind, urls in (("feed", fields.feeds), ("sitemap", fields.sitemaps)):
        if urls is None:
            continue
        wanted = {url: k for url, k in wanted.items() if k != kind}
        for url in dict.fromkeys(urls):
            if wanted.get(url, kind) != kind and _given(fields, wanted[url]):
                raise InvalidInput(f"{url} is listed both as a feed and as a sitemap")
            wanted[url] = kind
    kept = [f for f in source.feeds if f.url in wanted]
    for feed in kept:
        feed.kind = wanted[feed.url]
    have = {f.url for f in kept}
    source.feeds = kept + [Feed(kind=k, url=u) for u, k in wanted.items() if u not in have]


def _members(name: str) -> Select[int]:
    return select(SourceCollection.source_id).where(SourceCollection.name == name)


def in_collection(name: str, source_id: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """The condition "the article's source is in this collection" (`source_id`: the column
    of a table that copies the article's, PostgreSQL's search rows)."""
    return (Article.source_id if source_id is None else source_id).in_(_members(name))


def collection_members(session: Session, name: str) -> list[int]:
    """The ids of the sources in this collection."""
    return list(session.scalars(_members(name).order_by(SourceCollection.source_id)))


def set_collections(source: Source, names: Sequence[str] | None) -> None:
    """The source's collections become these (None: as they are)."""
    if names is None:
        return
    wanted = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    kept = [tag for tag in source.tags if tag.name in wanted]
    have = {tag.name for tag in kept}
    source.tags = kept + [SourceCollection(name=name) for name in wanted if name not in have]


def add_to_collections(source: Source, names: Sequence[str], *, remove: bool = False) -> None:
    """Put the source in (or, with `remove`, take it out of) these collections."""
    current = source.collections
    wanted = [n for n in current if n not in names] if remove else [*current, *names]
    set_collections(source, wanted)


def _given(fields: SourceFields, kind: str) -> bool:
    return (fields.feeds if kind == "feed" else fields.sitemaps) is not None


def delete_source(session: Session, source: Source, *, with_articles: bool = False) -> None:
    count = session.scalar(select(func.count()).where(Article.source_id == source.id)) or 0
    if count and not with_articles:
        raise Conflict(
            f"source {source.name!r} has {count} articles: disable it instead, "
            "or delete it with its articles (with_articles=true, --with-articles)"
        )
    if count:
        session.execute(delete(Article).where(Article.source_id == source.id))
    session.delete(source)
    session.flush()


def due_sources(session: Session, now: datetime) -> list[Source]:
    """Enabled, user-registered sources whose interval has passed since their last crawl."""
    sources = session.scalars(
        select(Source).where(Source.enabled, Source.auto_created.is_(False)).order_by(Source.id)
    )
    return [
        s
        for s in sources
        if s.last_crawled_at is None
        or s.last_crawled_at + timedelta(minutes=s.interval_minutes) <= now
    ]


def unmark_crawled(
    session: Session, source_id: int, marked_at: datetime, before: datetime | None
) -> None:
    """Undo this run's mark_crawled (nothing could be read): the source stays due. A later
    mark, by another run, is left alone."""
    query = update(Source).where(Source.id == source_id, Source.last_crawled_at == marked_at)
    session.connection().execute(query.values(last_crawled_at=before))


def mark_crawled(
    session: Session, source_id: int, now: datetime, due_before: datetime | None
) -> bool:
    """Claim a source's discovery for this run: only one of several workers wins."""
    query = update(Source).where(Source.id == source_id)
    if due_before is not None:
        query = query.where(
            or_(Source.last_crawled_at.is_(None), Source.last_crawled_at <= due_before)
        )
    return session.connection().execute(query.values(last_crawled_at=now)).rowcount == 1


def source_for_host(session: Session, host: str) -> Source:
    """The source named after ``host``, created on first use (safe against a concurrent
    creator: the loser of the race reads the winner's row)."""
    existing = find_source(session, host)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            source = Source(name=host, home_url=f"https://{host}/", auto_created=True)
            session.add(source)
        return source
    except IntegrityError:
        return get_source_by_name(session, host)


def record_feed_check(
    session: Session,
    feed_id: int,
    *,
    at: datetime,
    error: str | None,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """A feed or sitemap was read (or failed): its last error, and on success what the next
    conditional GET sends."""
    feed = session.get(Feed, feed_id)
    if feed is None:
        return
    feed.last_checked_at = at
    feed.last_error = error
    if error is None:
        feed.etag, feed.last_modified = etag, last_modified
