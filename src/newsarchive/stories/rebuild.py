"""`newsarchive stories rebuild`: file every stored article under its story again, in id order
(the order they were stored), a batch at a time: signatures in a process pool, the index looked
up once per batch, the batch's own articles matched in memory, and the results written at once.
Run it while no crawl runs (a crawl's groupings during a rebuild may be lost)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.stories.signatures import WINDOW, band_keys, best_story, signature

BATCH = 2000


@dataclass
class Grouped:
    articles: int = 0
    stories: int = 0  # stories with more than one article
    in_stories: int = 0  # articles in those


def rebuild(
    sessions: sessionmaker[Session],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Grouped:
    with session_scope(sessions) as session:
        archive.ungroup_all(session)
        total = archive.count_articles(session)
    result, after, sizes = Grouped(), 0, dict[int, int]()
    with ProcessPoolExecutor(workers) if workers > 1 else _Inline() as pool:
        while True:
            with sessions() as session:
                batch = archive.texts_for_grouping(session, after=after, limit=BATCH)
            if not batch:
                break
            signatures = list(
                pool.map(signature, [text for _id, text, _day in batch], chunksize=64)
            )
            with session_scope(sessions) as session:
                _group_batch(session, batch, signatures, sizes)
            after = batch[-1][0]
            result.articles += len(batch)
            progress(result.articles, total)
    result.stories = sum(1 for n in sizes.values() if n > 1)
    result.in_stories = sum(n for n in sizes.values() if n > 1)
    return result


def _group_batch(
    session: Session,
    batch: list[tuple[int, str, date]],
    signatures: list[bytes | None],
    sizes: dict[int, int],
) -> None:
    keyed = {
        row[0]: band_keys(sig) if sig else [] for row, sig in zip(batch, signatures, strict=True)
    }
    index: dict[int, list[tuple[int, date]]] = {}  # key -> (article, its story's first day)
    first, last = min(d for *_, d in batch) - WINDOW, max(d for *_, d in batch) + WINDOW
    wanted = [k for ks in keyed.values() for k in ks]
    for key, article_id, story_day in archive.keys_in(session, wanted, first, last):
        index.setdefault(key, []).append((article_id, story_day))
    known = archive.story_signatures(session, [a for rows in index.values() for a, _d in rows])
    stories, keys = [], []
    for (article_id, _text, day), sig in zip(batch, signatures, strict=True):
        story, story_day = article_id, day
        if sig is not None:
            candidates = (
                (*known[other], other_day)
                for key in keyed[article_id]
                for other, other_day in index.get(key, [])
                if abs(other_day - day) <= WINDOW and other in known
            )
            story, story_day = best_story(sig, candidates, own=(article_id, day))
            known[article_id] = (story, sig)
            for key in keyed[article_id]:
                index.setdefault(key, []).append((article_id, story_day))
                keys.append((key, article_id, story_day))
        stories.append((article_id, story, sig))
        sizes[story] = sizes.get(story, 0) + 1
    archive.set_stories(session, stories, keys)


class _Inline:
    """A pool of no processes (one worker: no start-up cost)."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, function: Callable[[str], bytes | None], items: list[str], chunksize: int = 1):  # type: ignore[no-untyped-def]
        return map(function, items)
