"""Page bytes + URL in, a typed article out (pure: no db, no config, no network).

trafilatura finds the body text; the metadata it returns is completed and corrected from the
page's own structured data, best source first: JSON-LD, then meta tags, then <time>, then
trafilatura's (htmldate's) guesses, then the URL.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cached_property
from typing import Any, TypeVar

import trafilatura
from dateutil import parser as dateparser
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as tmeta
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from newsarchive.errors import Skipped
from newsarchive.ingest import metadata
from newsarchive.ingest.charset import decode
from newsarchive.ingest.urls import absolute, date_in_path

T = TypeVar("T")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MIN_TEXT_CHARS = 200  # below this the first pass probably missed the article: try recall mode
MIN_WORDS = 5  # fewer is a navigation scrap, not an article

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "publish_date", "article.published", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "date",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
    "last-modified", "article.updated",
)  # fmt: skip
AUTHOR_META = ("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator")
_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|di|door)\s*[:\-]?\s+", re.IGNORECASE)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||,?\s+and\s+|\s+&\s+|\s+und\s+|\s+et\s+|\s+y\s+)\s*")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
_YEAR_OR_MONTH = re.compile(r"^\d{4}(?:-\d{1,2})?$")
_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_LANG = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]+)*$")


@dataclass(frozen=True)
class ExtractedArticle:
    url: str | None
    canonical_url: str | None
    title: str | None
    text: str
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    site_name: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    top_image: str | None = None
    published_at: datetime | None = None
    date_source: str | None = None  # "page" or "url"; None: the caller decides (feed, first seen)
    date_raw: str | None = None
    modified_at: datetime | None = None
    charset: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def content_hash(self) -> str:
        normalized = " ".join(self.text.lower().split())
        return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def extract(
    body: bytes, url: str | None = None, *, charset: str | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Raise Skipped when the bytes hold no article text."""
    html, used_charset = decode(body, charset)
    tree = _parse(html)
    now = now or datetime.now(UTC)

    ld = metadata.json_ld(tree)
    meta = metadata.meta_tags(tree)
    canonical = absolute(url, metadata.link_href(tree, "canonical")) or absolute(
        url, _first(meta, "og:url")
    )
    base = url or canonical
    library = _LibraryMetadata(tree, base)  # trafilatura's finders: only for what we still lack

    site_name = _first(meta, "og:site_name") or (ld and ld.publisher) or library.sitename()
    title = choose_title(
        metadata.headings(tree),
        [_first(meta, "og:title"), ld.headline if ld else None, metadata.title_tag(tree)],
        site_name,
        library.title,
    )
    published, date_source, date_raw = _published(
        ld, meta, metadata.time_datetimes(tree), library.date, url, now
    )
    authors = _authors(ld, meta, library.author, site_name)
    tags = _unique([*meta.get("article:tag", []), *(ld.keywords if ld else [])]) or _unique(
        library.tags()
    )
    categories = _unique(
        [*meta.get("article:section", []), *(ld.sections if ld else [])]
    ) or _unique(library.categories())
    description = (
        _first(meta, "og:description", "description", "twitter:description")
        or (ld and ld.description)
        or library.description()
    )
    top_image = (
        absolute(base, _first(meta, "og:image", "twitter:image"))
        or absolute(base, (ld.images[0] if ld and ld.images else None))
        or absolute(base, library.image())
    )
    lang_attr = metadata.html_lang(tree)

    # Last: trafilatura prunes the tree it is given.
    text = _drop_leading_title(_body_text(tree, html, base), title).strip()
    if len(text.split()) < MIN_WORDS:
        raise Skipped("no article text found")
    return ExtractedArticle(
        url=url,
        canonical_url=canonical,
        title=title,
        text=text,
        description=description,
        authors=authors,
        language=_language(lang_attr, meta, ld, text),
        site_name=site_name,
        tags=tags,
        categories=categories,
        top_image=top_image,
        published_at=published,
        date_source=date_source,
        date_raw=date_raw,
        modified_at=_first_date(
            [*([ld.date_modified] if ld and ld.date_modified else []), *_all(meta, MODIFIED_META)],
            now,
        ),
        charset=used_charset,
    )


class _LibraryMetadata:
    """trafilatura's and htmldate's metadata finders, each run only when asked: the page's own
    structured data usually answers first, and htmldate's date search alone costs about as
    much as a quarter of the whole extraction."""

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


def _body_text(tree: HtmlElement, html: str, url: str | None) -> str:
    text = _trafilatura_text(tree, url)
    if len(text) < MIN_TEXT_CHARS:  # the first pass probably missed the article
        retry = _trafilatura_text(_parse(html), url, favor_recall=True)
        if len(retry) > len(text):
            return retry
    return text


def _parse(html: str) -> HtmlElement:
    tree = load_html(html)
    if tree is None:
        raise Skipped("not an HTML page (nothing to parse)")
    return tree


def _trafilatura_text(tree: HtmlElement, url: str | None, *, favor_recall: bool = False) -> str:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=favor_recall,
    )
    return (doc.text if doc is not None else None) or ""


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in meta.get(key, []):
            if value.strip():
                return value.strip()
    return None


def _all(meta: dict[str, list[str]], keys: tuple[str, ...]) -> list[str]:
    return [value for key in keys for value in meta.get(key, [])]


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def parse_date(raw: str, now: datetime) -> datetime | None:
    """An aware UTC datetime, or None for text that is not a plausible publication date."""
    raw = raw.strip()
    if not raw or len(raw) > 64 or _YEAR_OR_MONTH.match(raw):
        return None  # a year or a month alone does not say which day
    if _DOTTED_DATE.match(raw):  # 10.12.2022: day first, as everywhere dots are used
        try:
            value = dateparser.parse(raw, dayfirst=True, tzinfos=_zone_abbreviation)
        except (ValueError, OverflowError, dateparser.ParserError):
            return None
        return _plausible(value, now)
    try:
        value = dateparser.isoparse(raw)
    except (ValueError, OverflowError):
        try:
            value = dateparser.parse(raw, tzinfos=_zone_abbreviation)
        except (ValueError, OverflowError, dateparser.ParserError):
            return None
    return _plausible(value, now)


def _plausible(value: datetime, now: datetime) -> datetime | None:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value < EARLIEST or value > now + timedelta(days=1):
        return None
    return value


_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "MSK": 3, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "EST": -5, "EDT": -4, "CST": -6,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip


def _zone_abbreviation(name: str | None, offset: int | None) -> tzinfo | None:
    """Offsets of the zone names news sites print; unknown names count as UTC (no warning)."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    hours = _ZONES.get((name or "").upper())
    return timezone(timedelta(hours=hours)) if hours is not None else None


def _first_date(candidates: list[str], now: datetime) -> datetime | None:
    for raw in candidates:
        value = parse_date(raw, now)
        if value is not None:
            return value
    return None


def _published(
    ld: metadata.JsonLdArticle | None,
    meta: dict[str, list[str]],
    times: list[str],
    guess: Callable[[], str | None],
    url: str | None,
    now: datetime,
) -> tuple[datetime | None, str | None, str | None]:
    structured = [
        *([ld.date_published] if ld and ld.date_published else []),
        *_all(meta, PUBLISHED_META),
        *times,
    ]
    for raw in structured:
        value = parse_date(raw, now)
        if value is not None:
            return value, "page", raw
    in_path = date_in_path(url) if url else None
    guessed = guess()
    if guessed:
        value = parse_date(guessed, now)
        if value is not None:
            from_url = in_path is not None and value.timetuple()[:3] == in_path
            return value, "url" if from_url else "page", guessed
    if in_path:
        try:
            value = datetime(*in_path, tzinfo=UTC)
        except ValueError:
            return None, None, None
        if EARLIEST <= value <= now + timedelta(days=1):
            return value, "url", "-".join(str(part) for part in in_path)
    return None, None, None


def choose_title(
    headings: list[str],
    declared: list[str | None],
    site_name: str | None,
    guess: Callable[[], str | None],
) -> str | None:
    """The page's own headline: the <h1> that the og:title, JSON-LD headline or <title> also
    carry (they often add the site's name or a section to it); else the first of those,
    without the site's name; else trafilatura's guess."""
    titles = [" ".join(t.split()) for t in declared if t and t.strip()]
    lowered = [t.casefold() for t in titles]
    site = (site_name or "").casefold()
    for heading in headings:
        folded = heading.casefold()
        if folded == site or not 3 <= len(folded) <= 300:
            continue  # a logo in an <h1> is not the headline
        if any(folded in t for t in lowered):
            return heading
    for title in titles:
        cleaned = clean_title(title, site_name)
        if cleaned:
            return cleaned
    return clean_title(guess(), site_name)


def clean_title(title: str | None, site_name: str | None) -> str | None:
    """Drop a ' | Site Name' suffix or 'Site Name - ' prefix."""
    if not title:
        return None
    title = " ".join(title.split()).strip(" -|–—·:")
    if site_name:
        site = site_name.strip().lower()
        for sep in _TITLE_SEPARATORS:
            head, _, tail = title.rpartition(sep)
            if head and tail.strip().lower() == site:
                return head.strip()
            head, _, tail = title.partition(sep)
            if tail and head.strip().lower() == site:
                return tail.strip()
    return title


def _drop_leading_title(text: str, title: str | None) -> str:
    if title:
        first, _, rest = text.partition("\n")
        if " ".join(first.split()).lower() == title.lower():
            return rest
    return text


def clean_authors(raw_names: list[str], site_name: str | None) -> list[str]:
    """People (and agencies) from raw author strings: no 'By', URLs, handles or site names."""
    site = (site_name or "").strip().lower()
    names: list[str] = []
    for raw in raw_names:
        for part in _AUTHOR_SPLIT.split(_BYLINE_PREFIX.sub("", html.unescape(raw).strip())):
            name = " ".join(_BYLINE_PREFIX.sub("", part).split()).strip(" ,.-:")
            lowered = name.lower()
            if (
                not name
                or len(name) > 80
                or "://" in name
                or name.startswith("@")
                or lowered.startswith("www.")
                or re.search(r"\.(?:com|org|net|co\.uk|de|fr)\b", lowered)
                or (site and lowered == site)
            ):
                continue
            names.append(name)
    return _unique(names)[:20]


def _authors(
    ld: metadata.JsonLdArticle | None,
    meta: dict[str, list[str]],
    guess: Callable[[], str | None],
    site: str | None,
) -> list[str]:
    for candidates in (
        ld.authors if ld else [],
        [v for key in AUTHOR_META for v in meta.get(key, []) if "://" not in v],
    ):
        names = clean_authors(candidates, site)
        if names:
            return names
    guessed = guess()
    return clean_authors(guessed.split(";"), site) if guessed else []


def normalize_language(value: str | None) -> str | None:
    """'en-US' / 'en_GB' / 'EN' -> 'en'."""
    if not value:
        return None
    value = value.strip().split(",")[0].strip()
    if not _LANG.match(value):
        return None
    return re.split(r"[-_]", value)[0].lower()


def _language(
    lang_attr: str | None,
    meta: dict[str, list[str]],
    ld: metadata.JsonLdArticle | None,
    text: str,
) -> str | None:
    for candidate in (
        lang_attr,
        _first(meta, "content-language", "language", "dc.language"),
        _first(meta, "og:locale"),
        ld.language if ld else None,
    ):
        lang = normalize_language(candidate)
        if lang:
            return lang
    if len(text.split()) < 15:
        return None
    import py3langid  # loads its model on import: only pay for it when a page declares nothing

    lang, _score = py3langid.classify(text[:5000])
    return str(lang)
