"""On SQLite one crawl at a time: an OS file lock beside the database."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from newsarchive.errors import CrawlBusy


@contextmanager
def exclusive_crawl(database_url: str) -> Iterator[bool]:
    """Yield True when this process may crawl, and whether it is the only crawler.

    SQLite: one crawl at a time, enforced with an advisory lock on a file beside the database
    (the OS drops it when a killed crawl dies). PostgreSQL: any number of workers share the
    frontier, so nothing is locked and this yields False (not alone).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        yield False
        return
    if not url.database or url.database == ":memory:":
        yield True
        return
    with open(f"{url.database}.crawl-lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CrawlBusy("another crawl is running on this database") from None
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
