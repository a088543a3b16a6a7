"""Saved-search queries: the searches people watch, and how far each has been delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from newsarchive.archive.paging import storable_id
from newsarchive.db.models import Article, SavedSearch, Source
from newsarchive.errors import Conflict, InvalidInput, NotFound


def create_saved_search(session: Session, search: SavedSearch) -> SavedSearch:
    """Store it; it delivers only what is stored from now on. A source it names must exist
    (a misspelt one would match nothing, silently, for ever)."""
    if (
        search.source is not None
        and session.scalar(select(Source.id).where(Source.name == search.source)) is None
    ):
        raise InvalidInput(f"no source named {search.source!r}")
    if session.scalar(select(SavedSearch.id).where(SavedSearch.name == search.name)):
        raise Conflict(f"a saved search named {search.name!r} already exists")
    search.last_article_id = session.scalar(select(func.max(Article.id))) or 0
    session.add(search)
    session.flush()
    return search


def list_saved_searches(session: Session) -> list[SavedSearch]:
    return list(session.scalars(select(SavedSearch).order_by(SavedSearch.name)))


def get_saved_search(session: Session, search_id: int) -> SavedSearch:
    found = session.get(SavedSearch, search_id) if storable_id(search_id) else None
    if found is None:
        raise NotFound(f"saved search {search_id} not found")
    return found


def delete_saved_search(session: Session, search_id: int) -> None:
    session.delete(get_saved_search(session, search_id))
    session.flush()


def last_article_id(session: Session) -> int:
    return session.scalar(select(func.max(Article.id))) or 0


def mark_delivered(
    session: Session, search_id: int, *, seen: int, up_to: int, count: int, now: datetime
) -> bool:
    """Move the search's mark from `seen` (the one its matches were looked up from) to
    `up_to`; False when another worker moved it first (those matches are then its to send)."""
    values: dict[str, object] = {"last_article_id": up_to}
    if count:
        values |= {"last_delivery_at": now, "last_delivery_count": count}
    result = session.connection().execute(
        update(SavedSearch)
        .where(SavedSearch.id == search_id, SavedSearch.last_article_id == seen)
        .values(values)
    )
    return result.rowcount == 1
