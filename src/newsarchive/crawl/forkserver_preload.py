"""Imported only by the extraction pool's forkserver (`set_forkserver_preload`), never by the
crawl itself: Ctrl-C is ignored there first, before the forkserver records its signal handlers,
so every worker it forks is born ignoring Ctrl-C (the crawl's own handler finishes the pages in
hand; a worker dying of it would lose its page); then the extraction code is loaded, once.
(The forkserver ends when the crawl process does: its pipe from the crawl closes. No
parent-death signal here: it would fire when the *thread* that started it ends, such as one
admin-page crawl of several.)"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)

import newsarchive.ingest.pipeline  # noqa: E402, F401  (trafilatura and its models, loaded once)
