"""Saved-search queries: the searches people watch, and how far each has been delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from newsarchive.archive.paging import storable_id
from newsarchive.db.models import Article, SavedSearch
from newsarchive.errors import Conflict, NotFound


def create_saved_search(session: Session, search: SavedSearch) -> SavedSearch:
    """Store it; it delivers only what is stored from now on."""
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


def mark_delivered(
    session: Session, search_id: int, *, up_to: int, count: int, now: datetime
) -> bool:
    """Record a delivery of the matches up to article `up_to`; False when another worker
    recorded one past it first (its matches are then its to send)."""
    result = session.connection().execute(
        update(SavedSearch)
        .where(SavedSearch.id == search_id, SavedSearch.last_article_id < up_to)
        .values(last_article_id=up_to, last_delivery_at=now, last_delivery_count=count)
    )
    return result.rowcount == 1
