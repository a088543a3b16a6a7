"""A read's side statement runs on a second connection only where that changes nothing and
takes no core from another request: a read of committed rows, the only one its process is
making, on a database a second connection sees, with the helper free at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.db import side_reads
from newsarchive.db.session import make_engine
from tests.factories import add_article, add_source


def connection_of(session: Session) -> int:
    """Which connection the session reads on (the server's process on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)
    return id(session.connection().connection.dbapi_connection)


def beside(session: Session) -> tuple[Callable[[Session], int], Callable[[Session], int]]:
    """(here, side) reading which connection each runs on, `here` taking as long as the side
    read needs to start (a side read not started when `here` is done runs here after it)."""
    started = threading.Event()
    connection_of(session)  # (its connection, held from now on, as a search's first read holds it)

    def here(session: Session) -> int:
        started.wait(10)
        return connection_of(session)

    def side(session: Session) -> int:
        started.set()
        return connection_of(session)

    return here, side


def test_a_read_runs_its_side_statement_on_a_second_connection(
    sessions: sessionmaker[Session],
) -> None:
    add_article(sessions, "Harbour", "harbour news")
    with sessions() as session, side_reads.reading(session):
        here, side = side_reads.both(session, *beside(session))
        assert here != side
        # and the side sees what is committed, as the request's own connection does
        first, second = beside(session)
        count = "SELECT count(*) FROM articles"
        assert side_reads.both(
            session,
            lambda s: (first(s), s.scalar(text(count))),
            lambda s: (second(s), s.scalar(text(count))),
        ) == ((here, 1), (side, 1))


def test_an_unmarked_session_reads_both_on_its_own_connection(
    sessions: sessionmaker[Session],
) -> None:
    """A write's session may hold rows no other connection sees until it commits."""
    source = add_source(sessions, "north")
    with sessions() as session:
        session.execute(text("UPDATE sources SET name = 'renamed' WHERE id = :id"), {"id": source})
        name = "SELECT name FROM sources WHERE id = :id"

        def read(s: Session) -> str | None:
            return s.scalar(text(name), {"id": source})

        assert side_reads.both(session, read, read) == ("renamed", "renamed")
        here, side = side_reads.both(session, connection_of, connection_of)
        assert here == side


def test_the_side_statement_is_set_up_as_the_callers(sessions: sessionmaker[Session]) -> None:
    prepared: list[int] = []

    @contextmanager
    def tuned(session: Session) -> Iterator[None]:
        prepared.append(connection_of(session))
        yield

    with sessions() as session, side_reads.reading(session):
        _here, side = side_reads.both(session, *beside(session), prepared=tuned)
    assert prepared == [side]


def test_beside_another_read_of_its_process_a_read_keeps_to_its_connection(
    sessions: sessionmaker[Session],
) -> None:
    """A busy server's cores are its requests'."""
    release, entered = threading.Event(), threading.Event()
    released: list[bool] = []

    def other_read() -> None:
        with sessions() as session, side_reads.reading(session):
            entered.set()
            released.append(release.wait(30))

    other = threading.Thread(target=other_read)
    other.start()
    try:
        assert entered.wait(30)
        with sessions() as session, side_reads.reading(session):
            here, side = side_reads.both(session, connection_of, connection_of)
        assert here == side
    finally:
        release.set()
        other.join(30)
    assert released == [True]
    assert not other.is_alive()
    with sessions() as session, side_reads.reading(session):  # alone again
        here, side = side_reads.both(session, *beside(session))
    assert here != side


def test_with_the_helper_busy_the_side_statement_waits_for_none(
    sessions: sessionmaker[Session],
) -> None:
    release = threading.Event()
    held = [side_reads._helpers.submit(release.wait, 30) for _ in range(side_reads.HELPERS)]
    try:
        with sessions() as session, side_reads.reading(session):
            here, side = side_reads.both(session, connection_of, connection_of)
        assert here == side
    finally:
        release.set()
        for each in held:
            assert each.result(30)


def test_an_error_on_either_side_is_the_callers_and_gives_every_connection_back(
    engine: Engine,
) -> None:
    """The side read under way when the request's part fails, and a side read that fails on the
    helper's thread."""
    sessions = sessionmaker(engine)
    finished: list[bool] = []

    def both_failing(session: Session, side_fails: bool) -> None:
        here, side = beside(session)

        def failing_here(s: Session) -> None:
            here(s)  # (returns once the side read has started)
            if not side_fails:
                raise ValueError("broken")

        def side_read(s: Session) -> None:
            side(s)
            time.sleep(0.2)  # (still under way when the request's part fails)
            if side_fails:
                raise ValueError("broken")
            finished.append(True)

        side_reads.both(session, failing_here, side_read)

    for side_fails in (False, True):
        with (
            sessions() as session,
            side_reads.reading(session),
            pytest.raises(ValueError, match="broken"),
        ):
            both_failing(session, side_fails)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert finished == [True]  # (the request waited for it before its error went on)


def test_with_no_connection_free_at_once_a_read_keeps_to_its_own(db_url: str) -> None:
    engine = make_engine(db_url, pool_size=1, max_overflow=5)
    try:
        with Session(engine) as session, side_reads.reading(session):
            connection_of(session)  # (the pool's one connection, the request's now)
            here, side = side_reads.both(session, connection_of, connection_of)
        assert here == side
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_side_read_behind_a_queued_lock_is_read_on_the_requests_connection(
    sessions: sessionmaker[Session], db_url: str
) -> None:
    """A DDL statement queued behind the request's share lock would queue the side read behind
    itself while the request waits for it: no deadlock check sees that wait."""
    dsn = db_url.replace("postgresql+psycopg://", "postgresql://")
    add_source(sessions, "north")
    count = "SELECT count(*) FROM sources"
    with sessions() as session, side_reads.reading(session):
        assert session.scalar(text(count)) == 1  # (the request holds the table's share lock)
        with psycopg.connect(dsn) as ddl, psycopg.connect(dsn, autocommit=True) as watch:
            ddl.execute("SET lock_timeout = '10s'")  # (a side read stuck behind it: a failure)
            queued = threading.Thread(
                target=ddl.execute, args=("ALTER TABLE sources ADD COLUMN side_read_test int",)
            )
            queued.start()
            for _ in range(300):  # until the ALTER waits for the lock
                waiting = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'ALTER TABLE sources%%'"
                ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the ALTER never queued")
            here, side = beside(session)
            started = time.monotonic()
            got = side_reads.both(
                session,
                lambda s: (here(s), s.scalar(text(count)))[1],
                lambda s: (side(s), s.scalar(text(count)))[1],
            )
            assert got == (1, 1)
            assert time.monotonic() - started < 5
            session.rollback()  # (the ALTER goes on, and is rolled back: nothing changes)
            queued.join(30)
            ddl.rollback()
    with sessions() as session:
        columns = session.execute(text("SELECT * FROM sources LIMIT 0")).keys()
        assert "side_read_test" not in columns


def test_an_in_memory_sqlite_reads_on_one_connection() -> None:
    engine = make_engine("sqlite://")
    try:
        with Session(engine) as session, side_reads.reading(session):
            session.execute(text("CREATE TABLE t (n INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))

            def read(s: Session) -> int | None:
                return s.scalar(text("SELECT n FROM t"))

            assert side_reads.both(session, read, read) == (1, 1)
    finally:
        engine.dispose()
