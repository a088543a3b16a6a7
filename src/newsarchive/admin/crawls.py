"""Crawls started from the admin page: one thread per source, never two for the same one."""

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

    def start(self, source: str) -> bool:
        """Start crawling `source` in the background; False when its crawl is still running."""
        with self._lock:
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
            services.crawler(self.settings, self.sessions).run(source=source)
