"""Read answers tagged and cached by the archive's write version (archive/version.py).

The archive changes only when something writes to it, and readers ask the same things (today's
archive page, the popular search). So a read answer carries `ETag: W/"<write version>"`, a
client that sends it back in `If-None-Match` gets 304 until the next write, and the answer's
bytes are kept in this process under (version, URL) for the next request that asks the same.
Any write, by any process on any machine, moves the version (triggers, migration 0015): no
answer outlives the archive it came from, and nothing needs to tell other workers to forget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from cachetools import LRUCache
from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from newsarchive import __version__, archive
from newsarchive.db import side_reads

MiB = 2**20
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the archive has not changed since the ETag sent"}
}
JSON = "application/json"


class Answers:
    """Recent answers' bytes by (write version, URL), the least recently used dropped first."""

    def __init__(self, max_bytes: int) -> None:
        self._kept: LRUCache[tuple[str, str], tuple[bytes, str]] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=lambda kept: len(kept[0])
        )
        self._largest = max_bytes // 64  # a larger answer (a long CSV) is answered, not kept
        self._lock = threading.Lock()  # handlers run in a thread pool

    def get(self, key: tuple[str, str]) -> tuple[bytes, str] | None:
        with self._lock:
            return self._kept.get(key)

    def put(self, key: tuple[str, str], body: bytes, media_type: str) -> None:
        if len(body) <= self._largest:
            with self._lock:
                self._kept[key] = (body, media_type)


Rendered = BaseModel | tuple[str | bytes, str]  # a model (as JSON), or (body, media type)


class Answer:
    """One read request's answer: 304 if the client holds it, else the kept bytes, else made
    now by `make` and kept."""

    def __init__(self, request: Request, answers: Answers) -> None:
        self.request = request
        self.answers = answers

    def __call__(self, session: Session, make: Callable[[], Rendered]) -> Response:
        # First, before any read of the answer: what follows is at least this new. The day is
        # in it for the answers that default to today (an empty archive's timeline). Read once
        # for the requests that ask at the same time, and outside the request's transaction:
        # a kept answer is served without one.
        written = archive.shared_write_version(session.get_bind().engine)
        version = f"{written}.{date.today().isoformat()}"
        tag = f'W/"{__version__}.{version}"'
        headers = {"ETag": tag, "Cache-Control": "no-cache"}  # keep it, but ask each time
        if _matches(self.request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=headers)
        key = (version, str(self.request.url))
        kept = self.answers.get(key)
        if kept is None:
            with side_reads.reading(session):  # (of committed rows: it may take a second one)
                kept = _render(make())
            # committed here, on the handler's thread: the request's session then has no
            # transaction left, and its dependency no hop to a thread to end one (api/deps.py)
            session.commit()
            self.answers.put(key, *kept)
        body, media_type = kept
        return Response(body, media_type=media_type, headers=headers)


def _render(made: Rendered) -> tuple[bytes, str]:
    if isinstance(made, BaseModel):
        return made.model_dump_json(by_alias=True).encode(), JSON
    body, media_type = made
    return (body.encode() if isinstance(body, str) else body), media_type


def _matches(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110's weak comparison: any listed tag equal to ours, W/ aside, or "*"."""
    if not if_none_match:
        return False
    ours = tag.removeprefix("W/")
    return any(
        sent.strip() == "*" or sent.strip().removeprefix("W/") == ours
        for sent in if_none_match.split(",")
    )


async def get_answer(request: Request) -> Answer:
    # async: nothing here blocks, so it costs no hop to the thread pool
    return Answer(request, request.app.state.answers)


AnswerDep = Annotated[Answer, Depends(get_answer)]
