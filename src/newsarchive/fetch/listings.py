"""Feeds and sitemaps -> article URLs with what the listing says of them (pure: bytes in).

Feeds (RSS 0.9x/1.0/2.0, Atom) go through feedparser, always on bytes our own fetcher got: it
is given a stream, so it can never fetch anything by itself. feedparser 6 does not read JSON Feed,
so JSON Feed (a dozen fields of plain JSON) is read here with the json module. Sitemaps (XML, gzipped,
indexes, Google News, plain text) go through lxml with entities and network access off.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from calendar import timegm
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from dateutil import parser as dateparser
from lxml import etree

from newsarchive.errors import Failed
from newsarchive.fetch.urls import absolute, is_http_url

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit for one uncompressed file
MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class Entry:
    url: str
    title: str | None = None
    published: datetime | None = None
    language: str | None = None


@dataclass(frozen=True)
class Listing:
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index


def parse(body: bytes, url: str, kind: str, *, content_type: str | None = None) -> Listing:
    """Parse a feed ("feed") or a sitemap ("sitemap"); raise Failed when it is neither."""
    return parse_feed(body, url, content_type) if kind == "feed" else parse_sitemap(body, url)


# --- feeds ------------------------------------------------------------------------------------


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Listing:
    if body.lstrip()[:1] == b"{":
        return parse_json_feed(body, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed: Any = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no feed elements"
        raise Failed(f"not a feed: {' '.join(str(reason).split())}"[:300])
    entries = []
    for item in parsed.entries[:MAX_ENTRIES]:
        link = absolute(url, _entry_link(item))
        if link is None:
            continue
        entries.append(
            Entry(
                url=link,
                title=" ".join(str(item.get("title", "")).split()) or None,
                published=_struct_time(item.get("published_parsed") or item.get("updated_parsed")),
                language=None,
            )
        )
    return Listing(entries=entries)


def parse_json_feed(body: bytes, url: str) -> Listing:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Failed(f"not a feed: invalid JSON ({exc})"[:300]) from exc
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise Failed("not a feed: JSON without a jsonfeed.org version")
    language = data.get("language") if isinstance(data.get("language"), str) else None
    entries = []
    for item in data.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = absolute(url, _str(item.get("url")) or _str(item.get("external_url")))
        if link is None:
            continue
        entries.append(
            Entry(
                url=link,
                title=" ".join((_str(item.get("title")) or "").split()) or None,
                published=_date(
                    _str(item.get("date_published")) or _str(item.get("date_modified"))
                ),
                language=_str(item.get("language")) or language,
            )
        )
    return Listing(entries=entries[:MAX_ENTRIES])


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _entry_link(item: Any) -> str | None:
    link = item.get("link")
    if link:
        return str(link)
    for candidate in item.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    guid = item.get("id")
    return str(guid) if guid and is_http_url(str(guid)) else None


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(timegm(value), UTC)
    except (OverflowError, ValueError, TypeError):
        return None


# --- sitemaps ---------------------------------------------------------------------------------

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True
)


def parse_sitemap(body: bytes, url: str) -> Listing:
    body = _gunzip(body)
    stripped = body.lstrip()
    if stripped.startswith(b"<"):
        try:
            root = etree.fromstring(stripped, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise Failed(f"not a sitemap: {exc}"[:300]) from exc
        if root is None:
            raise Failed("not a sitemap: empty XML")
        tag = etree.QName(root).localname
        if tag == "sitemapindex":
            return Listing(sitemaps=_locs(root, "sitemap", url)[:MAX_ENTRIES])
        if tag == "urlset":
            return Listing(entries=_url_entries(root, url))
        raise Failed(f"not a sitemap: root element <{tag}>")
    return _text_sitemap(body, url)


def _gunzip(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
            data = handle.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise Failed(f"broken gzip sitemap: {exc}") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise Failed(f"sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    return data


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _text(element: Any, *path: str) -> str | None:
    for name in path:
        found = _children(element, name)
        if not found:
            return None
        element = found[0]
    text = "".join(element.itertext()).strip()
    return text or None


def _locs(root: Any, child: str, base: str) -> list[str]:
    out = []
    for node in _children(root, child):
        loc = absolute(base, _text(node, "loc"))
        if loc:
            out.append(loc)
    return out


def _url_entries(root: Any, base: str) -> list[Entry]:
    entries = []
    for node in _children(root, "url")[:MAX_ENTRIES]:
        loc = absolute(base, _text(node, "loc"))
        if loc is None:
            continue
        published = _date(_text(node, "news", "publication_date")) or _date(_text(node, "lastmod"))
        entries.append(
            Entry(
                url=loc,
                title=_text(node, "news", "title"),
                published=published,
                language=_text(node, "news", "publication", "language"),
            )
        )
    return entries


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _text_sitemap(body: bytes, base: str) -> Listing:
    text = body.decode("utf-8", errors="replace")
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    if not urls or not all(is_http_url(u) for u in urls[:5]):
        raise Failed("not a sitemap: neither XML nor a list of URLs")
    return Listing(entries=[Entry(url=u) for u in urls[:MAX_ENTRIES] if is_http_url(u)])
