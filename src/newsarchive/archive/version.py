"""The archive's write version (migration 0015): what read answers are cached and tagged by."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.orm import Session

from newsarchive.db.models import ArchiveVersion

# A Core statement on the session's connection: through the ORM, this one-row read took 8 % of
# an archive day's answer (profiled under load).
_VERSION = select(ArchiveVersion.__table__.c.epoch, ArchiveVersion.__table__.c.version).where(
    ArchiveVersion.__table__.c.id == 1
)


def write_version(session: Session) -> str:
    """The version as "<epoch>.<version>": changes with every write to what the API reads.
    Read it before the answer it tags: an answer read after it is at least as new (a write
    moves the version in its own transaction), so a cached answer is never older than its key."""
    return _read_on(session.connection())


def _read_on(connection: Connection) -> str:
    epoch, version = connection.execute(_VERSION).one()
    return f"{epoch}.{version}"


def bump(session: Session | Connection) -> None:
    """For writers that take the triggers down for a while (the fresh bulk load)."""
    session.execute(update(ArchiveVersion).values(version=ArchiveVersion.version + 1))


class SharedRead:
    """The write version for every request of a process that asks while a read is running:
    one read at a time, each answering all who arrived before it began.

    Each request needs a read begun after it arrived (a write committed before it must count).
    A request that arrives while a read runs waits for it to end, then for the next one, which
    the first of the waiting begins for all of them: under load one round trip answers many
    requests, where each took its own (and a pooled connection's ping, BEGIN and COMMIT) before.
    The read runs on its own pooled connection in autocommit, outside any request's
    transaction, so an answer kept in memory is served without one (api/caching.py)."""

    def __init__(self) -> None:  # (no engine kept: it is the key the readers are kept by)
        self._turn = threading.Condition()
        self._begun = 0  # reads begun, numbered from 1
        self._done = 0  # the number of the last read that ended with a version
        self._running = False
        self._version = ""

    def __call__(self, engine: Engine) -> str:
        with self._turn:
            wanted = self._begun + 1  # the next read to begin is the first that counts
            while self._done < wanted:
                if self._running:
                    self._turn.wait()
                    continue
                self._running = True
                self._begun += 1
                number = self._begun
                try:
                    self._turn.release()
                    try:
                        version = _read(engine)
                    finally:
                        self._turn.acquire()
                    self._done, self._version = number, version
                finally:  # (a failed read fails its reader; the next waiting one reads again)
                    self._running = False
                    self._turn.notify_all()
            return self._version


def _read(engine: Engine) -> str:
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")  # (no BEGIN, no COMMIT)
        return _read_on(connection)


_SHARED: WeakKeyDictionary[Engine, SharedRead] = WeakKeyDictionary()
_SHARED_GUARD = threading.Lock()


def shared_write_version(engine: Engine) -> str:
    """write_version() for a request about to read through `engine`, shared (SharedRead)."""
    with _SHARED_GUARD:
        reader = _SHARED.get(engine)
        if reader is None:
            reader = _SHARED[engine] = SharedRead()
    return reader(engine)


Value = TypeVar("Value")


class KeptUntilWritten(Generic[Value]):
    """Values read from the archive, kept in this process until its next write by anyone.

    Each lookup reads the write version first, in the caller's transaction (a row; what it
    saves is a read of thousands): a value kept under it was read after it, so it is never
    older than what the caller would read itself. Keyed by the database too (a process may
    serve several). The values are shared: callers must not change them."""

    def __init__(self, maxsize: int = 32) -> None:
        self._kept: LRUCache[tuple[str, str, Hashable], Value] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()  # (request threads share it)

    def get(self, session: Session, key: Hashable, read: Callable[[], Value]) -> Value:
        session.flush()  # (what the read would flush first counts as written)
        connection = session.connection()
        version = _unwritten_version(connection)
        if version is None:  # (its own writes: the version it sees may roll back)
            return read()
        database = connection.engine.url.render_as_string(hide_password=True)
        full = (database, version, key)
        with self._lock:
            if full in self._kept:
                return self._kept[full]
        value = read()
        with self._lock:
            self._kept[full] = value
        return value


# PostgreSQL gives a transaction an id at its first write: asked with the version, one round trip.
_VERSION_UNLESS_WRITTEN = _VERSION.add_columns(func.pg_current_xact_id_if_assigned().is_not(None))


def _unwritten_version(connection: Connection) -> str | None:
    """The write version, or None when the transaction has written (pysqlite begins one
    before its first write only)."""
    if connection.dialect.name == "sqlite":
        in_transaction = connection.connection.dbapi_connection.in_transaction  # type: ignore[union-attr]
        return None if in_transaction else _read_on(connection)
    epoch, version, written = connection.execute(_VERSION_UNLESS_WRITTEN).one()
    return None if written else f"{epoch}.{version}"
