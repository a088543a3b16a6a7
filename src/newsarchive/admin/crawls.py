"""Crawls started from the admin page: one thread per source, never two for the same one, and
none that outlives the application (its shutdown stops them and waits, before the database
engine is closed under them)."""

from __future__ import annotations

import contextlib
import threading

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import services
from newsarchive.config import Settings
from newsarchive.errors import CrawlBusy


class CrawlThreads:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()  # handlers run in threads: one check-and-start at a time
        self._stop = threading.Event()

    def start(self, source: str) -> bool:
        """Start crawling `source` in the background; False when its crawl is still running."""
        with self._lock:
            if self._stop.is_set():  # shutting down
                return False
            running = self._threads.get(source)
            if running is not None and running.is_alive():
                return False
            thread = threading.Thread(
                target=self._crawl, args=(source,), name=f"admin-crawl-{source}", daemon=True
            )
            thread.start()
            self._threads[source] = thread
            return True

    def _crawl(self, source: str) -> None:
        # CrawlBusy: another crawl holds the SQLite database; the runs page shows that one.
        with contextlib.suppress(CrawlBusy):
            services.crawler(self.settings, self.sessions, stop=self._stop).run(source=source)

    def shutdown(self, timeout: float) -> None:
        """Ask every running crawl to finish the pages in hand, as SIGTERM does for the CLI,
        and wait up to `timeout` seconds for each (a crawl left running would take database
        connections from an engine already disposed)."""
        with self._lock:
            self._stop.set()
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
