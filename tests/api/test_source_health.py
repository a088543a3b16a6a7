"""Source health against the local news site, on both stores: a source whose pages lose their
dates gets dates_missing (shown in its health, in /metrics), which closes when dates come back;
a source with a few odd pages gets none; a failing source gets fetch_failing."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive, services
from newsarchive.config import Settings
from newsarchive.db.base import utc_now
from newsarchive.db.models import SavedSearch
from newsarchive.db.session import session_scope
from newsarchive.fetch.http import Fetcher
from newsarchive.services import crawler
from newsarchive.watch import webhooks
from tests.factories import add_source
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite, Receiver, free_port


class Site:
    """One source's feed, refilled before each crawl with new pages."""

    def __init__(self, site: NewsSite, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.site, self.settings, self.sessions, self.n = site, settings, sessions, 0
        self.source_id = add_source(sessions, "harbour", feeds=[site.url("/rss")])

    def crawl(self, pages: int, *, dated: bool | float = True) -> None:
        """`pages` new articles; `dated`: all, none, or the share that carry a date."""
        rng = random.Random(self.n)
        links = []
        for _ in range(pages):
            self.n += 1
            with_date = dated if isinstance(dated, bool) else rng.random() < dated
            html = article_html(
                f"Story {self.n}", paragraphs=story_paragraphs(self.n, paragraphs=2),
                published="2024-03-05T09:30:00+01:00" if with_date else None,
            )  # fmt: skip
            links.append(self.site.page(f"/news/{self.n}", html))
        self.site.feed("/rss", links)
        crawler(self.settings, self.sessions).run()


FAST = {"host_delay": 0.0, "extract_workers": 0, "revisit_after": "", "concurrency": 4}


@pytest.fixture
def harbour(site: NewsSite, sessions: sessionmaker[Session], settings: Settings) -> Site:
    return Site(site, sessions, settings.model_copy(update=FAST))


def alerts(client: TestClient, source_id: int) -> list[tuple[str, bool]]:
    health = client.get(f"/api/sources/{source_id}/health").json()
    return [(a["kind"], a["open"]) for a in health["alerts"]]


def test_dates_vanish_then_return(harbour: Site, client: TestClient) -> None:
    harbour.crawl(35)
    assert alerts(client, harbour.source_id) == []
    harbour.crawl(20, dated=False)  # the redesign: no date on the page any more
    assert alerts(client, harbour.source_id) == [("dates_missing", True)]
    metrics = client.get("/metrics").text
    assert 'newsarchive_source_alert{kind="dates_missing",source="harbour"} 1.0' in metrics
    health = client.get(f"/api/sources/{harbour.source_id}/health").json()
    [today] = health["days"]
    assert (today["stored"], today["with_page_date"], today["with_title"]) == (55, 35, 55)
    harbour.crawl(20)  # fixed
    assert alerts(client, harbour.source_id) == [("dates_missing", False)]
    assert "newsarchive_source_alert{" not in client.get("/metrics").text


def test_a_few_odd_pages_open_nothing(harbour: Site, client: TestClient) -> None:
    harbour.crawl(35)
    harbour.crawl(20, dated=0.85)
    assert alerts(client, harbour.source_id) == []


def test_a_failing_source_is_told(
    site: NewsSite, sessions: sessionmaker[Session], settings: Settings, client: TestClient
) -> None:
    fast = settings.model_copy(update={"host_delay": 0.0, "extract_workers": 0})
    source_id = add_source(sessions, "gone", feeds=[site.url("/missing-feed")])
    for _ in range(3):
        crawler(fast, sessions).run()
    assert alerts(client, source_id) == [("fetch_failing", True)]
    health = client.get(f"/api/sources/{source_id}/health").json()
    assert health["fetch"]["consecutive_failed_runs"] == 3
    assert health["fetch"]["last_success_at"] is None


def events(receiver: Receiver) -> list[tuple[str, str]]:
    return [
        (json.loads(body)["event"], json.loads(body)["kind"]) for _p, _h, body in receiver.posts
    ]


def test_alerts_are_posted_signed_once_each(
    site: NewsSite, sessions: sessionmaker[Session], settings: Settings
) -> None:
    with Receiver() as receiver:
        hooked = settings.model_copy(
            update={"alert_webhook": receiver.url, "webhook_secret": SecretStr("s3cret")}
        )
        harbour = Site(site, sessions, hooked.model_copy(update=FAST))
        harbour.crawl(35)
        harbour.crawl(20, dated=False)
        harbour.crawl(0)  # a run with nothing new sends nothing again
        assert events(receiver) == [("alert.opened", "dates_missing")]
        _path, headers, body = receiver.posts[0]
        delivery = headers["x-newsarchive-delivery"]
        signed = f"{headers['x-newsarchive-timestamp']}.{delivery}.".encode() + body
        expected = "sha256=" + hmac.new(b"s3cret", signed, hashlib.sha256).hexdigest()
        assert headers["x-newsarchive-signature"] == expected
        assert headers["x-newsarchive-delivery"].isdigit()
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["source"] == "harbour"
        harbour.crawl(20)
        assert events(receiver) == [
            ("alert.opened", "dates_missing"),
            ("alert.closed", "dates_missing"),
        ]
    with sessions() as session:
        log = archive.recent_deliveries(session)
    assert [(d.event, d.attempts, d.last_error) for d in log] == [
        ("alert.closed", 1, None), ("alert.opened", 1, None),
    ]  # fmt: skip


def test_a_dead_receiver_is_logged_and_kept_for_later(
    site: NewsSite, sessions: sessionmaker[Session], settings: Settings
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/hook"
    hooked = settings.model_copy(update={"alert_webhook": dead, **FAST})
    source_id = add_source(sessions, "gone", feeds=[site.url("/missing-feed")])
    for _ in range(3):
        crawler(hooked, sessions).run()
    with sessions() as session:
        [delivery] = archive.recent_deliveries(session)
        assert archive.open_alerts(session, source_id)[0].kind == "fetch_failing"
    assert (delivery.attempts, delivery.delivered_at) == (1, None)
    assert (delivery.last_error or "").startswith("connection failed")
    assert delivery.next_try_at > delivery.created_at  # tried again later, with backoff
    crawler(hooked, sessions).run()  # too soon: the backoff holds it
    later = delivery.next_try_at + timedelta(seconds=1)
    crawler(hooked, sessions, clock=lambda: later).run()
    with sessions() as session:
        [retried] = archive.recent_deliveries(session)
    assert (retried.attempts, retried.delivered_at) == (2, None)
    assert retried.next_try_at - later >= timedelta(minutes=2)  # the second wait is longer


def test_a_private_receiver_is_refused_before_connecting(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    """Without NEWSARCHIVE_ALLOW_PRIVATE_HOSTS a webhook to 127.0.0.1 is refused after DNS and
    before any connection: the receiver sees nothing."""
    with Receiver() as receiver:
        strict = settings.model_copy(
            update={"alert_webhook": receiver.url, "allow_private_hosts": False, **FAST}
        )
        source_id = add_source(sessions, "local", feeds=["http://127.0.0.1:9/feed"])
        for _ in range(3):
            crawler(strict, sessions).run()
        assert receiver.posts == []
    with sessions() as session:
        assert archive.open_alerts(session, source_id)[0].kind == "fetch_failing"
        [delivery] = archive.recent_deliveries(session)
    assert (
        delivery.last_error
        == "refused to fetch 127.0.0.1 (127.0.0.1): private or loopback address "
        "(NEWSARCHIVE_ALLOW_PRIVATE_HOSTS=true allows it)"
    )


def test_a_broken_webhook_url_does_not_hold_up_the_others(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    with Receiver() as receiver:
        now = utc_now()
        with session_scope(sessions) as session:
            archive.queue_delivery(session, "http://127.0.0.1:99999/x", "alert.opened", "{}", now)
            archive.queue_delivery(session, receiver.url, "alert.opened", '{"ok": 1}', now)
        with services.poster(settings) as poster:
            arrived = webhooks.deliver_due(sessions, poster, secret=None, clock=utc_now)
        assert (arrived, [body for _p, _h, body in receiver.posts]) == (1, [b'{"ok": 1}'])
    with sessions() as session:
        broken, good = sorted(archive.recent_deliveries(session), key=lambda d: d.id)
    assert (good.delivered_at is not None, broken.delivered_at) == (True, None)
    assert broken.attempts == 1
    assert (broken.last_error or "").startswith("connection failed")


def test_a_dribbling_receiver_is_given_up_at_the_deadline(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    """A receiver that sends its status line one byte at a time (each byte within any read
    timeout) holds a POST no longer than the poster's deadline, and no other worker posts the
    delivery meanwhile: its lease outlasts the attempt."""
    with Receiver(dribble=0.3) as slow:
        with session_scope(sessions) as session:
            archive.queue_delivery(session, slow.url, "alert.opened", "{}", utc_now())
        started = time.monotonic()
        with Fetcher(user_agent="t", timeout=1.0, allow_private=True) as poster:
            arrived = webhooks.deliver_due(sessions, poster, secret=None, clock=utc_now, budget=1)
        elapsed = time.monotonic() - started
    assert arrived == 0
    assert elapsed < 5  # the 1 s deadline (it dribbled for 30 s before)
    with sessions() as session:
        [delivery] = archive.recent_deliveries(session)
        assert not archive.due_deliveries(session, utc_now())  # backoff: not again at once
    assert (delivery.last_error or "").startswith("timed out after 1 s")
    assert len(slow.posts) == 1


def test_a_saved_search_mark_moves_once(sessions: sessionmaker[Session]) -> None:
    """Two workers that looked up the same new matches: only the first moves the mark (and
    sends them)."""
    with session_scope(sessions) as session:
        search = archive.create_saved_search(
            session,
            SavedSearch(name="s", q="ferry", webhook="https://h.example/", created_at=utc_now()),
        )
        first = archive.mark_delivered(session, search.id, seen=0, up_to=5, count=2, now=utc_now())
        second = archive.mark_delivered(session, search.id, seen=0, up_to=7, count=3, now=utc_now())
    assert (first, second) == (True, False)
