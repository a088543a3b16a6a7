"""The article, source and run queries: the one place that builds SQL for them.

Functions take the session as their first argument and never commit: the caller (a request,
a CLI command, the pipeline) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from newsarchive import paging
from newsarchive.db.base import MAX_ID, utc_now
from newsarchive.db.models import (
    Article,
    ArticleRaw,
    DayCount,
    Feed,
    Meta,
    Run,
    RunError,
    RunSource,
    Source,
)
from newsarchive.errors import ArticleNotFound, Conflict, InvalidInput, NotFound, SourceNotFound

MAX_LIMIT = 100
# The tables behind the models, for Core statements on the hot paths.
ARTICLES = cast(Table, Article.__table__)
ARTICLE_RAW = cast(Table, ArticleRaw.__table__)
RUNS = cast(Table, Run.__table__)


@dataclass(frozen=True)
class DayRule:
    """Which calendar day the archive files an article under: the day its site printed (its own
    zone) where that zone is known, else the day in `zone`; `forced` files every article that
    carries a time under `zone`'s day (a date given without a time stays its day)."""

    zone: ZoneInfo = ZoneInfo("UTC")
    forced: bool = False

    @property
    def key(self) -> str:
        """What meta 'archive_tz' records, so a change of rule recomputes the days."""
        return f"{self.zone.key} (forced)" if self.forced else self.zone.key

    def day_of(self, at: datetime, precision: str, offset_minutes: int | None) -> date:
        if offset_minutes is not None and (precision == "day" or not self.forced):
            return (at.astimezone(UTC) + timedelta(minutes=offset_minutes)).date()
        return at.astimezone(self.zone).date()


@dataclass(frozen=True)
class ArticleFilters:
    source: str | None = None
    lang: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    dated: bool = False  # leave out articles dated only by when the archive first saw them


@dataclass(frozen=True)
class Page:
    items: Sequence[Article]
    next_cursor: str | None


# --- articles ---------------------------------------------------------------------------------


def _storable(row_id: int) -> bool:
    """Whether an id from outside (a path) can name a row at all: larger ones overflow the
    id columns, and are simply not found."""
    return 0 < row_id <= MAX_ID


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id) if _storable(article_id) else None
    if article is None:
        raise ArticleNotFound(article_id)
    return article


def get_raw(session: Session, article_id: int) -> ArticleRaw | None:
    return session.get(ArticleRaw, article_id)


def count_articles(session: Session) -> int:
    """From the trigger-maintained day counts: constant time, where count(*) scans the table."""
    return int(session.scalar(select(func.coalesce(func.sum(DayCount.articles), 0))) or 0)


def check_day_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(f"'from' ({date_from}) is after 'to' ({date_to})")


def day_conditions(date_from: date | None, date_to: date | None) -> list[Any]:
    """Inclusive archive days: a filter on one day keeps exactly what that day's archive page
    lists."""
    check_day_range(date_from, date_to)
    return [
        *([Article.published_day >= date_from] if date_from else []),
        *([Article.published_day <= date_to] if date_to else []),
    ]


def list_articles(
    session: Session, filters: ArticleFilters, *, limit: int = 20, cursor: str | None = None
) -> Page:
    """Newest first, keyset-paged on (published_at, id) so pages never repeat or skip."""
    return _newest_first(session, _filtered(select(Article), filters), limit, cursor)


def iter_articles(
    session: Session, filters: ArticleFilters, *, batch: int = 500
) -> Iterator[Article]:
    """Every article the filters keep, newest first, in keyset batches (flat memory)."""
    cursor = None
    while True:
        page = list_articles(session, filters, limit=batch, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
        session.expunge_all()


def _newest_first(session: Session, query: Select, limit: int, cursor: str | None) -> Page:  # type: ignore[type-arg]
    """Keyset paging on (published_at, id), newest first: pages never repeat or skip."""
    if cursor:
        published, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Article.published_at < published,
                (Article.published_at == published) & (Article.id < last_id),
            )
        )
    query = query.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def _filtered(query: Select, filters: ArticleFilters) -> Select:  # type: ignore[type-arg]
    if filters.source:
        query = query.join(Article.source).where(Source.name == filters.source)
    if filters.lang:
        query = query.where(Article.language == filters.lang.lower())
    if filters.dated:
        query = query.where(Article.date_source != "first_seen")
    return query.where(*day_conditions(filters.date_from, filters.date_to))


def encode_cursor(article: Article) -> str:
    return paging.encode(article.published_at, article.id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    published, article_id = paging.decode(cursor, datetime, int)
    return published, article_id


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


def add_article(
    session: Session, days: DayRule, article: Mapping[str, Any], raw: Mapping[str, Any]
) -> int:
    """Insert an article, on its archive day, and its raw page; return the new id. (Core
    inserts: this is the crawl's hot path, and the ORM's unit of work would double its cost.)"""
    article = {**article, "published_day": _day_of_row(days, article)}
    conn = session.connection()
    articles, raws = ARTICLES, ARTICLE_RAW
    insert_article = insert(articles).returning(articles.c.id)
    article_id: int = conn.execute(insert_article, dict(article)).scalar_one()
    conn.execute(insert(raws), {**raw, "article_id": article_id})
    return article_id


# --- the date archive ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCountRow:
    """Articles filed under a period, and how many of them are dated only by first sight."""

    key: int
    count: int
    undated: int


def _day_counts(session: Session, start: date, end: date) -> list[tuple[date, int, int]]:
    """Per-day counts in [start, end] from the trigger-maintained day_counts table (at most a
    few thousand small rows, so grouping by month or year in Python costs nothing)."""
    rows = session.execute(
        select(DayCount.day, DayCount.articles, DayCount.undated)
        .where(DayCount.day >= start, DayCount.day <= end, DayCount.articles > 0)
        .order_by(DayCount.day)
    )
    return [(day, n, undated) for day, n, undated in rows]


def latest_day(session: Session) -> date | None:
    """The newest archive day that has articles."""
    return session.scalar(select(func.max(DayCount.day)).where(DayCount.articles > 0))


def count_first_seen_since(session: Session, since: datetime) -> int:
    """Articles the archive stored since then, whatever day they were published."""
    query = select(func.count()).where(Article.first_seen_at >= since)
    return int(session.scalar(query) or 0)


def day_counts_between(session: Session, start: date, end: date) -> dict[date, int]:
    return {day: n for day, n, _undated in _day_counts(session, start, end)}


def _grouped(rows: list[tuple[date, int, int]], key: Any) -> list[DayCountRow]:
    totals: dict[int, list[int]] = {}
    for day, n, undated in rows:
        total = totals.setdefault(key(day), [0, 0])
        total[0] += n
        total[1] += undated
    return [DayCountRow(k, n, u) for k, (n, u) in sorted(totals.items())]


def archive_years(session: Session) -> list[DayCountRow]:
    rows = _grouped(_day_counts(session, date.min, date.max), lambda d: d.year)
    return rows[::-1]


def archive_months(session: Session, year: int) -> list[DayCountRow]:
    return _grouped(_day_counts(session, date(year, 1, 1), date(year, 12, 31)), lambda d: d.month)


def archive_days(session: Session, year: int, month: int) -> list[DayCountRow]:
    last = (
        date(9999, 12, 31)
        if (year, month) == (9999, 12)
        else (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    )
    return _grouped(_day_counts(session, date(year, month, 1), last), lambda d: d.day)


def articles_on_day(
    session: Session, day: date, *, dated: bool = False, limit: int = 20, cursor: str | None = None
) -> Page:
    """One archive day's articles, newest first, keyset-paged; `dated` leaves out those dated
    only by when the archive first saw them."""
    query = select(Article).where(Article.published_day == day)
    if dated:
        query = query.where(Article.date_source != "first_seen")
    return _newest_first(session, query, limit, cursor)


def _day_of_row(days: DayRule, row: Mapping[str, Any]) -> date:
    return days.day_of(
        row["published_at"], row.get("published_precision", "second"), row.get("published_offset")
    )


def ensure_archive_zone(session: Session, days: DayRule, *, batch: int = 2000) -> bool:
    """Recompute the archive day of every article whose day depends on the rule (a precise
    date in an unknown zone, or any precise date when the zone is forced) when the rule
    changed; True if it did. (The day_counts triggers follow each update.)"""
    stored = session.get(Meta, "archive_tz")
    if stored is not None and stored.value == days.key:
        return False
    last_id = 0
    while True:
        rows = session.execute(
            select(
                Article.id,
                Article.published_at,
                Article.published_precision,
                Article.published_offset,
                Article.published_day,
            )
            .where(Article.id > last_id)
            .order_by(Article.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        changed = [
            {"row_id": article_id, "new_day": new_day}
            for article_id, at, precision, offset, day in rows
            if (new_day := days.day_of(at, precision, offset)) != day
        ]
        if changed:  # one executemany a batch
            table = ARTICLES
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("row_id"))
                .values(published_day=bindparam("new_day")),
                changed,
            )
        last_id = rows[-1][0]
    if stored is None:
        session.add(Meta(key="archive_tz", value=days.key))
    else:
        stored.value = days.key
    session.flush()
    return True


def update_article(
    session: Session, article_id: int, values: Mapping[str, Any], days: DayRule
) -> None:
    """Update an article's content; a content hash another article already has is left as it
    was (two articles cannot share one)."""
    values = dict(values)
    if "published_at" in values:
        values["published_day"] = _day_of_row(days, values)
    if "content_hash" in values:
        taken = session.scalar(
            select(Article.id).where(
                Article.content_hash == values["content_hash"], Article.id != article_id
            )
        )
        if taken is not None:
            del values["content_hash"]
    session.connection().execute(update(Article).where(Article.id == article_id).values(values))


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


def add_articles(session: Session, days: DayRule, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many articles in one statement batch (bulk loads and imports; no raw pages)."""
    if rows:
        session.connection().execute(
            insert(ARTICLES),
            [{**row, "published_day": _day_of_row(days, row)} for row in rows],
        )


# --- sources ----------------------------------------------------------------------------------


def find_source(session: Session, name: str) -> Source | None:
    return session.scalars(select(Source).where(Source.name == name)).first()


def get_source_by_name(session: Session, name: str) -> Source:
    source = find_source(session, name)
    if source is None:
        raise SourceNotFound(name)
    return source


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id) if _storable(source_id) else None
    if source is None:
        raise NotFound(f"source {source_id} not found")
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


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
    session.flush()
    return source


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


# --- runs -------------------------------------------------------------------------------------

RUN_COUNTERS = (
    "discovered", "fetched", "stored", "duplicates", "skipped", "failed", "feeds_failed",
)  # fmt: skip


def start_run(session: Session, kind: str, now: datetime | None = None) -> Run:
    now = now or utc_now()
    run = Run(kind=kind, status="running", started_at=now, heartbeat_at=now)
    for counter in RUN_COUNTERS:
        setattr(run, counter, 0)
    session.add(run)
    session.flush()
    return run


def count(
    session: Session, run_id: int, counts: Mapping[str, int], source_id: int | None = None
) -> None:
    """Add to a run's counters, and its source's, in SQL (concurrent workers lose nothing)."""
    if not counts:
        return
    if unknown := set(counts) - set(RUN_COUNTERS):
        raise ValueError(f"unknown run counters {unknown}")
    conn = session.connection()
    run_values = {getattr(Run, k): getattr(Run, k) + n for k, n in counts.items()}
    conn.execute(update(Run).where(Run.id == run_id).values(run_values))
    if source_id is None:
        return
    source_values = {getattr(RunSource, k): getattr(RunSource, k) + n for k, n in counts.items()}
    this_source = (RunSource.run_id == run_id) & (RunSource.source_id == source_id)
    if conn.execute(update(RunSource).where(this_source).values(source_values)).rowcount:
        return
    try:
        with session.begin_nested():
            row = dict.fromkeys(RUN_COUNTERS, 0) | dict(counts)
            session.add(RunSource(run_id=run_id, source_id=source_id, **row))
    except IntegrityError:  # a concurrent worker created the row first
        conn.execute(update(RunSource).where(this_source).values(source_values))


def record_error(
    session: Session, run_id: int, *, url: str, outcome: str, reason: str, source_id: int | None
) -> None:
    session.add(
        RunError(
            run_id=run_id,
            source_id=source_id,
            url=url,
            outcome=outcome,
            reason=reason,
            at=utc_now(),
        )
    )


def finish_run(session: Session, run_id: int, status: str = "finished") -> None:
    session.execute(
        RUNS.update().where(Run.id == run_id).values(status=status, finished_at=utc_now())
    )


def sources_with_failures(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Sources whose pages or feeds failed lately, with how often and the latest reason."""
    rows = session.execute(
        select(Source.id, Source.name, func.count(RunError.id), func.max(RunError.at))
        .join(RunError, RunError.source_id == Source.id)
        .where(RunError.at >= since, RunError.outcome == "failed")
        .group_by(Source.id, Source.name)
        .order_by(func.count(RunError.id).desc())
        .limit(20)
    ).all()
    out = []
    for source_id, name, failures, last_at in rows:
        last = session.scalars(
            select(RunError.reason)
            .where(RunError.source_id == source_id, RunError.outcome == "failed")
            .order_by(RunError.id.desc())
            .limit(1)
        ).first()
        out.append(
            {
                "id": source_id,
                "name": name,
                "failures": failures,
                "last_at": last_at,
                "last_reason": last,
            }
        )
    return out


def run_totals(session: Session) -> dict[str, int]:
    """Each run counter summed over every run."""
    row = session.execute(
        select(*(func.coalesce(func.sum(getattr(Run, c)), 0) for c in RUN_COUNTERS))
    ).one()
    return {counter: int(value) for counter, value in zip(RUN_COUNTERS, row, strict=True)}


def beat(session: Session, run_id: int, now: datetime) -> None:
    """The run's process is alive."""
    session.connection().execute(update(Run).where(Run.id == run_id).values(heartbeat_at=now))


def interrupt_stale_runs(session: Session, *, silent_since: datetime, now: datetime) -> int:
    """Mark 'interrupted' the runs still 'running' whose process has not beaten since then: it
    was killed (SIGKILL, a power cut) before it could say so. Returns how many."""
    last_sign = func.coalesce(Run.heartbeat_at, Run.started_at)
    result = session.connection().execute(
        update(Run)
        .where(Run.status == "running", last_sign < silent_since)
        .values(status="interrupted", finished_at=now)
    )
    return int(result.rowcount or 0)


def interrupt_running_runs(session: Session, *, kind: str) -> None:
    """Mark runs left 'running' by a killed process (call only when none can be running)."""
    session.connection().execute(
        update(Run)
        .where(Run.kind == kind, Run.status == "running")
        .values(status="interrupted", finished_at=utc_now())
    )


def list_runs(session: Session, *, limit: int = 20, before_id: int | None = None) -> list[Run]:
    query = select(Run).order_by(Run.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Run.id < before_id)
    return list(session.scalars(query))


def get_run(session: Session, run_id: int) -> Run:
    if not _storable(run_id):
        raise NotFound(f"run {run_id} not found")
    run = session.scalars(
        select(Run)
        .where(Run.id == run_id)
        .options(selectinload(Run.errors), selectinload(Run.sources))
    ).first()
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run
