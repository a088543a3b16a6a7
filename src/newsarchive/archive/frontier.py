"""The crawl frontier and host politeness: the queries several crawl workers share.

Work is claimed one URL at a time in a short transaction that also takes the host's next fetch
slot, so every worker on every machine keeps the per-host delay. On PostgreSQL the claim uses
``FOR UPDATE SKIP LOCKED``; on both stores it is a conditional UPDATE whose row count says whether
this worker won, so a URL is never handed to two workers. A claim is a lease: a worker that dies
leaves rows that any worker may claim again once the lease has run out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from newsarchive.db.base import UTCDateTime
from newsarchive.db.models import Article, FrontierURL, Host

CHUNK = 500
# claim(): how often to look again when another worker took the host's slot (or the URL) between
# our read and our write; after that many lost races the worker waits for the next ready time.
SLOT_RACES = 10


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class NewURL:
    url: str
    url_normalized: str
    host: str
    source_id: int
    feed_id: int | None = None
    hint_title: str | None = None
    hint_date: datetime | None = None
    hint_date_source: str | None = None


@dataclass(frozen=True)
class Claim:
    """A URL leased to one worker. A plain value: it crosses threads, not sessions."""

    id: int
    url: str
    host: str
    source_id: int
    attempts: int
    hint_title: str | None
    hint_date: datetime | None
    hint_date_source: str | None
    delay: float  # seconds this host wants between two requests
    slot_until: datetime  # the host's next slot, as the claim set it
    revisit_of: int | None = None  # a stored article fetched again


def insert_ignoring(session: Session, model: type) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING exists on both stores, in each dialect's own module."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def ensure_hosts(session: Session, hosts: Iterable[str], now: datetime) -> None:
    rows = [{"host": h, "next_fetch_at": now} for h in sorted(set(hosts))]
    for start in range(0, len(rows), CHUNK):
        stmt = insert_ignoring(session, Host).values(rows[start : start + CHUNK])
        session.execute(stmt.on_conflict_do_nothing(index_elements=["host"]))


def enqueue(session: Session, urls: Sequence[NewURL], now: datetime) -> int:
    """Queue URLs not yet stored as articles nor already in the frontier; return how many."""
    first_seen: dict[str, NewURL] = {}
    for u in urls:
        first_seen.setdefault(u.url_normalized, u)
    fresh = list(first_seen.values())
    added = 0
    for start in range(0, len(fresh), CHUNK):
        chunk = fresh[start : start + CHUNK]
        keys = [u.url_normalized for u in chunk]
        stored = set(
            session.scalars(select(Article.url_normalized).where(Article.url_normalized.in_(keys)))
        ) | set(session.scalars(select(Article.url_key).where(Article.url_key.in_(keys))))
        rows = [
            {
                "url": u.url,
                "url_normalized": u.url_normalized,
                "host": u.host,
                "source_id": u.source_id,
                "feed_id": u.feed_id,
                "state": "queued",
                "attempts": 0,
                "next_try_at": now,
                "hint_title": u.hint_title,
                "hint_date": u.hint_date,
                "hint_date_source": u.hint_date_source,
                "discovered_at": now,
            }
            for u in chunk
            if u.url_normalized not in stored
        ]
        if not rows:
            continue
        ensure_hosts(session, (u.host for u in chunk if u.url_normalized not in stored), now)
        stmt = (
            insert_ignoring(session, FrontierURL)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["url_normalized"])
            .returning(FrontierURL.id)
        )
        added += len(session.execute(stmt).all())
    return added


def _claimable(now: datetime) -> Any:
    return or_(
        and_(FrontierURL.state == "queued", FrontierURL.next_try_at <= now),
        and_(FrontierURL.state == "claimed", FrontierURL.lease_until < now),
    )


def claim(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    min_delay: float,
    source_ids: Sequence[int] | None = None,
) -> Claim | None:
    """Lease the oldest claimable URL whose host may be asked now, and take that host's slot."""
    for _ in range(SLOT_RACES):
        query = (
            select(FrontierURL, Host.crawl_delay)
            .join(Host, Host.host == FrontierURL.host)
            .where(_claimable(now), Host.next_fetch_at <= now)
            .order_by(FrontierURL.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=FrontierURL)
        )
        if source_ids is not None:
            query = query.where(FrontierURL.source_id.in_(source_ids))
        row = session.execute(query).first()
        if row is None:
            return None
        item, crawl_delay = row
        attempts = item.attempts + 1
        delay = max(min_delay, crawl_delay or 0.0)
        if not _take_slot(session, item.host, now, delay):
            continue  # another worker asked this host a moment ago
        won = (
            session.connection()
            .execute(
                update(FrontierURL)
                .where(FrontierURL.id == item.id, _claimable(now))
                .values(
                    state="claimed",
                    lease_until=now + lease,
                    claimed_by=worker,
                    attempts=FrontierURL.attempts + 1,
                )
            )
            .rowcount
        )
        if won == 1:
            return Claim(
                id=item.id,
                url=item.url,
                host=item.host,
                source_id=item.source_id,
                attempts=attempts,
                hint_title=item.hint_title,
                hint_date=item.hint_date,
                hint_date_source=item.hint_date_source,
                delay=delay,
                slot_until=now + timedelta(seconds=delay),
                revisit_of=item.revisit_of,
            )
    return None


def take_host_slot(session: Session, host: str, clock: Clock, min_delay: float) -> datetime | None:
    """Take the host's fetch slot now (None), or say when it frees up."""
    now = clock()
    ensure_hosts(session, [host], now)
    next_fetch_at, crawl_delay = session.execute(
        select(Host.next_fetch_at, Host.crawl_delay).where(Host.host == host)
    ).one()
    delay = max(min_delay, crawl_delay or 0.0)
    if next_fetch_at <= now and _take_slot(session, host, now, delay):
        _next_slot_after(session, host, clock, delay)
        return None
    return session.scalar(select(Host.next_fetch_at).where(Host.host == host))


def _take_slot(session: Session, host: str, now: datetime, delay: float) -> bool:
    """Give ``host``'s next slot to this caller if it is free now; False when another worker
    took it first (the conditional update is what decides, on both stores)."""
    result = session.connection().execute(
        update(Host)
        .where(Host.host == host, Host.next_fetch_at <= now)
        .values(next_fetch_at=now + timedelta(seconds=delay))
    )
    return result.rowcount == 1


def keep_slot(
    session: Session, host: str, claimed_until: datetime, delay: float, clock: Clock
) -> bool:
    """Use the slot a claim took, now, if nobody has taken the host's next slot since: the
    next one starts `delay` after now. False: another request went to the host meanwhile."""
    result = session.connection().execute(
        update(Host)
        .where(Host.host == host, Host.next_fetch_at == claimed_until)
        .values(next_fetch_at=claimed_until)  # no change: it takes the row's write lock
    )
    if result.rowcount != 1:
        return False
    _next_slot_after(session, host, clock, delay)
    return True


def hold_host(session: Session, host: str, clock: Clock, min_delay: float) -> None:
    """Move the host's next slot to at least a delay (its own, if larger) from now; never
    earlier."""
    crawl_delay = session.scalar(select(Host.crawl_delay).where(Host.host == host))
    until = clock() + timedelta(seconds=max(min_delay, crawl_delay or 0.0))
    session.connection().execute(
        update(Host)
        .where(Host.host == host, Host.next_fetch_at < until)
        .values(next_fetch_at=until)
    )


def _next_slot_after(session: Session, host: str, clock: Clock, delay: float) -> None:
    """Set the host's next slot from the time read now that this transaction holds the row:
    a time read before waiting for a lock (SQLite's database lock, a PostgreSQL row lock held
    by another worker) would be early, and the next request too close."""
    session.connection().execute(
        update(Host)
        .where(Host.host == host)
        .values(next_fetch_at=clock() + timedelta(seconds=delay))
    )


def set_crawl_delay(session: Session, host: str, delay: float | None) -> None:
    session.connection().execute(update(Host).where(Host.host == host).values(crawl_delay=delay))


def next_ready_at(
    session: Session, *, now: datetime, source_ids: Sequence[int] | None = None
) -> datetime | None:
    """When the next queued URL (of these sources) may be claimed; None when nothing waits."""
    later = case(
        (FrontierURL.next_try_at > Host.next_fetch_at, FrontierURL.next_try_at),
        else_=Host.next_fetch_at,
    )
    query = (
        select(func.min(type_coerce(later, UTCDateTime)))
        .select_from(FrontierURL)
        .join(Host, Host.host == FrontierURL.host)
        .where(FrontierURL.state == "queued")
    )
    if source_ids is not None:
        query = query.where(FrontierURL.source_id.in_(source_ids))
    return session.scalar(query)


def finish(
    session: Session,
    claim_id: int,
    *,
    state: str,
    now: datetime,
    article_id: int | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Close a claim: done / skipped / failed, or back to the queue at ``retry_at``."""
    values: dict[str, Any] = {"lease_until": None, "claimed_by": None, "last_error": error}
    if retry_at is not None:
        values |= {"state": "queued", "next_try_at": retry_at}
    else:
        values |= {"state": state, "finished_at": now, "article_id": article_id}
    session.connection().execute(
        update(FrontierURL).where(FrontierURL.id == claim_id).values(values)
    )


def requeue(session: Session, claim_id: int, now: datetime) -> None:
    """Put a claim back as it was before it was claimed (its try not counted): the run that
    held it stopped before the page had an outcome."""
    session.connection().execute(
        update(FrontierURL)
        .where(FrontierURL.id == claim_id)
        .values(
            state="queued",
            next_try_at=now,
            lease_until=None,
            claimed_by=None,
            attempts=case((FrontierURL.attempts > 0, FrontierURL.attempts - 1), else_=0),
        )
    )


def release_claims(session: Session, workers: Sequence[str] | None = None) -> int:
    """Put the claimed URLs of these workers (None: every worker, only safe when no other can
    be running) back in the queue."""
    query = update(FrontierURL).where(FrontierURL.state == "claimed")
    if workers is not None:
        query = query.where(FrontierURL.claimed_by.in_(workers))
    released = query.values(state="queued", lease_until=None, claimed_by=None)
    return session.connection().execute(released).rowcount


def claiming_workers(session: Session) -> list[str]:
    """The workers that hold claims now."""
    query = select(FrontierURL.claimed_by).where(FrontierURL.state == "claimed").distinct()
    return [worker for worker in session.scalars(query) if worker]


def counts_by_state(session: Session) -> dict[str, int]:
    rows = session.execute(select(FrontierURL.state, func.count()).group_by(FrontierURL.state))
    return dict(rows.all())
