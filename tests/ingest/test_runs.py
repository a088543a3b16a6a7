"""One run lifecycle for every entry point: counts, reasons, heartbeats, and runs whose
process died (both stores)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.ingest import runs
from newsarchive.ingest.pipeline import Outcome
from newsarchive.ingest.runs import STALE_AFTER, RunLog, recorded
from tests.factories import add_source

T0 = datetime(2025, 1, 1, 12, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_a_run_counts_outcomes_and_keeps_reasons(sessions: sessionmaker[Session]) -> None:
    with recorded(sessions, "ingest") as run:
        run.count(Outcome("https://a.example/1", "stored", article_id=1))
        run.count(Outcome("https://a.example/2", "failed", "connection failed"))
    with sessions() as session:
        saved = archive.get_run(session, run.id)
        assert (saved.kind, saved.status, saved.stored, saved.failed) == (
            "ingest",
            "finished",
            1,
            1,
        )
        assert [(e.url, e.reason) for e in saved.errors] == [
            ("https://a.example/2", "connection failed")
        ]


def test_a_run_whose_work_raised_is_failed(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), recorded(sessions, "import") as run:
        raise RuntimeError("disk full")
    with sessions() as session:
        assert archive.get_run(session, run.id).status == "failed"


def test_a_dead_run_is_interrupted_when_the_next_one_starts(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl killed with SIGKILL stops beating; a living run's thread beats on by itself; the
    next run to start closes the dead one only, on both stores."""
    monkeypatch.setattr(runs, "BEAT_EVERY", timedelta(milliseconds=20))
    clock = Clock()
    with session_scope(sessions) as session:  # what a killed process leaves behind
        dead_id = archive.start_run(session, "crawl", T0).id
    alive = RunLog(sessions, "crawl", clock=clock)
    alive.start()
    clock.now = T0 + STALE_AFTER + timedelta(seconds=1)
    deadline = time.monotonic() + 10
    while heartbeat(sessions, alive.id) != clock.now:  # the living run's thread beat meanwhile
        assert time.monotonic() < deadline, "the living run never beat"
        time.sleep(0.01)
    later = RunLog(sessions, "ingest", clock=clock)
    later.start()
    try:
        with sessions() as session:
            statuses = {r.id: r.status for r in archive.list_runs(session)}
            finished = archive.get_run(session, dead_id).finished_at
        assert statuses == {dead_id: "interrupted", alive.id: "running", later.id: "running"}
        assert finished == clock.now
    finally:
        alive.finish()
        later.finish()


def heartbeat(sessions: sessionmaker[Session], run_id: int) -> datetime | None:
    with sessions() as session:
        return archive.get_run(session, run_id).heartbeat_at


def test_feed_failures_are_counted_with_their_reason(sessions: sessionmaker[Session]) -> None:
    source_id = add_source(sessions, "a")
    with recorded(sessions, "crawl") as run:
        run.feed_failed("https://a.example/rss", "skipped", "feed: refused", source_id)
    with sessions() as session:
        saved = archive.get_run(session, run.id)
        assert (saved.feeds_failed, saved.failed) == (1, 0)
        assert [s.feeds_failed for s in saved.sources] == [1]
        assert [e.reason for e in saved.errors] == ["feed: refused"]


def test_ctrl_c_during_a_run_records_it_interrupted(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(KeyboardInterrupt), recorded(sessions, "import") as run:
        raise KeyboardInterrupt
    with sessions() as session:
        assert archive.get_run(session, run.id).status == "interrupted"
