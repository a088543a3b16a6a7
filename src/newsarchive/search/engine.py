"""The one interface both full-text engines implement. Code above it never asks which it has."""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session

from newsarchive.search.query import Query

# Snippet markers: control characters that cannot occur in extracted text, swapped for <mark>
# after everything else in the snippet has been HTML-escaped.
MARK_START, MARK_END = "\x02", "\x03"


class Engine(ABC):
    name: str

    @abstractmethod
    def matching(self, query: Query) -> Select:  # type: ignore[type-arg]
        """SELECT id, score of the articles that match; a higher score is more relevant."""

    @abstractmethod
    def snippets(self, session: Session, query: Query, ids: Sequence[int]) -> dict[int, str]:
        """A short passage of each article around the hits, HTML with <mark> around them."""

    @abstractmethod
    def has_author(self, author: str) -> ColumnElement[bool]:
        """Articles whose author list holds this name (case-insensitive)."""


def marked_html(snippet: str) -> str:
    """Escape a snippet whose hits the engine wrapped in MARK_START / MARK_END."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
