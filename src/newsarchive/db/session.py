"""Engine and session factories, and the SQLite pragmas the archive depends on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # Many threads (API workers, crawl fetchers) share one file; writers queue up for 30 s
        # instead of failing at once with "database is locked".
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No server-side prepared statements (psycopg prepares a statement run 5 times): a search's
    # plan depends on its words' frequencies and on the planner settings it runs under
    # (search/postgres_broad.py), and a generic plan cached from a mid-frequency word's
    # searches took 5 s instead of 33 ms for a common word's at 1M articles.
    no_prepare = {"prepare_threshold": None} if url.get_driver_name() == "psycopg" else {}
    # No JIT compilation: it spent 7 ms compiling each costly search statement (one that runs
    # in 10 to 300 ms here), and the searches ran as fast or faster without it.
    no_jit = {"options": "-c jit=off"}
    connect_args = no_prepare | no_jit | kwargs.pop("connect_args", {})
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


_WRITE_LOCKS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def write_lock(engine: Engine) -> AbstractContextManager[Any]:
    """SQLite lets one writer in at a time and makes the others sleep-poll for the lock (up to
    100 ms a poll); threads of one process queue on a plain lock instead. Other stores: none."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(engine, threading.Lock())


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One write transaction: commit on success, roll back on any error."""
    with write_lock(factory.kw["bind"]), factory() as session, session.begin():
        yield session
