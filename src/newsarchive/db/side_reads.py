"""A read request's two independent statements at once, on two connections of one database.

A broad search at a million articles spends tens of milliseconds of one core on its page (the
relevance window) and as many on its facets, and neither needs the other. With the server
otherwise idle the second core would wait; here the side statement runs on a helper thread with
a connection of its own while the request's thread runs the other.

Only where that cannot change an answer or make anyone wait:
- inside `reading(session)` (the API's read answers): a write's session may hold rows that a
  second connection would not see yet;
- while that read is the only one its process is making: a busy server's cores are its
  requests' (docs/benchmarks.md, "A broad search's page and facets at once");
- on a database a second connection sees whole (an engine's, not an in-memory SQLite's), with
  a connection free in the pool (no wait for one);
- with the helper free at once. A side read that has not started by the time the request's own
  part is done runs on the request's thread after it.

On PostgreSQL the side read waits at most LOCK_WAIT for a lock: the request's transaction
already holds its table's share lock, and a DDL statement queued behind it (a migration, an
import's DROP INDEX) would queue the side read behind itself while the request waits for the
side read, a wait no deadlock check sees. Then the request's own connection, which holds the
lock already, reads it instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, SingletonThreadPool, StaticPool

A = TypeVar("A")
B = TypeVar("B")

HELPERS = 1  # side reads running at once in a process (each holds a pooled connection)
LOCK_WAIT = "100ms"  # PostgreSQL's lock_timeout for a side read
_READING = "newsarchive.side_reads"
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout
_helpers = ThreadPoolExecutor(max_workers=HELPERS, thread_name_prefix="side-read")


class _Reads:
    """How many reads inside `reading` this process is making now."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.now += n


_reads = _Reads()


@contextmanager
def reading(session: Session) -> Iterator[None]:
    """A read of committed rows only: while it is the process's only one, the statements it
    runs through `both` may take a second connection."""
    _reads.add(1)
    outer = session.info.get(_READING, False)
    session.info[_READING] = True
    try:
        yield
    finally:
        session.info[_READING] = outer
        _reads.add(-1)


def both(
    session: Session,
    here: Callable[[Session], A],
    side: Callable[[Session], B],
    *,
    prepared: Callable[[Session], AbstractContextManager[object]] | None = None,
) -> tuple[A, B]:
    """here(session) and side(...), side on a second connection (its session set up by
    `prepared`, as the caller set up this one) where it may run there now; else both here."""
    engine = _second_connection_of(session)
    if engine is None:
        return here(session), side(session)
    future = _helpers.submit(_read_beside, engine, side, prepared)
    try:
        mine = here(session)
    except BaseException:
        if not future.cancel():  # under way: done, and its connection back, before the error
            future.exception()
        raise
    if future.cancel():  # the helper was busy: after this one, on this thread
        return mine, side(session)
    try:
        return mine, future.result()
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        return mine, side(session)  # (see the module's docstring)


def _second_connection_of(session: Session) -> Engine | None:
    if not session.info.get(_READING) or _reads.now > 1:
        return None
    bind = session.get_bind()
    if not isinstance(bind, Engine):  # (a session on a connection: its transaction is its own)
        return None
    if isinstance(bind.pool, SingletonThreadPool | StaticPool):
        return None  # (an in-memory SQLite: each connection is a database of its own)
    if isinstance(bind.pool, QueuePool) and bind.pool.checkedout() >= bind.pool.size():
        return None  # (one may not be free at once: the request has its own, and needs no other)
    return bind


def _read_beside(
    engine: Engine,
    side: Callable[[Session], B],
    prepared: Callable[[Session], AbstractContextManager[object]] | None,
) -> B:
    with Session(engine) as session:  # (closing it rolls its read back)
        if engine.dialect.name == "postgresql":
            session.execute(select(func.set_config("lock_timeout", LOCK_WAIT, True)))
        with prepared(session) if prepared is not None else nullcontext():
            return side(session)
