"""Extraction in processes, which replace themselves when one dies."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from concurrent.futures import (
    ProcessPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from newsarchive.crawl.metrics import EXTRACT_SECONDS
from newsarchive.errors import Failed

log = logging.getLogger(__name__)

T = TypeVar("T")


def _ignore_interrupts() -> None:
    """Ctrl-C on a terminal reaches the whole process group: the crawl's own handler finishes
    the pages in hand, so an extraction process must not die of it mid-page."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ExtractionPool:
    """Extraction processes that replace themselves when one dies (a page that exhausts memory,
    a crash in a C extension): a broken ProcessPoolExecutor fails every later call, which would
    fail the rest of the run."""

    def __init__(self, workers: int, stop: threading.Event) -> None:
        self.workers = workers
        self.stop = stop
        self.context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported trafilatura and its models.
        self.context.set_forkserver_preload(["newsarchive.ingest.pipeline"])
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self.context, initializer=_ignore_interrupts
        )

    def run(self, function: Callable[..., T], *args: Any) -> T:
        pool = self._pool
        try:
            with EXTRACT_SECONDS.time():
                return pool.submit(function, *args).result()
        except BrokenProcessPool as exc:
            self._replace(pool)
            # The page goes back to the queue rather than being lost as failed (the process
            # may also have died of a SIGTERM sent to the whole process group on shutdown).
            raise Failed("the extraction process died", retryable=True) from exc

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken and not self.stop.is_set():
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                log.warning("an extraction process died: the pool was started again")

    def close(self) -> None:
        self._pool.shutdown()
