"""Extraction in processes, each page with a time limit: a process that overruns it, or dies,
is ended and replaced (pebble's ProcessPool), and the run goes on."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from multiprocessing import forkserver
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessFuture, ProcessPool

from newsarchive.crawl.metrics import EXTRACT_SECONDS
from newsarchive.errors import Failed, Interrupted

log = logging.getLogger(__name__)

T = TypeVar("T")
STOP_CHECK = 0.25  # seconds between two looks at the run's stop while a page is extracted
STOP_GRACE = 3.0  # seconds a page in hand may still take once the run is told to stop
PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies


def _in_worker() -> None:
    """A worker's first act (it is born ignoring Ctrl-C: forkserver_preload.py): it dies with
    its parent, the forkserver, which dies with the crawl, so a crawl killed with SIGKILL
    leaves no extraction processes behind."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the pipe's EOF ends it
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


@contextmanager
def _deaf_while_starting() -> Iterator[None]:
    """Ctrl-C ignored for the moment the forkserver is started: an ignored signal stays ignored
    across exec, and Python then leaves it so, so the forkserver ignores Ctrl-C from its first
    instruction, through its imports (a Ctrl-C there killed it, and the pages its workers held
    failed). Only the main thread may change handlers; elsewhere (the admin page's crawls)
    forkserver_preload.py covers it from its first line."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ExtractionPool:
    def __init__(self, workers: int, stop: threading.Event, time_limit: float) -> None:
        self.stop = stop
        self.time_limit = time_limit
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported trafilatura and its models,
        # and ignores Ctrl-C (forkserver_preload.py).
        context.set_forkserver_preload(["newsarchive.crawl.forkserver_preload"])
        with _deaf_while_starting():
            forkserver.ensure_running()
        self._pool = ProcessPool(max_workers=workers, initializer=_in_worker, context=context)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        future = self._pool.schedule(function, args=list(args), timeout=self.time_limit)
        try:
            with EXTRACT_SECONDS.time():
                return self._result(future)  # type: ignore[no-any-return]
        except FutureTimeout as exc:  # pebble has ended the process and started another
            raise Failed(
                f"extraction took longer than {self.time_limit:g} s, the limit "
                "(NEWSARCHIVE_EXTRACT_TIMEOUT): the page was left out"
            ) from exc
        except (ProcessExpired, EOFError, ConnectionError) as exc:  # the process, or its server
            if self.stop.is_set():  # killed with the rest of the process group on shutdown
                raise Interrupted() from exc
            log.warning("an extraction process died (%r): it was replaced", exc)
            raise Failed("the extraction process died", retryable=True) from exc

    def _result(self, future: ProcessFuture) -> Any:
        """The future's result, waiting in short steps. When the run is told to stop, the page
        in hand still gets STOP_GRACE seconds (a page takes a fraction of one: it is stored, as
        the stop promises); past that it is given up (its process ended) and goes back to the
        queue, so a stop never waits out a slow page."""
        stop_seen: float | None = None
        while True:
            try:
                return future.result(timeout=STOP_CHECK)
            except FutureTimeout:
                if future.done():  # done meanwhile, or its own time limit (pebble's error)
                    return future.result()
                if self.stop.is_set():
                    stop_seen = stop_seen or time.monotonic()
                    if time.monotonic() - stop_seen >= STOP_GRACE:
                        future.cancel()  # type: ignore[no-untyped-call]  # (ends its process)
                        raise Interrupted() from None

    def close(self) -> None:
        self._pool.close()  # type: ignore[no-untyped-call]
        try:
            self._pool.join(timeout=self.time_limit + 5)
        except TimeoutError:  # pages still in hand past their limit: end their processes
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join()
