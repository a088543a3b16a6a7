"""Page bytes + URL in, a typed article out (pure: no db, no config, no network).

trafilatura finds the body text; the metadata comes from the page's own structured data first
(JSON-LD, meta tags, <time>, the byline under the headline), then trafilatura's and htmldate's
guesses, then the URL. dates.py says which date wins and why.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any, TypeVar

import trafilatura
from dateutil.parser import UnknownTimezoneWarning
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as tmeta
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from newsarchive.errors import Skipped
from newsarchive.ingest import dates, metadata
from newsarchive.ingest.authors import byline_names, choose_authors
from newsarchive.ingest.charset import decode
from newsarchive.ingest.page_kind import not_article, shape
from newsarchive.ingest.titles import choose_title, drop_leading_title
from newsarchive.ingest.urls import absolute, date_in_path

T = TypeVar("T")
# htmldate reads dates with dateutil and no zone table: a zone name it does not know ("EST" in
# a script) is read as no zone, which is what we want, and dateutil's warning about it would
# reach the terminal once per such page. Our own parsing passes its zone table.
warnings.filterwarnings("ignore", category=UnknownTimezoneWarning)
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
# Chinese and Japanese write no spaces: each character counts as a word, as word processors do.
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+"
)
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
    published_at: datetime | None = None  # in the page's own zone
    date_source: str | None = None  # "page" or "url"; None: the caller decides (feed, first seen)
    date_raw: str | None = None
    published_precision: dates.Precision | None = None  # "day" when the page gave no time
    zone: tzinfo | None = None  # the page's own time zone, None when nothing says it
    published_wall: bool = False  # published_at is a wall clock of an unknown zone (dates.py)
    modified_at: datetime | None = None
    charset: str | None = None

    @property
    def word_count(self) -> int:
        return count_words(self.text)

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
    lang_attr = metadata.html_lang(tree)
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
    published_raw = [
        *([ld.date_published] if ld and ld.date_published else []),
        *_all(meta, PUBLISHED_META),
        *metadata.time_datetimes(tree),
    ]
    modified_raw = [
        *([ld.date_modified] if ld and ld.date_modified else []),
        *_all(meta, MODIFIED_META),
    ]
    after_headline = metadata.texts_after_headline(tree, title)
    zone = dates.page_zone([*published_raw, *modified_raw], url or canonical, lang_attr)
    month_first = dates.month_first(url or canonical, lang_attr)
    published = dates.choose_published(
        dates.Candidates(
            visible=dates.visible_days(after_headline, now, month_first=month_first),
            published=published_raw,
            modified=modified_raw,
            yearless=dates.yearless_day(after_headline),
            month_first=month_first,
        ),
        library.date,
        date_in_path(url) if url else None,
        zone,
        now,
    )
    authors = choose_authors(
        (
            lambda: ld.authors if ld else [],
            lambda: [v for key in AUTHOR_META for v in meta.get(key, []) if "://" not in v],
            lambda: byline_names(after_headline),
            lambda: metadata.author_links(tree)[:1],
        ),
        lambda: (library.author() or "").split(";"),
        site_name,
        base,
    )
    tags = _unique([*meta.get("article:tag", []), *(ld.keywords if ld else [])]) or _unique(
        library.tags()
    )
    categories = _unique(
        [*meta.get("article:section", []), *(ld.sections if ld else [])]
    ) or _unique(library.categories())
    description = metadata.plain_text(
        _first(meta, "og:description", "description", "twitter:description")
        or (ld and ld.description)
        or library.description()
    )
    top_image = (
        absolute(base, _first(meta, "og:image", "twitter:image"))
        or absolute(base, (ld.images[0] if ld and ld.images else None))
        or absolute(base, library.image())
    )

    page_shape = shape(
        tree, metadata.title_tag(tree), _first(meta, "og:type"), metadata.json_ld_types(tree)
    )
    # Last: trafilatura prunes the tree it is given.
    text = drop_leading_title(_body_text(tree, html, base), title).strip()
    words = count_words(text)
    if words < MIN_WORDS and ld and ld.body:
        # the page renders its text by script: its declared articleBody is the article
        text = metadata.plain_text(ld.body) or ""
        words = count_words(text)
    reason = not_article(page_shape, url=base, text=text, words=words)
    if reason is not None:
        raise Skipped(f"not an article ({reason})")
    if words < MIN_WORDS:
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
        published_at=published.at if published else None,
        date_source=published.source if published else None,
        date_raw=published.raw if published else None,
        published_precision=published.precision if published else None,
        published_wall=published.wall if published else False,
        zone=zone,
        modified_at=next(
            (
                value
                for raw in modified_raw
                if (value := dates.parse_date(raw, now, zone, month_first=month_first))
            ),
            None,
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


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


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
    text = getattr(doc, "text", None)  # a Document (a dict only with as_dict=True)
    return text if isinstance(text, str) else ""


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
