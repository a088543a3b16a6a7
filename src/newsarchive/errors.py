"""The exception tree. Each error knows the HTTP status it maps to.

    NewsArchiveError (500)
    ├── InvalidInput (422)          bad query parameters, cursors, dates, search syntax
    ├── NotFound (404)
    │   ├── ArticleNotFound
    │   ├── SourceNotFound          by name or by id
    │   └── RunNotFound
    ├── Conflict (409)
    │   └── CrawlBusy               another crawl holds the SQLite database
    ├── Unauthorized (401)          missing or wrong admin token
    │   └── LoginRequired           the admin page: not logged in (a redirect to its login)
    ├── Forbidden (403)             e.g. an admin form without its CSRF token
    │   └── WritesDisabled          no admin token configured at all
    ├── Unavailable (503)           the database cannot be reached
    └── IngestError (502)           one page could not be ingested; never fails a whole run
        ├── Skipped (422)           policy said no: private address, too large, not HTML, no text
        └── Failed (502)            something broke: network error, HTTP error, redirect loop
            └── LocalError          a local file (or a WARC record) to import cannot be read

Ingest errors carry an ``outcome`` ("skipped" or "failed") and a one-line ``reason`` that the CLI
prints and runs record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REASON_CHARS = 300  # a reason is one line a person reads, not a dump


def brief(text: str, limit: int = REASON_CHARS) -> str:
    """Text as one line of at most `limit` characters, cut at a word with an ellipsis rather
    than mid-word, so a long reason still reads as one."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 2]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"


class NewsArchiveError(Exception):
    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidInput(NewsArchiveError):
    status_code = 422


class NotFound(NewsArchiveError):
    status_code = 404


class ArticleNotFound(NotFound):
    def __init__(self, article_id: int) -> None:
        super().__init__(f"article {article_id} not found")


class SourceNotFound(NotFound):
    def __init__(self, name_or_id: str | int) -> None:
        what = f"{name_or_id!r}" if isinstance(name_or_id, str) else str(name_or_id)
        super().__init__(f"source {what} not found")


class RunNotFound(NotFound):
    def __init__(self, run_id: int) -> None:
        super().__init__(f"run {run_id} not found")


class Conflict(NewsArchiveError):
    status_code = 409


class CrawlBusy(Conflict):
    """Another crawl holds this SQLite database (a crawl on PostgreSQL shares the work)."""


class Unauthorized(NewsArchiveError):
    status_code = 401


class LoginRequired(Unauthorized):
    def __init__(self, path: str) -> None:
        super().__init__("log in first")
        self.path = path  # where to come back to


class Forbidden(NewsArchiveError):
    status_code = 403


class WritesDisabled(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "writes are disabled: set NEWSARCHIVE_ADMIN_TOKEN to enable the admin API and page"
        )


class Unavailable(NewsArchiveError):
    status_code = 503


class IngestError(NewsArchiveError):
    status_code = 502
    outcome = "failed"

    @property
    def reason(self) -> str:
        return self.detail


class Interrupted(IngestError):
    """The work on a page was cut short by its run's stop: no outcome of the page's own, so it
    passes through the pipeline to the crawl, which puts the page back in the queue."""

    outcome = "skipped"

    def __init__(self) -> None:
        super().__init__("the run stopped while the page was being extracted")


class Skipped(IngestError):
    status_code = 422
    outcome = "skipped"


class Failed(IngestError):
    outcome = "failed"

    def __init__(
        self,
        detail: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        """``retryable``: a later try may succeed (timeouts, 429, 5xx); ``retry_after``: the
        seconds the server asked us to wait; ``status``: the HTTP status, when one came."""
        super().__init__(detail)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class LocalError(Failed):
    """Yielded, not raised, by `fetch.files.read_path`: one broken file never stops the
    files after it."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label = label


def validation_message(
    errors: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> str:
    """One sentence from pydantic's validation errors: 'limit: Input should be ...'. `names`
    renames a field to what the user typed (a CLI option), which then stands without an index."""
    parts = []
    for error in errors:
        if error.get("type") == "json_invalid":
            parts.append("body: not valid JSON")
            continue
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path")]
        if names and location and location[0] in names:
            location = [names[location[0]]]
        where = ".".join(location) or "request"
        if str(error.get("type", "")).startswith("url_"):
            parts.append(f"{where}: not an http(s) URL: {str(error.get('input'))[:200]}")
        else:
            parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"
