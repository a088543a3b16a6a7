"""`serve --workers N`: N server processes, each listening on a socket of its own on the same port.

With one listening socket shared by every worker (what `uvicorn --workers` does), the worker that
wakes first accepts a whole burst of new connections, and kept-alive connections stay where
they landed: under load, one worker held 24 of 32 connections and all 4 of 4, while the other
sat idle. With SO_REUSEPORT each worker has its own socket and the kernel spreads new
connections over them by a hash of their addresses: evenly on average, though a handful of
connections can all land on one (docs/benchmarks.md, "Request threads"). This supervisor starts
the workers, starts a worker again if one dies, and on SIGTERM or SIGINT stops them all
gracefully.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("newsarchive.serve")


def run_workers(config: uvicorn.Config, sockets: list[socket.socket], grace: float) -> int:
    """Serve until asked to stop, then give each worker `grace` seconds to end; the exit
    status (a worker that cannot start ends them all)."""
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    failed = False

    def start(sock: socket.socket) -> BaseProcess:
        process = spawn.Process(target=_serve, args=(config, sock), daemon=False)
        process.start()
        return process

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    workers = [start(sock) for sock in sockets]
    while not stop.wait(0.5):
        for index, worker in enumerate(workers):
            if worker.is_alive():
                continue
            if worker.exitcode == STARTUP_FAILURE:
                failed = True
                stop.set()
                break
            log.warning("worker %s ended (exit %s); starting another", worker.pid, worker.exitcode)
            workers[index] = start(sockets[index])
    for worker in workers:
        if worker.is_alive():
            worker.terminate()  # SIGTERM: the worker finishes what it has in hand
    for worker in workers:
        worker.join(grace)
        if worker.is_alive():
            worker.kill()
    return 1 if failed else 0


def _serve(config: uvicorn.Config, sock: socket.socket) -> None:
    config.configure_logging()  # (an unpickled config has not: uvicorn's own workers do this)
    uvicorn.Server(config).run(sockets=[sock])
