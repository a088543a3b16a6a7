"""What the admin page's forms send, read and checked."""

from __future__ import annotations

from datetime import date
from typing import Any

from newsarchive.errors import InvalidInput
from newsarchive.inputs.sources import SourceIn, SourcePatch, checked


def parse_day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {value}") from None


def _lines(form: dict[str, Any], key: str) -> list[str]:
    """A textarea's URLs, one per line."""
    values = form.get(key) or []
    return [line.strip() for v in values for line in str(v).splitlines() if line.strip()]


def _source_form(form: dict[str, Any]) -> dict[str, Any]:
    return {
        "home": str(form.get("home") or "").strip() or None,
        "feeds": _lines(form, "feed"),
        "sitemaps": _lines(form, "sitemap"),
        "interval": str(form.get("interval") or "").strip() or 0,
        "collections": [
            c.strip() for c in str(form.get("collections") or "").split(",") if c.strip()
        ],
    }


# The form's labels, so that a refusal names the field the user sees.
_NAMES = {"name": "Name", "home": "Home page", "feeds": "Feeds", "sitemaps": "Sitemaps"}
_NAMES |= {"interval": "Crawl every", "collections": "Collections"}


def new_source(form: dict[str, Any]) -> SourceIn:
    """The add-source form, checked as the API checks a new source."""
    return checked(SourceIn, {"name": str(form.get("name") or ""), **_source_form(form)}, _NAMES)


def source_change(form: dict[str, Any]) -> SourcePatch:
    """The edit-source form: every field is sent, so every field is set (an empty home removes
    the home page)."""
    return checked(SourcePatch, _source_form(form), _NAMES)
