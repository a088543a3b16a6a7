"""trafilatura's and htmldate's metadata finders, each run only when asked: the page's own
structured data usually answers first, and htmldate's date search alone costs about as much as a
quarter of the whole extraction (pure: no db, no network)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as tmeta
from trafilatura.settings import Document, set_date_params

T = TypeVar("T")


class LibraryMetadata:
    """What the libraries find on a page; `url` helps htmldate."""

    def __init__(self, tree: HtmlElement, url: str | None) -> None:
        self.tree = tree
        self.url = url

    @cached_property
    def _meta(self) -> Document:
        document = tmeta.examine_meta(self.tree)
        try:
            return tmeta.extract_meta_json(self.tree, document)
        except Exception:  # noqa: BLE001  (bugs in trafilatura's JSON-LD reader: keep the rest)
            return document

    def title(self) -> str | None:
        return self._meta.title or _safely(tmeta.extract_title, self.tree)

    def author(self) -> str | None:
        author = self._meta.author
        if author and " " not in author:  # trafilatura's own rule: a lone word is not a name
            author = None
        return author or _safely(tmeta.extract_author, self.tree)

    def sitename(self) -> str | None:
        return self._meta.sitename or _safely(tmeta.extract_sitename, self.tree)

    def description(self) -> str | None:
        return self._meta.description

    def image(self) -> str | None:
        return self._meta.image

    def tags(self) -> list[str]:
        return list(self._meta.tags or _safely(tmeta.extract_catstags, "tag", self.tree) or [])

    def categories(self) -> list[str]:
        found = self._meta.categories or _safely(tmeta.extract_catstags, "category", self.tree)
        return list(found or [])

    def date(self) -> str | None:
        params = set_date_params(True) | {"url": self.url}
        return _safely(find_date, self.tree, **params)


def _safely(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    try:
        return function(*args, **kwargs)
    except Exception:  # noqa: BLE001  (a library bug on one odd page must not lose the page)
        return None
