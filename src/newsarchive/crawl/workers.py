"""Who holds a claim in the frontier: this process's worker id, and whether another worker's
process, on this machine, is gone (its claims can be taken over at once, not at lease end)."""

from __future__ import annotations

import os
import socket
import uuid


def worker_id() -> str:
    """machine:pid:nonce (the nonce tells two runs of one process apart)."""
    return f"{machine()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def machine() -> str:
    """This host and its process-id namespace: two containers with one hostname are told apart
    (a pid means something only in its own namespace)."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{socket.gethostname()}/{namespace}"


def dead_here(worker: str) -> bool:
    """Whether a worker id (machine:pid:nonce) names a process of this machine that is gone."""
    parts = worker.split(":")
    if len(parts) != 3 or parts[0] != machine() or not parts[1].isdigit():
        return False
    pid = parts[1]
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: alive
        return False
    return False
