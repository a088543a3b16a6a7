"""Reads from a PostgreSQL streaming replica, writes to the primary, and a client that wrote
reads what it wrote.

With NEWSARCHIVE_READ_DATABASE_URL set, the API's and the admin page's GET requests read from the
replica, every other request (and every crawl) writes to the primary. A replica replays the
primary's write-ahead log a little later, so after a write the response carries a cookie with
the primary's log position at that moment; a later read that brings the cookie goes to the
replica only once the replica has replayed that far, and to the primary until then. A reader
without the cookie (another client, or one that keeps no cookies, such as plain curl) may see the
replica a moment behind the primary: that is the trade.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

COOKIE = "newsarchive_wrote"
COOKIE_SECONDS = 300  # far longer than any healthy replica lags
READS = frozenset({"GET", "HEAD"})
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")


class ReadRouting:
    """Which store a request's session comes from."""

    def __init__(
        self, primary: sessionmaker[Session], replica: sessionmaker[Session] | None = None
    ) -> None:
        self.primary = primary
        self.replica = replica

    def sessions_for(self, request: Request) -> sessionmaker[Session]:
        if self.replica is None or request.method not in READS:
            return self.primary
        wrote = request.cookies.get(COOKIE)
        if wrote is not None and not self._replayed(wrote):
            return self.primary
        return self.replica

    def position(self) -> str | None:
        """The primary's write-ahead log position now (after a write committed); None
        without a replica, where nothing needs it."""
        if self.replica is None:
            return None
        try:
            with self.primary() as session:
                return str(session.scalar(text("SELECT pg_current_wal_lsn()::text")))
        except SQLAlchemyError:
            return None  # the write is done; without the cookie, reads may lag a moment

    def _replayed(self, wrote: str) -> bool:
        if not _LSN.fullmatch(wrote):
            return False  # not a position we wrote: read from the primary, which has it all
        assert self.replica is not None
        try:
            with self.replica() as session:
                done = session.scalar(
                    text("SELECT pg_last_wal_replay_lsn() >= CAST(:wrote AS pg_lsn)"),
                    {"wrote": wrote},
                )
        except SQLAlchemyError:
            return False  # the replica is down: the primary answers
        return bool(done)
