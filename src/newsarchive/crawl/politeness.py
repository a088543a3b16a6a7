"""A crawler's manners: robots.txt read once per host and run and obeyed, and one request to a
host per slot (NEWSARCHIVE_HOST_DELAY, or a larger Crawl-delay), whoever sends it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from protego import Protego
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.errors import Failed, Skipped
from newsarchive.fetch.http import Fetcher
from newsarchive.fetch.urls import normalize


class Politeness:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        fetcher: Fetcher,
        *,
        user_agent: str,
        host_delay: float,
        max_wait: float,
        clock: Callable[[], datetime],
        stop: threading.Event,
    ) -> None:
        self.sessions = sessions
        self.fetcher = fetcher
        self.user_agent = user_agent
        self.host_delay = host_delay
        self.max_wait = max_wait  # a host that wants a longer wait is left for a later run
        self.clock = clock
        self.stop = stop
        self._robots: dict[str, Protego | None | Failed] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._refused: dict[str, str] = {}
        self._lock = threading.Lock()
        self._crawl_delays = False  # some robots.txt asked for a Crawl-delay this run

    def keep_claimed_slot(self, item: archive.frontier.Claim) -> bool:
        """Send the claim's first request in the slot the claim took, if no other request went
        to the host since (a robots.txt read, another worker): the next slot then starts now."""
        with session_scope(self.sessions) as session:
            return archive.frontier.keep_slot(
                session, item.host, item.slot_until, item.delay, self.clock
            )

    def hold_host(self, url: str) -> None:
        """After an answer: the host's next slot is at least its delay from now, so two
        requests are a delay apart as the site sees them (not only as the slots say: setting
        up a connection can make one arrive late and the next on time)."""
        if self.host_delay <= 0 and not self._crawl_delays:
            return
        host = urlsplit(normalize(url)).netloc
        with session_scope(self.sessions) as session:
            archive.frontier.hold_host(session, host, self.clock, self.host_delay)

    def wait_for_host(self, url: str) -> None:
        """Wait for the host's next slot and take it: every request to a host goes through a
        slot, so two never go out closer than its delay, whoever sends them."""
        host = urlsplit(normalize(url)).netloc
        while True:
            with session_scope(self.sessions) as session:
                busy_until = archive.frontier.take_host_slot(
                    session, host, self.clock, self.host_delay
                )
            if busy_until is None:
                return
            wait = (busy_until - self.clock()).total_seconds()
            if self.stop.is_set() or wait > self.max_wait:
                # a long Crawl-delay or a stopping crawl: the URL waits for a later run
                raise Failed(f"{host} may not be asked again for {wait:.0f} s", retryable=True)
            time.sleep(min(max(wait, 0.01), 1.0))

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        rules = self.robots_for(f"{parts.scheme}://{parts.netloc}")
        return rules is None or bool(rules.can_fetch(url, self.user_agent))

    def check_redirect(self, url: str) -> None:
        if not self.allowed(url):
            raise Skipped(f"redirected to {url[:200]}, which robots.txt disallows")

    def robots_for(self, origin: str) -> Protego | None:
        """robots.txt of an origin, read once per run. None: no rules (404 and the like).
        Raises a retryable Failed when it cannot be read (5xx, timeout): then nothing of the
        host is fetched this run, as robots.txt may forbid it."""
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
            rules = self._robots[origin]
        if isinstance(rules, Failed):
            raise rules
        return rules

    def refusal(self, origin: str) -> str | None:
        """Why robots.txt of an origin was not even asked for (our address rules), if so."""
        return self._refused.get(origin)

    def _read_robots(self, origin: str) -> Protego | None | Failed:
        try:
            result = self.fetcher.fetch(
                f"{origin}/robots.txt",
                html_only=False,
                before_request=self.wait_for_host,
                after_response=self.hold_host,
            )
        except Failed as exc:
            if exc.retryable:
                return Failed(f"robots.txt unavailable ({exc.reason})", retryable=True)
            return None  # 4xx: no rules
        except Skipped as exc:  # refused by our rules (a private address): no fetch, no rules
            self._refused[origin] = exc.reason
            return None
        rules = Protego.parse(result.body[:500_000].decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.user_agent)
        if delay:
            self._crawl_delays = True
            with session_scope(self.sessions) as session:
                host = urlsplit(origin).netloc
                archive.frontier.ensure_hosts(session, [host], self.clock())
                archive.frontier.set_crawl_delay(session, host, float(delay))
        return rules


class Slot:
    """What a page's fetch does before each request: the first uses the slot its claim took
    (unless another request went to the host since); redirects, retries and that case wait
    for a slot of their own."""

    def __init__(self, politeness: Politeness, item: archive.frontier.Claim) -> None:
        self.politeness = politeness
        self.item = item
        self.first = True

    def __call__(self, url: str) -> None:
        first, self.first = self.first, False
        same_host = urlsplit(normalize(url)).netloc == self.item.host
        if first and same_host and self.politeness.keep_claimed_slot(self.item):
            return
        self.politeness.wait_for_host(url)
