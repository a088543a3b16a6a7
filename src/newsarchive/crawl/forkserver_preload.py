"""Imported only by the extraction pool's forkserver (`set_forkserver_preload`), never by the
crawl itself: the extraction code is loaded once, there, and Ctrl-C is ignored, there, before
the forkserver records its signal handlers, so every worker it forks is born ignoring Ctrl-C
(the crawl's own handler finishes the pages in hand; a worker dying of it would lose its page).
The forkserver also dies with the crawl, whatever ends the crawl."""

import contextlib
import ctypes
import signal

import newsarchive.ingest.pipeline  # noqa: F401  (trafilatura and its models, loaded once)

PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies

signal.signal(signal.SIGINT, signal.SIG_IGN)
with contextlib.suppress(OSError, AttributeError):  # not Linux: it ends at its pipe's EOF
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
