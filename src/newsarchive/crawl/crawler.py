"""The crawl run: discover, then NEWSARCHIVE_CONCURRENCY threads that claim URLs from the
frontier and fetch, extract and store them, politely and in parallel.

Threads fetch (I/O); a process pool extracts (CPU), so fetching hides behind extraction and a
crawl uses every core. Several workers may share one PostgreSQL frontier; on SQLite one crawl runs
at a time (a second one is told so and leaves).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.crawl import after_run, workers
from newsarchive.crawl.contract import CrawlOptions, CrawlReport
from newsarchive.crawl.discovery import LISTINGS, Discovery, Progress
from newsarchive.crawl.exclusive import exclusive_crawl
from newsarchive.crawl.metrics import EXTRACT_SECONDS, FETCH_SECONDS
from newsarchive.crawl.politeness import Politeness, Slot
from newsarchive.crawl.pool import ExtractionPool
from newsarchive.db.base import utc_now
from newsarchive.db.models import RUN_COUNTERS, Source
from newsarchive.db.session import session_scope
from newsarchive.errors import Failed, IngestError, Interrupted, Skipped
from newsarchive.fetch.http import Fetcher, FetchResult
from newsarchive.fetch.page import Hint, Page, fetched_page
from newsarchive.ingest import revisits
from newsarchive.ingest.outcome import Outcome
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.ingest.prepare import Prepared, prepare
from newsarchive.ingest.runs import RunLog

log = logging.getLogger(__name__)

DONE = ("stored", "duplicate", "revised", "unchanged", "gone")  # a frontier row's end: done
MAX_ATTEMPTS = 3  # tries of one URL across runs before it is marked failed for good
RETRY_BASE = timedelta(minutes=5)  # a retryable failure waits 5, 10, 20 ... minutes


@dataclass(frozen=True)
class _Tools:
    """What one run works with; they live as long as the run."""

    fetcher: Fetcher
    pipeline: Pipeline
    politeness: Politeness


@dataclass(frozen=True)
class _Done:
    item: archive.frontier.Claim
    outcome: Outcome
    fetched: bool
    retry_at: datetime | None
    gone: str | None = None  # a revisit found the page taken down, and why
    requeue: bool = False  # the run's stop cut it short: back to the queue, uncounted


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


class Crawler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        options: CrawlOptions,
        *,
        new_fetcher: Callable[[], Fetcher],
        days: archive.DayRule,
        new_poster: Callable[[], Fetcher] | None = None,
        progress: Progress | None = None,
        clock: Callable[[], datetime] = utc_now,
        stop: threading.Event | None = None,
    ) -> None:
        self.options = options
        self.new_fetcher = new_fetcher
        self.new_poster = new_poster or new_fetcher
        self.days = days
        self.sessions = sessions
        self.progress = progress or (lambda _kind, _n: None)
        self.clock = clock
        self.worker = workers.worker_id()
        # Set it (SIGTERM does, through the CLI) to finish the pages in hand and end the run.
        self.stop = stop or threading.Event()
        self.run_log = RunLog(sessions, "crawl", clock=clock)

    # --- the run ----------------------------------------------------------------------------

    def run(self, *, source: str | None = None, max_articles: int | None = None) -> CrawlReport:
        with exclusive_crawl(self.options.database_url) as alone:
            sources = self._begin(source, resume=alone)
            source_ids = [s.id for s in sources] if source else None
            status = "failed"
            try:
                with self.new_fetcher() as fetcher, self._extractor() as extractor:
                    tools = self._tools(fetcher, extractor)
                    discovery = Discovery(
                        self.sessions,
                        fetcher,
                        tools.politeness,
                        self.run_log,
                        clock=self.clock,
                        progress=self.progress,
                    )
                    for src in sources:
                        if not self.stop.is_set():
                            discovery.discover(src, forced=source is not None)
                    self._drain(tools, source_ids, max_articles)
                after_run.review_run(
                    self.sessions, self.run_log.id, self.clock, self.options.alert_webhook
                )
                status = "interrupted" if self.stop.is_set() else "finished"
            finally:
                self.run_log.finish(status)
                log.info("run finished", extra={"run": self.run_log.id, "status": status})
        after_run.deliver(self.sessions, self.new_poster, self.options.webhook_secret, self.clock)
        return self.report()

    def _begin(self, source: str | None, *, resume: bool) -> list[Source]:
        """Record the run and pick its sources: the named one, else those due. `resume`: no
        other crawl runs, so what a killed one left claimed or running is ours to take over."""
        with session_scope(self.sessions) as session:
            archive.ensure_archive_zone(session, self.days)
            if resume:
                archive.frontier.release_claims(session)
                archive.interrupt_running_runs(session, kind="crawl")
            else:  # other crawls may run: take over only what dead ones on this machine held
                dead = [
                    w for w in archive.frontier.claiming_workers(session) if workers.dead_here(w)
                ]
                if dead:
                    archive.frontier.release_claims(session, dead)
            sources = (
                [archive.get_source_by_name(session, source)]
                if source
                else archive.due_sources(session, self.clock())
            )
            if self.options.revisit_after:
                ids = [sources[0].id] if source else None
                archive.queue_revisits(session, self.clock(), ids)
            self.run_log.start(session)
        return sources

    def _tools(self, fetcher: Fetcher, extractor: Callable[[Page, datetime], Prepared]) -> _Tools:
        pipeline = Pipeline(
            self.sessions,
            max_bytes=self.options.max_page_bytes,
            clock=self.clock,
            extractor=extractor,
            days=self.days,
            revisit_after=self.options.revisit_after,
        )
        politeness = Politeness(
            self.sessions,
            fetcher,
            user_agent=self.options.user_agent,
            host_delay=self.options.host_delay,
            max_wait=self.options.max_wait,
            clock=self.clock,
            stop=self.stop,
        )
        return _Tools(fetcher, pipeline, politeness)

    def report(self) -> CrawlReport:
        with self.sessions() as session:
            run = archive.get_run(session, self.run_log.id)
            counts = {counter: getattr(run, counter) for counter in RUN_COUNTERS}
            feed_error = next(
                (f"{e.reason} at {e.url}" for e in run.errors if e.reason.startswith(LISTINGS)),
                None,
            )
            return CrawlReport(run.id, run.status, counts, feed_error)

    @contextmanager
    def _extractor(self) -> Iterator[Callable[[Page, datetime], Prepared]]:
        workers = self.options.extract_workers
        if workers is None:
            workers = os.cpu_count() or 1
        if workers == 0:

            def inline(page: Page, now: datetime) -> Prepared:
                with EXTRACT_SECONDS.time():
                    return prepare(page, now)

            yield inline
            return
        pool = ExtractionPool(workers, self.stop, self.options.extract_timeout)
        try:
            yield lambda page, now: pool.run(prepare, page, now)
        finally:
            pool.close()

    # --- fetching from the frontier ------------------------------------------------------------

    def _drain(self, tools: _Tools, source_ids: list[int] | None, max_articles: int | None) -> None:
        """NEWSARCHIVE_CONCURRENCY threads, each claiming its own next URL in the transaction
        that closes the last one: two write transactions per page (store; close and claim)."""
        budget = _Budget(max_articles)
        threads = self.options.concurrency
        with ThreadPoolExecutor(threads, thread_name_prefix="crawl") as pool:
            workers = [pool.submit(self._work, tools, source_ids, budget) for _ in range(threads)]
            for worker in workers:
                worker.result()

    def _work(self, tools: _Tools, source_ids: list[int] | None, budget: _Budget) -> None:
        item = self._close_and_claim(None, source_ids, budget)
        while True:
            while item is not None:
                item = self._close_and_claim(self._process(tools, item), source_ids, budget)
            if self.stop.is_set() or budget.spent():
                return
            with self.sessions() as session:
                ready = archive.frontier.next_ready_at(
                    session, now=self.clock(), source_ids=source_ids
                )
            if ready is None:
                return
            wait_s = (ready - self.clock()).total_seconds()
            if wait_s > self.options.max_wait:
                return  # the rest waits for a later run
            time.sleep(min(max(wait_s, 0.02), 0.5))
            item = self._close_and_claim(None, source_ids, budget)

    def _process(self, tools: _Tools, item: archive.frontier.Claim) -> _Done:
        """Fetch, extract and store one claimed URL (or judge a revisit of a stored one); every
        outcome is returned, none raised."""
        started = time.perf_counter()
        retry_at = gone = None
        fetched = False
        try:
            if not tools.politeness.allowed(item.url):
                raise Skipped("disallowed by robots.txt")
            result = self._fetch(tools, item)
            fetched = True
            if item.revisit_of is not None:
                outcome, gone = revisits.judge(
                    tools.pipeline, item.url, item.revisit_of, item.source_id, result
                )
            else:
                hint = Hint(item.hint_title, item.hint_date, item.hint_date_source)
                page = fetched_page(item.url, result, source_id=item.source_id, hint=hint)
                outcome = tools.pipeline.store(page)
        except Interrupted:
            return _Done(item, Outcome(item.url, "skipped"), fetched, self.clock(), requeue=True)
        except Failed as exc:
            if (answer := revisits.gone_answer(item.url, item.revisit_of, exc)) is not None:
                (outcome, gone), fetched = answer, True
            else:
                outcome, retry_at = self._failed(item, exc)
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
        return _Done(item, outcome, fetched, retry_at, gone)

    def _fetch(self, tools: _Tools, item: archive.frontier.Claim) -> FetchResult:
        etag, last_modified = revisits.validators(self.sessions, item.revisit_of)
        fetch_started = time.perf_counter()
        try:
            result = tools.fetcher.fetch(
                item.url,
                etag=etag,
                last_modified=last_modified,
                check_hop=tools.politeness.check_redirect,
                before_request=Slot(tools.politeness, item),
                after_response=tools.politeness.hold_host,
            )
        except IngestError as exc:
            FETCH_SECONDS.labels(exc.outcome).observe(time.perf_counter() - fetch_started)
            raise
        FETCH_SECONDS.labels("ok").observe(time.perf_counter() - fetch_started)
        return result

    def _failed(self, item: archive.frontier.Claim, exc: Failed) -> tuple[Outcome, datetime | None]:
        """A failed fetch, and when to try again (None: never, or not in this life)."""
        reason, retry_at = exc.reason, None
        if exc.retryable and item.attempts < MAX_ATTEMPTS:
            backoff = RETRY_BASE * 2 ** (item.attempts - 1)
            retry_at = self.clock() + max(timedelta(seconds=exc.retry_after or 0), backoff)
            reason += (
                f" (try {item.attempts} of {MAX_ATTEMPTS}; "
                f"next after {retry_at:%Y-%m-%d %H:%M} UTC)"
            )
        return Outcome(item.url, "failed", reason), retry_at

    def _close_and_claim(
        self, done: _Done | None, source_ids: list[int] | None, budget: _Budget
    ) -> archive.frontier.Claim | None:
        """Close a finished claim (state, counts, error) and lease the next URL, in one
        transaction."""
        with session_scope(self.sessions) as session:
            if done is not None:
                self._close(session, done)
            if self.stop.is_set() or not budget.take():
                claim = None
            else:
                claim = archive.frontier.claim(
                    session,
                    worker=self.worker,
                    now=self.clock(),
                    lease=self.options.lease,
                    min_delay=self.options.host_delay,
                    source_ids=source_ids,
                )
                if claim is None:
                    budget.give_back()
        if done is not None:
            self.progress(done.outcome.status, 1)
        return claim

    def _close(self, session: Session, done: _Done) -> None:
        item, outcome = done.item, done.outcome
        if done.requeue:
            archive.frontier.requeue(session, item.id, self.clock())
            return
        state = "done" if outcome.status in DONE else outcome.status
        archive.frontier.finish(
            session,
            item.id,
            state=state,
            now=self.clock(),
            article_id=outcome.article_id,
            error=outcome.reason,
            retry_at=done.retry_at,
        )
        self.run_log.count(outcome, item.source_id, fetched=done.fetched, session=session)
        if item.revisit_of is not None and done.retry_at is None:
            revisits.close(
                session,
                item.revisit_of,
                self.options.revisit_after,
                self.clock(),
                outcome,
                done.gone,
            )
