"""Crawl runs: discover article URLs from due sources into the frontier, then fetch, extract and
store what the frontier hands this worker, politely and in parallel.

Threads fetch (I/O); a process pool extracts (CPU), so fetching hides behind extraction and a
crawl uses every core. Several workers may share one PostgreSQL frontier; on SQLite one crawl runs
at a time (a second one is told so and leaves).
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import (
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Histogram
from protego import Protego
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.archive import DayRule, frontier
from newsarchive.config import Settings
from newsarchive.db.base import utc_now
from newsarchive.db.models import Source
from newsarchive.db.session import session_scope
from newsarchive.errors import CrawlBusy, Failed, IngestError, Skipped
from newsarchive.ingest import discover
from newsarchive.ingest.page import Hint, Page
from newsarchive.ingest.pipeline import (
    Outcome,
    Pipeline,
    Prepared,
    fetcher_from,
    prepare,
)
from newsarchive.ingest.runs import RunLog
from newsarchive.ingest.urls import normalize, without_tracking

log = logging.getLogger(__name__)

# This crawl process's own timings; `newsarchive crawl --metrics-port P` serves them on :P.
METRICS = CollectorRegistry()
FETCH_SECONDS = Histogram(
    "newsarchive_fetch_seconds", "Time to fetch one article page", ["outcome"], registry=METRICS
)
EXTRACT_SECONDS = Histogram(
    "newsarchive_extract_seconds", "Time to extract one page (in the pool)", registry=METRICS
)

MAX_ATTEMPTS = 3  # tries of one URL across runs before it is marked failed for good
RETRY_BASE = timedelta(minutes=5)  # a retryable failure waits 5, 10, 20 ... minutes
LISTINGS = ("feed: ", "sitemap: ")  # how a feed's or sitemap's failure reason starts
MAX_SITEMAPS = 200  # child sitemaps followed from indexes, per source and run
MAX_SITEMAP_DEPTH = 3


@dataclass(frozen=True)
class CrawlReport:
    run_id: int
    status: str
    discovered: int
    fetched: int
    stored: int
    duplicates: int
    skipped: int
    failed: int
    feeds_failed: int = 0
    feed_error: str | None = None  # the first feed or sitemap that could not be read, and why

    def line(self) -> str:
        line = (
            f"run {self.run_id} {self.status}: discovered {self.discovered}, fetched {self.fetched}, "
            f"stored {self.stored}, duplicates {self.duplicates}, skipped {self.skipped}, "
            f"failed {self.failed}"
        )
        if self.feeds_failed:
            line += f"; feeds or sitemaps failed {self.feeds_failed} (first: {self.feed_error})"
        return line


class _Slot:
    """What a page's fetch does before each request: the first uses the slot its claim took
    (unless another request went to the host since); redirects, retries and that case wait
    for a slot of their own."""

    def __init__(self, crawler: Crawler, item: frontier.Claim) -> None:
        self.crawler = crawler
        self.item = item
        self.first = True

    def __call__(self, url: str) -> None:
        first, self.first = self.first, False
        same_host = urlsplit(normalize(url)).netloc == self.item.host
        if first and same_host and self.crawler.keep_claimed_slot(self.item):
            return
        self.crawler.wait_for_host(url)


@dataclass(frozen=True)
class _Done:
    item: frontier.Claim
    outcome: Outcome
    fetched: bool
    retry_at: datetime | None


class _Budget:
    """--max-articles, shared by the worker threads."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left is None:
                return True
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            if self.left is not None:
                self.left += 1

    def spent(self) -> bool:
        with self._lock:
            return self.left is not None and self.left <= 0


Progress = Callable[[str, int], None]  # ("discovered", n) or ("stored" | "duplicate" | ..., 1)


@contextmanager
def exclusive_crawl(database_url: str) -> Iterator[bool]:
    """Yield True when this process may crawl, and whether it is the only crawler.

    SQLite: one crawl at a time, enforced with an advisory lock on a file beside the database
    (the OS drops it when a killed crawl dies). PostgreSQL: any number of workers share the
    frontier, so nothing is locked and this yields False (not alone).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        yield False
        return
    if not url.database or url.database == ":memory:":
        yield True
        return
    with open(f"{url.database}.crawl-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlBusy("another crawl is running on this database") from None
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


T = TypeVar("T")


def _ignore_interrupts() -> None:
    """Ctrl-C on a terminal reaches the whole process group: the crawl's own handler finishes
    the pages in hand, so an extraction process must not die of it mid-page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ExtractionPool:
    """Extraction processes that replace themselves when one dies (a page that exhausts memory,
    a crash in a C extension): a broken ProcessPoolExecutor fails every later call, which would
    fail the rest of the run."""

    def __init__(self, workers: int, stop: threading.Event) -> None:
        self.workers = workers
        self.stop = stop
        self.context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported trafilatura and its models.
        self.context.set_forkserver_preload(["newsarchive.ingest.pipeline"])
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context, initializer=_ignore_interrupts
        )

    def run(self, function: Callable[..., T], *args: Any) -> T:
        pool = self._pool
        try:
            with EXTRACT_SECONDS.time():
                return pool.submit(function, *args).result()
        except BrokenProcessPool as exc:
            self._replace(pool)
            # The page goes back to the queue rather than being lost as failed (the process
            # may also have died of a SIGTERM sent to the whole process group on shutdown).
            raise Failed("the extraction process died", retryable=True) from exc

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken and not self.stop.is_set():
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                log.warning("an extraction process died: the pool was started again")

    def close(self) -> None:
        self._pool.shutdown()


class Crawler:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        progress: Progress | None = None,
        clock: Callable[[], datetime] = utc_now,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.days = DayRule(settings.zone, settings.archive_tz_force)
        self.sessions = sessions
        self.progress = progress or (lambda _kind, _n: None)
        self.clock = clock
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # Set it (SIGTERM does, through the CLI) to finish the pages in hand and end the run.
        self.stop = stop or threading.Event()
        self._robots: dict[str, Protego | None | Failed] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.run_log = RunLog(sessions, "crawl", clock=clock)

    # --- the run ----------------------------------------------------------------------------

    def run(self, *, source: str | None = None, max_articles: int | None = None) -> CrawlReport:
        with exclusive_crawl(self.settings.database_url) as alone:
            with session_scope(self.sessions) as session:
                archive.ensure_archive_zone(session, self.days)
                if alone:  # whatever a killed crawl left claimed or running is ours to resume
                    frontier.release_claims(session)
                    archive.interrupt_running_runs(session, kind="crawl")
                sources = (
                    [archive.get_source_by_name(session, source)]
                    if source
                    else archive.due_sources(session, self.clock())
                )
                source_ids = [s.id for s in sources] if source else None
                self.run_log.start(session)
            status = "failed"
            try:
                with fetcher_from(self.settings) as fetcher, self._extractor() as extractor:
                    self.fetcher = fetcher
                    self.pipeline = Pipeline(
                        self.sessions,
                        max_bytes=self.settings.max_page_bytes,
                        clock=self.clock,
                        extractor=extractor,
                        days=self.days,
                    )
                    for src in sources:
                        if not self.stop.is_set():
                            self._discover(src, forced=source is not None)
                    self._drain(source_ids, max_articles)
                status = "interrupted" if self.stop.is_set() else "finished"
            finally:
                self.run_log.finish(status)
                log.info("run finished", extra={"run": self.run_log.id, "status": status})
        return self.report()

    def report(self) -> CrawlReport:
        with self.sessions() as session:
            run = archive.get_run(session, self.run_log.id)
            counts = {counter: getattr(run, counter) for counter in archive.RUN_COUNTERS}
            feed_error = next(
                (f"{e.reason} at {e.url}" for e in run.errors if e.reason.startswith(LISTINGS)),
                None,
            )
            return CrawlReport(run_id=run.id, status=run.status, feed_error=feed_error, **counts)

    @contextmanager
    def _extractor(self) -> Iterator[Callable[[Page, datetime], Prepared]]:
        workers = self.settings.extract_workers
        if workers is None:
            workers = os.cpu_count() or 1
        if workers == 0:

            def inline(page: Page, now: datetime) -> Prepared:
                with EXTRACT_SECONDS.time():
                    return prepare(page, now)

            yield inline
            return
        pool = ExtractionPool(workers, self.stop)
        try:
            yield lambda page, now: pool.run(prepare, page, now)
        finally:
            pool.close()

    # --- discovery --------------------------------------------------------------------------

    def _discover(self, source: Source, *, forced: bool) -> None:
        now = self.clock()
        due_before = None if forced else now - timedelta(minutes=source.interval_minutes)
        with session_scope(self.sessions) as session:
            if not archive.mark_crawled(session, source.id, now, due_before):
                return  # another worker is discovering this source
            feeds = [(f.id, f.kind, f.url, f.etag, f.last_modified) for f in source.feeds]
        for feed_id, kind, url, etag, last_modified in feeds:
            self._read_listing(source.id, feed_id, kind, url, etag, last_modified)
        if source.home_url:
            known = {url for _i, kind, url, _e, _l in feeds if kind == "sitemap"}
            for sitemap in self._robots_sitemaps(source.home_url):
                if sitemap not in known:
                    self._read_listing(source.id, None, "sitemap", sitemap, None, None)

    def _read_listing(
        self,
        source_id: int,
        feed_id: int | None,
        kind: str,
        url: str,
        etag: str | None,
        last_modified: str | None,
        depth: int = 0,
        budget: list[int] | None = None,
    ) -> None:
        budget = budget if budget is not None else [MAX_SITEMAPS]
        error: str | None = None
        try:
            if not self._allowed(url):
                raise Skipped("disallowed by robots.txt")
            result = self.fetcher.fetch(
                url,
                html_only=False,
                etag=etag,
                last_modified=last_modified,
                check_hop=self._check_redirect,
                before_request=self.wait_for_host,
            )
            if not result.not_modified:
                listing = discover.parse(
                    result.body, result.final_url, kind, content_type=result.content_type
                )
                self._enqueue(source_id, feed_id, kind, listing.entries)
                for child in listing.sitemaps:
                    if depth >= MAX_SITEMAP_DEPTH or budget[0] <= 0:
                        break
                    budget[0] -= 1
                    self._read_listing(
                        source_id, feed_id, "sitemap", child, None, None, depth + 1, budget
                    )
            etag, last_modified = result.etag, result.last_modified
        except IngestError as exc:
            error = exc.reason
            self.run_log.feed_failed(url, exc.outcome, f"{kind}: {exc.reason}", source_id)
        if feed_id is not None and depth == 0:
            with session_scope(self.sessions) as session:
                archive.record_feed_check(
                    session, feed_id, at=self.clock(), error=error, etag=etag,
                    last_modified=last_modified,
                )  # fmt: skip

    def _enqueue(
        self, source_id: int, feed_id: int | None, kind: str, entries: list[discover.Entry]
    ) -> None:
        urls = []
        for entry in entries:
            try:
                key = normalize(entry.url)
            except IngestError:
                continue
            urls.append(
                frontier.NewURL(
                    url=without_tracking(entry.url),
                    url_normalized=key,
                    host=urlsplit(key).netloc,
                    source_id=source_id,
                    feed_id=feed_id,
                    hint_title=entry.title,
                    hint_date=entry.published,
                    hint_date_source=kind if entry.published else None,
                )
            )
        with session_scope(self.sessions) as session:
            added = frontier.enqueue(session, urls, self.clock())
            self.run_log.add({"discovered": added} if added else {}, source_id, session)
        if added:
            self.progress("discovered", added)

    def _robots_sitemaps(self, home_url: str) -> list[str]:
        parts = urlsplit(home_url)
        try:
            rules = self._robots_for(f"{parts.scheme}://{parts.netloc}")
        except IngestError:
            return []
        return list(rules.sitemaps) if rules is not None else []

    # --- fetching from the frontier ---------------------------------------------------------

    def _drain(self, source_ids: list[int] | None, max_articles: int | None) -> None:
        """NEWSARCHIVE_CONCURRENCY threads, each claiming its own next URL in the transaction
        that closes the last one: two write transactions per page (store; close and claim)."""
        budget = _Budget(max_articles)
        with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="crawl") as pool:
            workers = [
                pool.submit(self._work, source_ids, budget)
                for _ in range(self.settings.concurrency)
            ]
            for worker in workers:
                worker.result()

    def _work(self, source_ids: list[int] | None, budget: _Budget) -> None:
        item = self._close_and_claim(None, source_ids, budget)
        while True:
            while item is not None:
                item = self._close_and_claim(self._process(item), source_ids, budget)
            if self.stop.is_set() or budget.spent():
                return
            with self.sessions() as session:
                ready = frontier.next_ready_at(session, now=self.clock(), source_ids=source_ids)
            if ready is None:
                return
            wait_s = (ready - self.clock()).total_seconds()
            if wait_s > self.settings.crawl_max_wait:
                return  # the rest waits for a later run
            time.sleep(min(max(wait_s, 0.02), 0.5))
            item = self._close_and_claim(None, source_ids, budget)

    def _process(self, item: frontier.Claim) -> _Done:
        """Fetch, extract and store one claimed URL; every outcome is returned, none raised."""
        started = time.perf_counter()
        retry_at = None
        fetched = False
        try:
            if not self._allowed(item.url):
                raise Skipped("disallowed by robots.txt")
            fetch_started = time.perf_counter()
            try:
                result = self.fetcher.fetch(
                    item.url, check_hop=self._check_redirect, before_request=_Slot(self, item)
                )
            except IngestError as exc:
                FETCH_SECONDS.labels(exc.outcome).observe(time.perf_counter() - fetch_started)
                raise
            FETCH_SECONDS.labels("ok").observe(time.perf_counter() - fetch_started)
            fetched = True
            page = Page(
                label=item.url,
                body=result.body,
                url=result.final_url,
                charset=result.charset,
                content_type=result.content_type,
                source_id=item.source_id,
                hint=Hint(item.hint_title, item.hint_date, item.hint_date_source),
            )
            outcome = self.pipeline.store(page)
        except Failed as exc:
            reason = exc.reason
            if exc.retryable and item.attempts < MAX_ATTEMPTS:
                backoff = RETRY_BASE * 2 ** (item.attempts - 1)
                retry_at = self.clock() + max(timedelta(seconds=exc.retry_after or 0), backoff)
                reason += (
                    f" (try {item.attempts} of {MAX_ATTEMPTS}; "
                    f"next after {retry_at:%Y-%m-%d %H:%M} UTC)"
                )
            outcome = Outcome(item.url, "failed", reason)
        except IngestError as exc:
            outcome = Outcome(item.url, exc.outcome, exc.reason)  # type: ignore[arg-type]
        log.info(
            "page",
            extra={
                "run": self.run_log.id,
                "source": item.source_id,
                "url": item.url,
                "status": outcome.status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                **({"reason": outcome.reason} if outcome.reason else {}),
            },
        )
        return _Done(item, outcome, fetched, retry_at)

    def _close_and_claim(
        self, done: _Done | None, source_ids: list[int] | None, budget: _Budget
    ) -> frontier.Claim | None:
        """Close a finished claim (state, counts, error) and lease the next URL, in one
        transaction."""
        with session_scope(self.sessions) as session:
            if done is not None:
                self._close(session, done)
            if self.stop.is_set() or not budget.take():
                claim = None
            else:
                claim = frontier.claim(
                    session,
                    worker=self.worker,
                    now=self.clock(),
                    lease=timedelta(seconds=self.settings.crawl_lease),
                    min_delay=self.settings.host_delay,
                    source_ids=source_ids,
                )
                if claim is None:
                    budget.give_back()
        if done is not None:
            self.progress(done.outcome.status, 1)
        return claim

    def _close(self, session: Session, done: _Done) -> None:
        item, outcome = done.item, done.outcome
        state = {"stored": "done", "duplicate": "done"}.get(outcome.status, outcome.status)
        frontier.finish(
            session, item.id, state=state, now=self.clock(), article_id=outcome.article_id,
            error=outcome.reason, retry_at=done.retry_at,
        )  # fmt: skip
        self.run_log.count(outcome, item.source_id, fetched=done.fetched, session=session)

    # --- politeness ------------------------------------------------------------------------

    def keep_claimed_slot(self, item: frontier.Claim) -> bool:
        """Send the claim's first request in the slot the claim took, if no other request went
        to the host since (a robots.txt read, another worker): the next slot then starts now."""
        with session_scope(self.sessions) as session:
            return frontier.keep_slot(session, item.host, item.slot_until, item.delay, self.clock)

    def wait_for_host(self, url: str) -> None:
        """Wait for the host's next slot and take it: every request to a host goes through a
        slot, so two never go out closer than its delay, whoever sends them."""
        host = urlsplit(normalize(url)).netloc
        while True:
            with session_scope(self.sessions) as session:
                busy_until = frontier.take_host_slot(
                    session, host, self.clock, self.settings.host_delay
                )
            if busy_until is None:
                return
            wait = (busy_until - self.clock()).total_seconds()
            if self.stop.is_set() or wait > self.settings.crawl_max_wait:
                # a long Crawl-delay or a stopping crawl: the URL waits for a later run
                raise Failed(f"{host} may not be asked again for {wait:.0f} s", retryable=True)
            time.sleep(min(max(wait, 0.01), 1.0))

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        rules = self._robots_for(f"{parts.scheme}://{parts.netloc}")
        return rules is None or bool(rules.can_fetch(url, self.settings.user_agent))

    def _check_redirect(self, url: str) -> None:
        if not self._allowed(url):
            raise Skipped(f"redirected to {url[:200]}, which robots.txt disallows")

    def _robots_for(self, origin: str) -> Protego | None:
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

    def _read_robots(self, origin: str) -> Protego | None | Failed:
        try:
            result = self.fetcher.fetch(
                f"{origin}/robots.txt", html_only=False, before_request=self.wait_for_host
            )
        except Failed as exc:
            if exc.retryable:
                return Failed(f"robots.txt unavailable ({exc.reason})", retryable=True)
            return None  # 4xx: no rules
        except Skipped:
            return None
        rules = Protego.parse(result.body[:500_000].decode("utf-8", errors="replace"))
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            with session_scope(self.sessions) as session:
                host = urlsplit(origin).netloc
                frontier.ensure_hosts(session, [host], self.clock())
                frontier.set_crawl_delay(session, host, float(delay))
        return rules
