"""The write version read once for the requests asking at the same time (archive/version.py):
never older than a write that committed before a request asked, on both stores; and what is
kept by it until the next write."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, update
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.archive.version import bump
from newsarchive.db.models import DayCount
from tests.factories import add_article


def _version(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return archive.write_version(session)


def _write(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        bump(session)


def _on_version_reads(engine: Engine, when: str, hook: Callable[[int], None]) -> None:
    """Calls hook(n) before or after (`when`) the n-th read of the version through `engine`
    from now on."""
    seen = [0]

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "archive_version" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen[0] += 1
            hook(seen[0])

    event.listen(engine, when, listener)


def _ask(engine: Engine, into: list[str]) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.append(archive.shared_write_version(engine)))
    thread.start()
    return thread


def test_requests_asking_while_a_read_runs_share_the_next(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    current = _version(sessions)
    reads: list[int] = []
    running = threading.Event()

    def slow_first(n: int) -> None:
        reads.append(n)
        if n == 1:
            running.set()
            time.sleep(0.5)  # the others ask while it runs

    _on_version_reads(engine, "before_cursor_execute", slow_first)
    answers: list[str] = []
    first = _ask(engine, answers)
    assert running.wait(10)
    others = [_ask(engine, answers) for _ in range(15)]
    for thread in [first, *others]:
        thread.join(10)
    assert answers == [current] * 16
    assert reads == [1, 2]  # the first's own, then one for the fifteen that waited


def test_a_request_never_takes_a_read_begun_before_it_asked(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A read that ran before a write committed answers those who asked before it began; one
    who asks after the write waits for a read of its own."""
    read_done, go_on = threading.Event(), threading.Event()

    def hold_first(n: int) -> None:
        if n == 1:
            read_done.set()
            assert go_on.wait(10)

    old = _version(sessions)
    _on_version_reads(engine, "after_cursor_execute", hold_first)
    early: list[str] = []
    first = _ask(engine, early)
    assert read_done.wait(10)  # the first read has the old version and has not returned
    _write(sessions)
    late: list[str] = []
    second = _ask(engine, late)
    time.sleep(0.2)  # the second waits for the running read
    go_on.set()
    first.join(10)
    second.join(10)
    new = _version(sessions)
    assert new != old
    assert early == [old]
    assert late == [new]


def test_a_failed_read_fails_only_its_reader(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    def fail_first(n: int) -> None:
        if n == 1:
            raise RuntimeError("the database went away")

    _on_version_reads(engine, "before_cursor_execute", fail_first)
    with pytest.raises(RuntimeError, match="went away"):
        archive.shared_write_version(engine)
    assert archive.shared_write_version(engine) == _version(sessions)


def _day_count_reads(engine: Engine) -> list[str]:
    reads: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM day_counts" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    return reads


def test_day_counts_are_read_once_until_the_next_write(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """The archive's per-day counts are kept in the process (archive.KeptUntilWritten): asked
    again, no read of them; after a write by another session, the new counts."""
    add_article(sessions, "Harbour", "The harbour opened.", datetime(2024, 5, 1, 12, tzinfo=UTC))
    reads = _day_count_reads(engine)
    with sessions() as session:
        first = archive.archive_years(session)
    with sessions() as session:
        again = archive.archive_years(session)
    assert again == first == [archive.DayCountRow(2024, 1, 0)]
    assert len(reads) == 1
    add_article(sessions, "Ferry", "The ferry sailed.", datetime(2025, 1, 2, 12, tzinfo=UTC))
    with sessions() as session:
        after = archive.archive_years(session)
        months = archive.archive_months(session, 2025)
    assert sorted(after, key=lambda row: row.key) == [
        archive.DayCountRow(2024, 1, 0),
        archive.DayCountRow(2025, 1, 0),
    ]
    assert months == [archive.DayCountRow(1, 1, 0)]
    assert len(reads) == 3  # the years again, then the months of 2025


def test_what_a_transaction_reads_after_its_own_writes_is_not_kept(
    sessions: sessionmaker[Session],
) -> None:
    """A transaction that wrote sees a version that may roll back, and the next write takes
    that number again: what it read must not answer those who read that version later."""
    add_article(sessions, "Harbour", "The harbour opened.", datetime(2024, 5, 1, 12, tzinfo=UTC))
    with sessions() as session:
        bump(session)  # the version the next write will have, seen before it commits
        session.execute(update(DayCount).values(articles=DayCount.articles + 5))
        assert archive.archive_years(session) == [archive.DayCountRow(2024, 6, 0)]
        session.rollback()
    _write(sessions)  # the same version, committed, with the counts as they were
    with sessions() as session:
        assert archive.archive_years(session) == [archive.DayCountRow(2024, 1, 0)]


def test_a_write_still_pending_in_the_session_counts_as_written(
    sessions: sessionmaker[Session],
) -> None:
    """An object added and not yet flushed is written by the read's autoflush: what the
    session reads then is its own, and not kept."""
    add_article(sessions, "Harbour", "The harbour opened.", datetime(2024, 5, 1, 12, tzinfo=UTC))
    with sessions() as session:
        session.add(DayCount(day=date(2023, 3, 1), articles=4, undated=0))
        assert len(archive.archive_years(session)) == 2
        session.rollback()
    with sessions() as session:
        assert archive.archive_years(session) == [archive.DayCountRow(2024, 1, 0)]
