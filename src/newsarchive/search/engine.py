"""The one interface both full-text engines implement. Code above it never asks which it has."""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session

from newsarchive.db.models import Article
from newsarchive.search.query import Query

# Snippet markers: control characters that cannot occur in extracted text, swapped for <mark>
# after everything else in the snippet has been HTML-escaped.
MARK_START, MARK_END = "\x02", "\x03"
# Up to this many matches a search is exact in every part: counted, ranked and faceted over
# each match. Past it an engine may answer from its fast path (Engine.broad).
EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class Ask:
    """What a search with no filter but dates asks an engine's fast path for."""

    date_from: date | None
    date_to: date | None
    sort: str  # "relevance" | "newest" | "oldest"
    limit: int
    after: tuple[Any, int] | None  # the cursor: (score or published_at, article id)
    facets: bool
    windowed: bool = False  # the cursor came from a recent-window ranking: continue it


@dataclass(frozen=True)
class Broad:
    """A fast path's answer: one page of (article id, score), limit + 1 of them when there is
    more, and the total and facets, estimated where they say so."""

    rows: list[tuple[int, float]]
    total: int
    total_exact: bool
    facets: dict[str, list[dict[str, Any]]]
    facets_exact: bool
    windowed: bool = False  # ranked among the most recent matches only


class Engine(ABC):
    name: str
    # The table `matching` is a query of, when a search may add its columns id, published_at,
    # published_day, source_id and language to that query (to filter, sort and count by them
    # with no other read of each match); None when `matching` reads an index joined to
    # articles.
    rows: Any = None
    # True when the engine's index holds each article's source, language and authors, so that
    # a Query's `within` filters the matches there; False: the search filters article rows.
    filters_in_index: bool = False

    @abstractmethod
    def matching(
        self, query: Query, date_from: date | None = None, date_to: date | None = None
    ) -> Select:  # type: ignore[type-arg]
        """SELECT id, score of the articles that match (on those archive days, if given); a
        higher score is more relevant."""

    @abstractmethod
    def snippets(
        self, session: Session, query: Query, articles: Sequence[Article]
    ) -> dict[int, str]:
        """A short passage of each article around the hits, HTML with <mark> around them."""

    @abstractmethod
    def has_author(self, author: str) -> ColumnElement[bool]:
        """Articles whose author list holds this name (case-insensitive)."""

    @contextmanager
    def tuned(self, session: Session, *, filtered: bool) -> Iterator[None]:
        """Planner settings for one search's statements, undone after them."""
        yield

    def broad(self, session: Session, query: Query, ask: Ask) -> Broad | None:
        """The engine's own answer to a search with more than EXACT_UP_TO matches, fast
        however many there are; None to let the general (exact) search answer."""
        return None

    def per_day(
        self, session: Session, query: Query, date_from: date | None, date_to: date | None
    ) -> dict[date, int] | None:
        """Exactly how many articles match on each archive day, counted in the index alone,
        where the engine can (a search with no filter but dates); None: the general count."""
        return None


def marked_html(snippet: str) -> str:
    """Escape a snippet whose hits the engine wrapped in MARK_START / MARK_END."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
