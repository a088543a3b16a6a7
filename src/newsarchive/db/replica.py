"""Reads from PostgreSQL streaming replicas, writes to the primary, and a client that wrote
reads what it wrote.

With NEWSARCHIVE_READ_DATABASE_URL set (one replica or several, comma-separated), the API's and
the admin page's GET requests read from a replica, taking turns; every other request (and every
crawl) writes to the primary. A replica that does not answer is left out for a few seconds, and
with none answering the primary reads. A replica replays the
primary's write-ahead log a little later, so after a write the response carries a cookie with
the primary's log position at that moment; a later read that brings the cookie goes to the
replica only once the replica has replayed that far, and to the primary until then. A reader
without the cookie (another client, or one that keeps no cookies, such as plain curl) may see the
replica a moment behind the primary: that is the trade.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

COOKIE = "newsarchive_wrote"
COOKIE_SECONDS = 300  # far longer than any healthy replica lags
READS = frozenset({"GET", "HEAD"})
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
DOWN_SECONDS = 5.0  # a replica that did not answer is not asked again for this long


class ReadRouting:
    """Which store a request's session comes from."""

    def __init__(
        self, primary: sessionmaker[Session], replicas: Sequence[sessionmaker[Session]] = ()
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self._down_until = [0.0] * len(self.replicas)
        self._turns = itertools.count()
        self._lock = threading.Lock()

    def sessions_for(self, request: Request) -> sessionmaker[Session]:
        if not self.replicas or request.method not in READS:
            return self.primary
        replica = self._next_answering()
        if replica is None:
            return self.primary
        wrote = request.cookies.get(COOKIE)
        if wrote is not None and not self._replayed(replica, wrote):
            return self.primary
        return replica

    def _next_answering(self) -> sessionmaker[Session] | None:
        """The next replica in turn not known to be down, checked by taking a connection (the
        pool pings it): a stopped one fails here, before the request uses it."""
        with self._lock:
            first = next(self._turns)
        for step in range(len(self.replicas)):
            index = (first + step) % len(self.replicas)
            if self._down_until[index] > time.monotonic():
                continue
            try:
                with self.replicas[index].kw["bind"].connect():
                    return self.replicas[index]
            except SQLAlchemyError:
                self._down_until[index] = time.monotonic() + DOWN_SECONDS
        return None

    def position(self) -> str | None:
        """The primary's write-ahead log position now (after a write committed); None
        without a replica, where nothing needs it."""
        if not self.replicas:
            return None
        try:
            with self.primary() as session:
                return str(session.scalar(text("SELECT pg_current_wal_lsn()::text")))
        except SQLAlchemyError:
            return None  # the write is done; without the cookie, reads may lag a moment

    @staticmethod
    def _replayed(replica: sessionmaker[Session], wrote: str) -> bool:
        if not _LSN.fullmatch(wrote):
            return False  # not a position we wrote: read from the primary, which has it all
        try:
            with replica() as session:
                done = session.scalar(
                    text("SELECT pg_last_wal_replay_lsn() >= CAST(:wrote AS pg_lsn)"),
                    {"wrote": wrote},
                )
        except SQLAlchemyError:
            return False  # the replica is down: the primary answers
        return bool(done)
