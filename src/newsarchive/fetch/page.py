"""The unit every ingest stage hands on: page bytes and where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.fetch.http import FetchResult


@dataclass(frozen=True)
class Hint:
    """What a feed or sitemap said of an article, for pages that do not say it themselves."""

    title: str | None = None
    published: datetime | None = None
    date_source: str | None = None  # "feed" | "sitemap"


@dataclass(frozen=True)
class Page:
    label: str  # what the CLI prints and runs record: the URL asked for, or the file path
    body: bytes
    url: str | None = None  # the fetched or archived URL: authoritative when present
    fallback_url: str | None = None  # for files: used when the page names no canonical URL
    charset: str | None = None  # from the HTTP Content-Type header
    content_type: str | None = None
    source_id: int | None = None  # None: the source named after the article's host
    hint: Hint | None = None
    # Fetched from the web now (not read from a file): crawls revisit it, asking conditionally.
    live: bool = False
    etag: str | None = None
    last_modified: str | None = None


def fetched_page(url: str, result: FetchResult, **given: Any) -> Page:
    """A page fetched from the web now: a crawl may revisit it, asking conditionally."""
    return Page(
        label=url,
        body=result.body,
        url=result.final_url,
        charset=result.charset,
        content_type=result.content_type,
        live=True,
        etag=result.etag,
        last_modified=result.last_modified,
        **given,
    )
