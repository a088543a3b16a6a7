"""Page bytes + URL in, a typed article out (pure: no db, no config, no network).

trafilatura finds the body text; the metadata comes from the page's own structured data first
(JSON-LD, meta tags, <time>, the byline under the headline), then trafilatura's and htmldate's
guesses, then the URL. dates.py says which date wins and why.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

import trafilatura
from dateutil.parser import UnknownTimezoneWarning
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsarchive.errors import Skipped
from newsarchive.extract import (
    boilerplate,
    chunks,
    dates,
    headline,
    language,
    metadata,
    scripted,
    zones,
)
from newsarchive.extract.authors import (
    byline_names,
    choose_authors,
    looks_like_a_name,
    only_organisations,
    signed,
)
from newsarchive.extract.charset import decode
from newsarchive.extract.lead import shown_lead, with_lead
from newsarchive.extract.library_meta import LibraryMetadata
from newsarchive.extract.meta_names import AUTHOR_META, MODIFIED_META, PUBLISHED_META
from newsarchive.extract.page_kind import not_article, shape
from newsarchive.extract.titles import (
    as_declared,
    choose_title,
    drop_leading_title,
    plausible_site,
)
from newsarchive.fetch.urls import absolute, date_in_path, host_of

T = TypeVar("T")
# htmldate reads dates with dateutil and no zone table: a zone name it does not know ("EST" in
# a script) is read as no zone, which is what we want, and dateutil's warning about it would
# reach the terminal once per such page. Our own parsing passes its zone table.
warnings.filterwarnings("ignore", category=UnknownTimezoneWarning)
MIN_TEXT_CHARS = 200  # below this the first pass probably missed the article: try recall mode
MIN_WORDS = 5  # fewer is a navigation scrap, not an article

# Chinese and Japanese write no spaces: each character counts as a word, as word processors do.
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]|[^\s\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+"
)


@dataclass(frozen=True)
class ExtractedArticle:
    url: str | None
    canonical_url: str | None
    title: str | None
    text: str
    declared_title: str | None = None  # what og:title or <title> says, where the headline differs
    title_rule: str | None = None  # which rule chose the headline (titles.py)
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


@dataclass
class _Sources:
    """The parsed page and what it says about itself, read once."""

    tree: HtmlElement
    html: str
    url: str | None
    ld: metadata.JsonLdArticle | None
    ld_types: set[str]  # every @type its JSON-LD declares (page_kind.py)
    meta: dict[str, list[str]]
    title_tag: str | None
    h1s: list[tuple[str, HtmlElement]]  # the <h1>s and their texts (headline.headings)
    lang_attr: str | None
    canonical: str | None
    library: LibraryMetadata  # trafilatura's finders: only for what we still lack

    @classmethod
    def read(cls, html: str, url: str | None) -> _Sources:
        tree = _parse(html)
        metadata.cap_meta_values(tree)
        meta = metadata.meta_tags(tree)
        canonical = absolute(url, metadata.link_href(tree, "canonical")) or absolute(
            url, _first(meta, "og:url")
        )
        nodes = metadata.ld_nodes(tree)
        return cls(
            tree,
            html,
            url,
            metadata.json_ld(nodes),
            metadata.json_ld_types(nodes),
            meta,
            metadata.title_tag(tree),
            headline.headings(tree),
            metadata.html_lang(tree),
            canonical,
            LibraryMetadata(tree, url or canonical),
        )

    @property
    def base(self) -> str | None:
        return self.url or self.canonical

    @property
    def declared_titles(self) -> list[str | None]:
        """og:title, the JSON-LD headline, <title> (titles.choose_title)."""
        in_ld = self.ld.headline if self.ld else None
        titles = (_first(self.meta, "og:title"), in_ld, self.title_tag)
        return [metadata.unescaped(title) for title in titles]

    @property
    def languages(self) -> list[str | None]:
        """The languages the page declares, most trusted first."""
        return [
            self.lang_attr,
            _first(self.meta, "content-language", "language", "dc.language"),
            _first(self.meta, "og:locale"),
            self.ld.language if self.ld else None,
        ]


def extract(
    body: bytes, url: str | None = None, *, charset: str | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Raise Skipped when the bytes hold no article text."""
    html, used_charset = decode(body, charset)
    page = _Sources.read(html, url)
    ld, meta, library = page.ld, page.meta, page.library
    declared = page.declared_titles
    h1s = [(as_declared(text, headline.parts(h1), declared[:2]), h1) for text, h1 in page.h1s]
    headings = [text for text, _h1 in h1s]
    site_name = (
        _first(meta, "og:site_name")
        or (ld and ld.publisher)
        or plausible_site(library.sitename(), headings, declared)
    )
    choice = choose_title(headings, declared, site_name, library.title, host_of(page.base or ""))
    title = choice.title
    heading = headline.headline_element(page.tree, h1s, title)
    after_headline = headline.texts_after_headline(heading)
    when = _dates(page, after_headline, now or datetime.now(UTC))
    authors = _authors(page, heading, after_headline, site_name)
    tags, categories = _labels(page)
    description = metadata.plain_text(
        _first(meta, "og:description", "description", "twitter:description")
        or (ld and ld.description)
        or library.description()
    )
    top_image = (
        absolute(page.base, _first(meta, "og:image", "twitter:image"))
        or absolute(page.base, (ld.images[0] if ld and ld.images else None))
        or absolute(page.base, library.image())
    )
    unnamed = only_organisations(authors, [site_name or "", *(ld.organisations if ld else [])])
    in_bold = metadata.bold_paragraphs(page.tree) if unnamed else set()
    text = _text(page, title, heading)  # last: trafilatura prunes the tree it is given
    if unnamed:  # no source named a person: the writer may sign the last line in bold
        authors = signed(text, in_bold) or authors
    return ExtractedArticle(
        url=url,
        canonical_url=page.canonical,
        title=title,
        text=text,
        description=description,
        declared_title=choice.declared,
        title_rule=choice.rule,
        authors=authors,
        language=language.of_page(page.languages, text),
        site_name=site_name,
        top_image=top_image,
        charset=used_charset,
        tags=tags,
        categories=categories,
        **when,
    )


def _dates(page: _Sources, after_headline: list[str], now: datetime) -> dict[str, Any]:
    """The publication date (dates.py says which candidate wins), its zone, the modified date."""
    ld, meta = page.ld, page.meta
    published_raw = [
        *([ld.date_published] if ld and ld.date_published else []),
        *_all(meta, PUBLISHED_META),
        *metadata.time_datetimes(page.tree),
    ]
    modified_raw = [
        *([ld.date_modified] if ld and ld.date_modified else []),
        *_all(meta, MODIFIED_META),
    ]
    zone = dates.page_zone(
        [*published_raw, *modified_raw], page.base, page.lang_attr, after_headline
    )
    month_first = zones.month_first(page.base, page.lang_attr)
    candidates = dates.Candidates(
        visible=dates.visible_days(after_headline, now, month_first=month_first),
        published=published_raw,
        modified=modified_raw,
        yearless=dates.yearless_day(after_headline),
        month_first=month_first,
    )
    in_url = date_in_path(page.url) if page.url else None
    published = dates.choose_published(candidates, page.library.date, in_url, zone, now)
    if published is not None:
        published, zone = dates.on_url_day(published, in_url, zone)
    modified = (dates.parse_date(raw, now, zone, month_first=month_first) for raw in modified_raw)
    return {
        "published_at": published.at if published else None,
        "date_source": published.source if published else None,
        "date_raw": published.raw if published else None,
        "published_precision": published.precision if published else None,
        "published_wall": published.wall if published else False,
        "zone": zone,
        "modified_at": next((value for value in modified if value), None),
    }


def _authors(
    page: _Sources, heading: HtmlElement | None, after_headline: list[str], site_name: str | None
) -> list[str]:
    ld, meta = page.ld, page.meta
    return choose_authors(
        (
            lambda: ld.authors if ld else [],
            lambda: [v for key in AUTHOR_META for v in meta.get(key, []) if "://" not in v],
            lambda: byline_names(after_headline),
            lambda: metadata.author_links(page.tree),
            lambda: byline_names(headline.texts_before_headline(heading)),
        ),
        lambda: (page.library.author() or "").split(";"),
        site_name,
        page.base,
        ld.organisations if ld else (),
        lambda: (
            [n for n in metadata.labelled_authors(page.tree) if looks_like_a_name(n)][:1]
            or byline_names(metadata.classed_bylines(page.tree)[:1])
        ),
        ld.publisher if ld else None,
    )


def _labels(page: _Sources) -> tuple[list[str], list[str]]:
    """Tags and sections: the page's declared ones, else trafilatura's guesses."""
    ld, meta = page.ld, page.meta
    tags = _unique([*meta.get("article:tag", []), *(ld.keywords if ld else [])])
    categories = _unique([*meta.get("article:section", []), *(ld.sections if ld else [])])
    return (
        tags or _unique(page.library.tags()),
        categories or _unique(page.library.categories()),
    )


def _text(page: _Sources, title: str | None, heading: HtmlElement | None) -> str:
    """The article's text, or Skipped: not an article, or no text found."""
    page_shape = shape(
        page.tree,
        page.title_tag,
        _first(page.meta, "og:type"),
        page.ld_types,
    )
    lead = shown_lead(
        heading,
        [
            _first(page.meta, "og:description", "description"),
            page.ld.description if page.ld else None,
        ],
        title,
    )
    text = drop_leading_title(_body_text(page.tree, page.html, page.base), title).strip()
    words = count_words(text)
    if words < MIN_WORDS:
        # the page renders its text by script: its declared articleBody is the article, else
        # the HTML its script carries
        text = _scripted_text(page, title)
        words = count_words(text)
    elif (led := with_lead(text, lead)) is not text:  # the lead, a line before the text
        text, words = led, words + count_words(lead or "")
    reason = not_article(page_shape, url=page.base, text=text, words=words)
    if reason is not None:
        raise Skipped(f"not an article ({reason})")
    if words < MIN_WORDS:
        raise Skipped("no article text found")
    return text


def _scripted_text(page: _Sources, title: str | None) -> str:
    if page.ld and page.ld.body:
        return metadata.plain_text(page.ld.body) or ""
    carried = scripted.article_html(page.html)
    if carried is None:
        return ""
    return drop_leading_title(_trafilatura_text(_parse(carried), page.base), title).strip()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _body_text(tree: HtmlElement, html: str, url: str | None) -> str:
    split = chunks.body_chunks(tree)
    first_chunk = chunks.words(split[0]) if split else ""  # (extraction prunes the tree)
    text = _trafilatura_text(tree, url)
    if first_chunk and chunks.holds(first_chunk, text):  # the first chunk taken for the body
        joined = _trafilatura_text(chunks.joined(_parse(html)), url)
        if len(joined) > len(text):
            return joined
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
    boilerplate.remove_teasers(tree)
    boilerplate.remove_calls_to_action(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=favor_recall,
        prune_xpath=boilerplate.WIDGETS,
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
