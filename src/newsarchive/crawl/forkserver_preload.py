"""Imported only by the extraction pool's forkserver (`set_forkserver_preload`), never by the
crawl itself: Ctrl-C is ignored there first, before the forkserver records its signal handlers,
so every worker it forks is born ignoring Ctrl-C (the crawl's own handler finishes the pages in
hand; a worker dying of it would lose its page); then the extraction code is loaded, once.
(The forkserver ends when the crawl process does: its pipe from the crawl closes. No
parent-death signal here: it would fire when the *thread* that started it ends, such as one
admin-page crawl of several.)"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)

# What a worker runs, once: the pool's start-up and the extraction (trafilatura and its
# models), without the store's code (0.35 s of CPU to import where the whole pipeline took 0.75 s)
import newsarchive.crawl.pool  # noqa: E402, F401
import newsarchive.ingest.prepare  # noqa: E402, F401
