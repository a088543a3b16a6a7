"""The crawl queue's queries, directly (both stores): what is queued, who gets which URL, and
when a host may be asked again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from tests.factories import add_article, add_source

NOW = datetime(2025, 1, 1, 12, tzinfo=UTC)
LEASE = timedelta(minutes=10)


def queue(sessions: sessionmaker[Session], *urls: str) -> int:
    with sessions() as session:
        found = archive.find_source(session, "s")
    source_id = found.id if found else add_source(sessions, "s")
    with session_scope(sessions) as session:
        new = [
            archive.frontier.NewURL(
                url=u, url_normalized=u, host=u.split("/")[2], source_id=source_id
            )
            for u in urls
        ]
        return archive.frontier.enqueue(session, new, NOW)


def claim(
    sessions: sessionmaker[Session], *, now: datetime = NOW, delay: float = 1.0, worker: str = "w"
) -> archive.frontier.Claim | None:
    with session_scope(sessions) as session:
        return archive.frontier.claim(session, worker=worker, now=now, lease=LEASE, min_delay=delay)


def test_a_url_is_queued_once_and_never_when_stored(sessions: sessionmaker[Session]) -> None:
    stored = add_article(sessions, "Stored", "already stored text")
    with sessions() as session:
        stored_url = archive.get_article(session, stored).url
    assert queue(sessions, "https://a.example/1", "https://a.example/1", stored_url) == 1
    assert queue(sessions, "https://a.example/1", "https://a.example/2") == 1


def test_one_host_is_asked_once_per_delay(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "https://a.example/1", "https://a.example/2", "https://b.example/1")
    first, second = claim(sessions), claim(sessions)
    assert first is not None
    assert second is not None
    assert {first.host, second.host} == {"a.example", "b.example"}  # not a.example twice
    assert claim(sessions) is None  # a.example's next slot is a second away
    later = claim(sessions, now=NOW + timedelta(seconds=1))
    assert later is not None
    assert later.url == "https://a.example/2"


def test_two_workers_at_once_never_get_the_same_url(sessions: sessionmaker[Session]) -> None:
    """Two open transactions claiming together (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
    takes one writer at a time): each gets a URL of its own."""
    queue(sessions, "https://a.example/1", "https://b.example/1")
    with sessions() as one, sessions() as two:
        got_one = archive.frontier.claim(one, worker="one", now=NOW, lease=LEASE, min_delay=0)
        if one.get_bind().dialect.name == "sqlite":
            one.commit()  # SQLite: the second writer waits for the first
        got_two = archive.frontier.claim(two, worker="two", now=NOW, lease=LEASE, min_delay=0)
        one.commit()
        two.commit()
    assert got_one is not None
    assert got_two is not None
    assert got_one.id != got_two.id


def test_the_claimed_slot_is_kept_only_if_nobody_asked_the_host_since(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, "https://a.example/1")
    item = claim(sessions)
    assert item is not None
    sent = NOW + timedelta(seconds=0.2)  # the request goes out a little after the claim
    with session_scope(sessions) as session:
        assert archive.frontier.keep_slot(session, item.host, item.slot_until, 1.0, lambda: sent)
    with session_scope(sessions) as session:  # the next slot: a delay after the request
        busy_until = archive.frontier.take_host_slot(session, item.host, lambda: sent, 1.0)
        assert busy_until == sent + timedelta(seconds=1)
    with session_scope(sessions) as session:  # that slot was used: a second request must wait
        assert not archive.frontier.keep_slot(
            session, item.host, item.slot_until, 1.0, lambda: sent
        )


@pytest.mark.parametrize(("retry", "state"), [(True, "queued"), (False, "failed")])
def test_a_finished_claim_is_closed_or_queued_again(
    sessions: sessionmaker[Session], retry: bool, state: str
) -> None:
    queue(sessions, "https://a.example/1")
    item = claim(sessions)
    assert item is not None
    with session_scope(sessions) as session:
        archive.frontier.finish(
            session, item.id, state="failed", now=NOW, error="HTTP 503",
            retry_at=NOW + timedelta(minutes=5) if retry else None,
        )  # fmt: skip
        assert archive.frontier.counts_by_state(session) == {state: 1}


def test_claims_of_a_killed_worker_go_back_to_the_queue(sessions: sessionmaker[Session]) -> None:
    queue(sessions, "https://a.example/1")
    assert claim(sessions) is not None
    assert claim(sessions, now=NOW + timedelta(seconds=5)) is None  # leased
    assert claim(sessions, now=NOW + LEASE + timedelta(seconds=1)) is not None  # lease ran out
    with session_scope(sessions) as session:
        assert archive.frontier.release_claims(session) == 1
        assert archive.frontier.counts_by_state(session) == {"queued": 1}
