"""Filing a stored article under its story, in the transaction that stores it: its near
duplicates (stories/signatures.py) are looked up in the database's LSH index, so crawl workers on
several machines group alike and a restart loses nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.stories.signatures import WINDOW, band_keys, best_story


def group(
    session: Session, article_id: int, signature: bytes | None, day: date, *, new: bool = False
) -> int:
    """Put the article in the story of its most alike near duplicate published within the
    window, else in a story of its own; returns the story's id. A short text (no signature)
    is a story of its own. `new`: the article was just inserted (nothing to replace)."""
    if signature is None:
        archive.set_story(
            session, article_id, article_id, signature=None, keys=[], day=day, new=new
        )
        return article_id
    keys = band_keys(signature)
    archive.lock_story_keys(session, keys)
    candidates = archive.story_candidates(session, keys, day, WINDOW, exclude=article_id)
    story, story_day = best_story(
        signature, ((s, sig, d) for _a, s, sig, d in candidates), own=(article_id, day)
    )
    if not new and story != article_id:
        archive.hand_over_story(session, article_id)  # if it led a story, that story goes on
    archive.set_story(
        session, article_id, story, signature=signature, keys=keys, day=story_day, new=new
    )
    return story
