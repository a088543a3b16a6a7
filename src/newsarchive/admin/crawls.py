"""Crawls started from the admin page: one thread per source, never two for the same one, and
stopped with the application (its shutdown stops them and waits for them, before it closes the
database engine they write through)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import services
from newsarchive.config import Settings
from newsarchive.errors import CrawlBusy

log = logging.getLogger(__name__)


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
            running = self._threads.get(source)
            if running is not None and running.is_alive():
                return False
            thread = threading.Thread(
                target=self._crawl,
                args=(source, self._stop),
                name=f"admin-crawl-{source}",
                daemon=True,
            )
            thread.start()
            self._threads[source] = thread
            return True

    def _crawl(self, source: str, stop: threading.Event) -> None:
        # CrawlBusy: another crawl holds the SQLite database; the runs page shows that one.
        with contextlib.suppress(CrawlBusy):
            services.crawler(self.settings, self.sessions, stop=stop).run(source=source)

    def shutdown(self, timeout: float) -> None:
        """Ask every running crawl to finish the pages in hand, as SIGTERM does for the CLI,
        and wait up to `timeout` seconds in all. A daemon thread still running when the process
        exits dies mid-run: its claims wait out their lease, its run shows as running."""
        with self._lock:
            self._stop.set()
            threads = list(self._threads.values())
            # for crawls after a restart; those still running keep theirs (and their place in
            # _threads: no second crawl of a source starts beside one that is finishing)
            self._stop = threading.Event()
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
            if thread.is_alive():
                log.warning("the admin's crawl %s did not stop in %.0f s", thread.name, timeout)
