"""Filing a stored article under its story, in the transaction that stores it: its near
duplicates (ingest/stories.py) are looked up in the database's LSH index, so crawl workers on
several machines group alike and a restart loses nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.ingest.stories import SAME_STORY, WINDOW, band_keys, similarity


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
    story, best, story_day = article_id, SAME_STORY, day
    for _other, other_story, other_signature, other_day in archive.story_candidates(
        session, keys, day, WINDOW, exclude=article_id
    ):
        alike = similarity(signature, other_signature)
        if alike > best or (alike == best and story == article_id):
            story, best, story_day = other_story, alike, other_day
    if not new and story != article_id:
        archive.hand_over_story(session, article_id)  # if it led a story, that story goes on
    archive.set_story(
        session, article_id, story, signature=signature, keys=keys, day=story_day, new=new
    )
    return story
