"""Metadata candidates from a parsed page: JSON-LD, meta tags, <time>, <link> (pure).

Each finder returns raw strings; choosing between them and parsing dates lives in extract.py.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "socialmediaposting",
    "liveblogposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "webpage",
}


@dataclass
class JsonLdArticle:
    headline: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    images: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    language: str | None = None
    description: str | None = None
    body: str | None = None  # articleBody: the text, for pages that show it only by script
    # authors the page types as an Organization: a publisher's desk, not a writer
    author_organisations: list[str] = field(default_factory=list)

    @property
    def organisations(self) -> list[str]:
        """The names it calls organisations: an author typed so, the publisher."""
        return [*self.author_organisations, self.publisher or ""]


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _nodes(data["@graph"])


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values}


def _strings(value: Any, key: str = "name") -> list[str]:
    """Flatten 'x', {'name': 'x'}, ['x', {'name': 'y'}] into ['x', 'y']."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return _strings(value.get(key) or value.get("url") or value.get("@id"), key)
    if isinstance(value, list):
        return [s for item in value for s in _strings(item, key)]
    return []


def _first(value: Any, key: str = "name") -> str | None:
    found = _strings(value, key)
    return found[0] if found else None


_TAG = re.compile(r"<[^<>]*>")  # not "<[^>]*>": a run of "<" without ">" took quadratic time


def plain_text(value: str | None) -> str | None:
    """Text as a reader sees it: markup some pages put in metadata (`<a href=..>Name</a>`)
    dropped, entities (`&nbsp;`, `&#8230;`, even escaped twice) read, whitespace collapsed."""
    text = unescaped(value)
    if text and "<" in text:
        text = " ".join(html.unescape(_TAG.sub(" ", text)).split()) or None
    return text


def unescaped(value: str | None) -> str | None:
    """A title as a reader sees it: entities read (even escaped twice), whitespace collapsed;
    unlike plain_text, "x < y and y > z" keeps its words."""
    if value is None:
        return None
    return " ".join(html.unescape(html.unescape(value)).split()) or None


def letters(text: str) -> str:
    """Only the letters and digits, lowercased: "L-Mag" and "l-mag.de" compare as lmag."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def ld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every node of every JSON-LD script that parses (a broken one is skipped); read once a
    page, for its article and its types."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null", strict=False)
        except (ValueError, RecursionError):
            continue
        nodes.extend(_nodes(data))
    return nodes


def json_ld_types(nodes: list[dict[str, Any]]) -> set[str]:
    """Every @type any JSON-LD node of the page declares, lowercased."""
    return {kind for node in nodes for kind in _types(node)}


def json_ld(nodes: list[dict[str, Any]]) -> JsonLdArticle | None:
    """The first article-like JSON-LD node, preferring news/article types over WebPage."""
    best: dict[str, Any] | None = None
    for node in nodes:
        types = _types(node)
        if not types & ARTICLE_TYPES:
            continue
        if best is None or ("webpage" in _types(best) and "webpage" not in types):
            best = node
    if best is None:
        return None
    authors = _resolved(best.get("author"), nodes)
    keywords = best.get("keywords")
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",")]
    return JsonLdArticle(
        headline=_first(best.get("headline")) or _first(best.get("name")),
        date_published=_first(best.get("datePublished")) or _first(best.get("dateCreated")),
        date_modified=_first(best.get("dateModified")),
        authors=_strings(authors),
        author_organisations=[
            name
            for a in authors
            if isinstance(a, dict) and "organization" in _types(a)
            for name in _strings(a)
        ],
        publisher=_first(best.get("publisher")),
        images=_strings(best.get("image"), key="url"),
        keywords=[k for k in _strings(keywords) if k],
        sections=_strings(best.get("articleSection")),
        language=_first(best.get("inLanguage")),
        description=_first(best.get("description")),
        body=_first(best.get("articleBody")),
    )


def _resolved(value: Any, nodes: list[dict[str, Any]]) -> list[Any]:
    """Author values with each reference ({"@id": ...}, as Yoast writes them) replaced by the
    node it names, usually a Person in the page's @graph."""
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and n.get("name")}
    values = value if isinstance(value, list) else [value] if value is not None else []
    resolved = [
        by_id.get(v["@id"], v)
        if isinstance(v, dict) and not v.get("name") and isinstance(v.get("@id"), str)
        else v
        for v in values
    ]
    return [_full_name(v) if isinstance(v, dict) else v for v in resolved]


_BIO_NAME = re.compile(r"^([^\W\d][\w'-]*(?:\s+[A-ZÄÖÜÉ][\w'-]+){1,2})\b")


def _full_name(person: dict[str, Any]) -> dict[str, Any]:
    """A Person named by a first name alone whose description begins with the full name
    ("Nils" / "Nils Pickert ist freier Autor ...", as Yoast writes a profile) gets it."""
    name, bio = person.get("name"), person.get("description")
    if not isinstance(name, str) or " " in name.strip() or not isinstance(bio, str):
        return person
    found = _BIO_NAME.match(bio.strip())
    if found and found.group(1).split()[0] == name.strip():
        return {**person, "name": found.group(1)}
    return person


MAX_META_CHARS = 2_000  # a description is a few sentences; an author list, a few names


def cap_meta_values(tree: HtmlElement) -> None:
    """Cut each <meta> content to MAX_META_CHARS in the tree, before anything reads it:
    trafilatura's metadata step strips tags in quadratic time, and 100k characters of "&lt;"
    in one value held a page for 10-20 s."""
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is not None and len(content) > MAX_META_CHARS:
            meta.set("content", content[:MAX_META_CHARS])


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """<meta> content keyed by lowercased name, property, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def link_href(tree: HtmlElement, rel: str) -> str | None:
    for link in tree.iter("link"):
        if _rel(link, rel):
            href = (link.get("href") or "").strip()
            if href:
                return href
    return None


_AUTHOR_PAGE = re.compile(r"/(?:author|authors|autor|autoren|auteur|autore|autori)/[^/?#]+", re.I)


def author_links(tree: HtmlElement) -> list[str]:
    """Texts of the links to a writer's page (rel="author", or an /author/jane-doe/ address:
    WordPress and most news CMSs link bylines so): the first, and those beside it in the same
    element ("Clara Löw, Siddharth Prakash & Klaus Jacob"); links elsewhere are other stories'."""
    candidates = tree.xpath('//a[@rel or contains(@href, "/aut") or contains(@href, "/Aut")]')
    links = [
        a
        for a in candidates
        if (_rel(a, "author") or _AUTHOR_PAGE.search(a.get("href") or ""))
        and " ".join(a.text_content().split())
    ]
    if not links:
        return []
    byline = links[0].getparent()
    return [" ".join(a.text_content().split()) for a in links if a.getparent() is byline]


def bold_paragraphs(tree: HtmlElement) -> set[str]:
    """Paragraphs all in bold: how a writer signs a story at its end ("<p><strong>Lê
    Phương</strong></p>" closes a VnExpress article)."""
    found = set()
    for paragraph in tree.xpath("//body//p[strong or b]"):
        line = " ".join(paragraph.text_content().split())
        if line and line == " ".join(paragraph.xpath("string((strong|b)[1])").split()):
            found.add(line)
    return found


def classed_bylines(tree: HtmlElement) -> list[str]:
    """The short texts of elements a class calls the byline or the author (`article__author`,
    `byline`): where a byline far from the headline is found."""
    elements = tree.xpath(  # (not in a link: a teaser's byline is another story's)
        '//body//*[contains(@class, "author") or contains(@class, "byline")]'
        "[not(ancestor-or-self::a)]"
    )
    texts = (" ".join(element.text_content().split()) for element in elements)
    return [text for text in texts if 0 < len(text) <= 80]


def _rel(element: HtmlElement, value: str) -> bool:
    return value in (element.get("rel") or "").lower().split()


def time_datetimes(tree: HtmlElement) -> list[str]:
    """datetime attributes of <time> elements, those marked as the publication time first."""
    marked: list[str] = []
    others: list[str] = []
    for el in tree.iter("time"):
        value = (el.get("datetime") or "").strip()
        if not value:
            continue
        hint = " ".join(
            (
                el.get("itemprop") or "",
                el.get("class") or "",
                "pubdate" if el.get("pubdate") is not None else "",
            )
        ).lower()
        (marked if "publish" in hint or "pubdate" in hint else others).append(value)
    return marked + others


def html_lang(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    return (root.get("lang") or root.get("xml:lang") or "").strip() or None


# (an HTML parser puts no elements in a script or a style: their text is their child)
VISIBLE_TEXT = "text()[normalize-space()][not(parent::script or parent::style)]"


_AUTHOR_LABEL = re.compile(
    r"^(?:(?:autorin|autor|verfasserin|verfasser|authors?)\b\s*:?|(?:von|by)\s*:|"
    r"(?:作者|责任编辑)\s*[:：])\s*(.*)$",
    re.IGNORECASE,
)


def labelled_authors(tree: HtmlElement, *, limit: int = 5) -> list[str]:
    """What follows each "Autor:" / "Author" / "Von:" label of the page (the first `limit`), on
    its own line or in the label's text ("Datum: 19.11.2021 / Autor: Fritz Imhof" boxes, far
    from the headline); the caller takes the first that is a name (a menu's "Autoren" is not)."""
    texts = tree.xpath(f"//body//{VISIBLE_TEXT}")
    found: list[str] = []
    for index, text in enumerate(texts):
        line = " ".join(str(text).split())
        match = _AUTHOR_LABEL.match(line) if len(line) <= 80 else None
        if match is None:
            continue
        rest = match.group(1) or (
            " ".join(str(texts[index + 1]).split()) if index + 1 < len(texts) else ""
        )
        if rest:
            found.append(rest)
            if len(found) == limit:
                break
    return found


def title_tag(tree: HtmlElement) -> str | None:
    for title in tree.iter("title"):
        text = " ".join(title.text_content().split())
        if text:
            return text
    return None
