"""One run's life, the same for the CLI, the API, the admin page and the crawler: start,
count outcomes, keep the reasons of skips and failures, beat while alive, finish.

While a run is open a thread of its process writes a heartbeat every BEAT_EVERY, whatever the
work is doing. A process killed without a chance to say so (SIGKILL, a power cut) leaves its
run 'running'; it stops beating, and the next run to start, of any kind on any machine, marks
it 'interrupted'. Every change is a short transaction of its own, or joins the caller's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.base import utc_now
from newsarchive.db.session import session_scope
from newsarchive.ingest.outcome import Outcome

log = logging.getLogger(__name__)
BEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=5)  # ten missed beats: the process is gone


class RunLog:
    def __init__(
        self, sessions: sessionmaker[Session], kind: str, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.sessions = sessions
        self.kind = kind
        self.clock = clock
        self.id = 0
        self._done = threading.Event()
        self._beater: threading.Thread | None = None

    def start(self, session: Session | None = None) -> int:
        """Open the run (and close the runs of processes that died); return its id."""
        with self._session(session) as s:
            now = self.clock()
            archive.interrupt_stale_runs(s, silent_since=now - STALE_AFTER, now=now)
            self.id = archive.start_run(s, self.kind, now).id
        self._beater = threading.Thread(target=self._beat, name=f"run-{self.id}", daemon=True)
        self._beater.start()
        return self.id

    def count(
        self,
        outcome: Outcome,
        source_id: int | None = None,
        *,
        fetched: bool = False,
        session: Session | None = None,
    ) -> None:
        """Add an outcome to the run's counts (and its source's), keeping the reason of a skip
        or failure."""
        counts = outcome.counts() | ({"fetched": 1} if fetched else {})
        with self._session(session) as s:
            archive.count(s, self.id, counts, source_id)
            if outcome.status in ("skipped", "failed") and outcome.reason:
                archive.record_error(
                    s,
                    self.id,
                    url=outcome.label,
                    outcome=outcome.status,
                    reason=outcome.reason,
                    source_id=source_id,
                )

    def add(
        self, counts: Mapping[str, int], source_id: int | None, session: Session | None = None
    ) -> None:
        with self._session(session) as s:
            archive.count(s, self.id, counts, source_id)

    def feed_failed(
        self, url: str, outcome: str, reason: str, source_id: int, session: Session | None = None
    ) -> None:
        """A feed or sitemap that could not be read: counted, with why."""
        with self._session(session) as s:
            archive.count(s, self.id, {"feeds_failed": 1}, source_id)
            archive.record_error(
                s, self.id, url=url, outcome=outcome, reason=reason, source_id=source_id
            )

    def _beat(self) -> None:
        """Say the process lives, every BEAT_EVERY until the run is finished."""
        while not self._done.wait(BEAT_EVERY.total_seconds()):
            try:
                with session_scope(self.sessions) as session:
                    archive.beat(session, self.id, self.clock())
            except SQLAlchemyError:  # the database is away for a moment: beat again later
                log.warning("could not write run %s's heartbeat", self.id, exc_info=True)

    def finish(self, status: str = "finished") -> None:
        self._done.set()
        if self._beater is not None:
            self._beater.join()
        with session_scope(self.sessions) as session:
            archive.finish_run(session, self.id, status)

    @contextmanager
    def _session(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
            return
        with session_scope(self.sessions) as own:
            yield own


@contextmanager
def recorded(
    sessions: sessionmaker[Session], kind: str, *, clock: Callable[[], datetime] = utc_now
) -> Iterator[RunLog]:
    """A run from start to finish: 'finished'; 'interrupted' on Ctrl-C; 'failed' when the
    work raised."""
    run = RunLog(sessions, kind, clock=clock)
    run.start()
    try:
        yield run
    except KeyboardInterrupt:
        run.finish("interrupted")
        raise
    except BaseException:
        run.finish("failed")
        raise
    run.finish()
