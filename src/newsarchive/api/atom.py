"""Atom 1.0 feeds of any search and any archive day (RFC 4287), built with ElementTree so that
every piece of scraped text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from newsarchive.db.models import Article, Revision
from newsarchive.ingest.revisions import word_diff

ATOM = "http://www.w3.org/2005/Atom"
# Our extension elements: the site's own day and the date's precision (Atom's <published> is
# always a date-time; for a day-precise date it is the start of that day in the site's zone).
NEWSARCHIVE = "https://github.com/newsarchive/newsarchive/ns/atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def feed(*, title: str, self_url: str, feed_id: str, articles: Sequence[Article]) -> bytes:
    newest = max((a.modified_at or a.published_at for a in articles), default=None)
    root = _feed(title, self_url, feed_id, newest)
    for article in articles:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "title", article.title or article.url)
        _text(entry, "id", article.canonical_url or article.url)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=article.url)
        _text(entry, "published", article.published_at.isoformat())
        day = ET.SubElement(entry, f"{{{NEWSARCHIVE}}}published_date")
        day.text = article.published_day.isoformat()
        day.set("precision", article.published_precision)
        _text(entry, "updated", (article.modified_at or article.published_at).isoformat())
        for name in article.authors or []:
            _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", name)
        _text(entry, "summary", article.description or article.text[:500])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=article.source_name)
    return _document(root)


def changes(*, self_url: str, changes: Sequence[tuple[Revision, Article, str | None]]) -> bytes:
    """One entry per new revision: the article's title then, what changed, the text's diff."""
    newest = max((r.fetched_at for r, _a, _t in changes), default=None)
    root = _feed("newsarchive: changes to stored articles", self_url, self_url, newest)
    for revision, article, before in changes:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "title", f"Revision {revision.revision}: {revision.title or article.url}")
        _text(entry, "id", f"{article.canonical_url or article.url}#revision-{revision.revision}")
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=article.url)
        _text(entry, "updated", revision.fetched_at.isoformat())
        changed = ET.SubElement(entry, f"{{{NEWSARCHIVE}}}changed")
        changed.text = ", ".join(revision.changed)
        diff = word_diff(before, revision.text) if before is not None else ""
        _text(entry, "summary", f"Changed: {', '.join(revision.changed)}. {diff}"[:2000])
        ET.SubElement(entry, f"{{{ATOM}}}category", term=article.source_name)
    return _document(root)


def _feed(title: str, self_url: str, feed_id: str, updated: datetime | None) -> ET.Element:
    """A feed's head: title, id, self link, when it last changed (now if empty), author."""
    ET.register_namespace("", ATOM)
    ET.register_namespace("na", NEWSARCHIVE)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", title)
    _text(root, "id", feed_id)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    _text(root, "updated", (updated or datetime.now(UTC)).isoformat())
    _text(ET.SubElement(root, f"{{{ATOM}}}author"), "name", "newsarchive")
    return root


def _document(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml_safe(value)
    return element


def _xml_safe(value: str) -> str:
    """XML 1.0 cannot carry most control characters, which scraped text sometimes has."""
    return "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
