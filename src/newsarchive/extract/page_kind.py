"""Whether a page is an article at all (pure). A site's home page, a section or tag page, search
results, a consent or cookie wall and an error page served with status 200 are not: ingesting
one stores nothing and says why.

The page's own declarations decide first (og:type, JSON-LD @type); then its shape: articles
have one headline and prose, listings have many linked headlines and little else.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lxml.html import HtmlElement

from newsarchive.extract.metadata import ARTICLE_TYPES
from newsarchive.fetch.urls import is_home_page

DECLARED_ARTICLE = ARTICLE_TYPES - {"webpage"}
LISTING_TYPES = {"collectionpage", "itemlist", "profilepage"}
SHORT_WORDS = 200  # error pages and consent walls say little
LISTING_HEADLINES = 8  # linked <h2>-<h4> headlines in <article>s: teasers of other articles
CONSENT_WORDS = 2  # consent vocabulary in what little text there is
_ERROR = re.compile(
    r"\b(?:page|seite|pagina|página|side|sida)\b.{0,20}\b(?:not found|nicht gefunden|introuvable|"
    r"non trouvée|no encontrada|non trovata|niet gevonden|ikke fundet|hittades inte)\b"
    r"|\b(?:error|fehler|erreur)\s*(?:404|410)\b|^\W*(?:404|410)\b|^\W*not found\b",
    re.IGNORECASE,
)
# What a consent wall asks of the reader, not what an article about cookies says.
_CONSENT = re.compile(
    r"\baccept all\b|\baccept cookies\b|\bwe use cookies\b|\bcookie settings\b|"
    r"\bmanage (?:your )?(?:cookies|preferences|consent)\b|\bprivacy settings\b|"
    r"\bgive (?:your )?consent\b|\balle akzeptieren\b|\bzustimmen\b|\beinwilligen\b|"
    r"\bdatenschutzeinstellungen\b|\btout accepter\b|\baceptar todo\b|\baccetta tutto\b",
    re.IGNORECASE,
)
_SEARCH_PATH = re.compile(r"/(?:search|suche|recherche|buscar|busca|cerca|zoeken)(?:/|$|\.)", re.I)
_SEARCH_PARAMS = {"q", "s", "query", "search", "keyword", "keywords"}
_TEASERS = "//article[.//*[self::h2 or self::h3 or self::h4]//a[@href]]"


@dataclass(frozen=True)
class Shape:
    """What the page's markup shows, read before text extraction prunes the tree."""

    headline: str  # <title> and the first <h1>
    teasers: tuple[tuple[str, ...], ...]  # headline and blurbs of <article>s linking elsewhere
    og_type: str
    ld_types: frozenset[str]


def shape(tree: HtmlElement, title: str | None, og_type: str | None, ld_types: set[str]) -> Shape:
    """The teasers are read only where the page declares no article: not_article decides a
    declared one without them."""
    h1 = next(tree.iter("h1"), None)  # the page's first
    first_h1 = " ".join(h1.text_content().split()) if h1 is not None else None
    og_type = (og_type or "").lower()
    teasers = [] if _declares_article(og_type, ld_types) else tree.xpath(_TEASERS)
    return Shape(
        headline=" ".join(filter(None, [title, first_h1])),
        teasers=tuple(_parts(t) for t in teasers[:200]),
        og_type=og_type,
        ld_types=frozenset(ld_types),
    )


def _declares_article(og_type: str, ld_types: Set[str]) -> bool:
    return og_type == "article" or bool(ld_types & DECLARED_ARTICLE)


def _parts(teaser: HtmlElement) -> tuple[str, ...]:
    blocks = teaser.xpath(".//*[self::h2 or self::h3 or self::h4 or self::p]")
    return tuple(" ".join(b.text_content().split()) for b in blocks)


def not_article(page: Shape, *, url: str | None, text: str, words: int) -> str | None:
    """Why the page is not an article ('home page', 'error page', ...), or None if it is one.
    `text` is what extraction kept of the page, `words` its length."""
    if words < SHORT_WORDS and _ERROR.search(page.headline):
        return "error page"
    if words < SHORT_WORDS and len(_CONSENT.findall(text)) >= CONSENT_WORDS:
        return "consent or cookie wall"
    if _declares_article(page.og_type, page.ld_types):
        return None
    if "searchresultspage" in page.ld_types or (url and _is_search(url)):
        return "search page"
    listing = page.ld_types & LISTING_TYPES or _teasers_are_the_text(page.teasers, text)
    if url and is_home_page(url):
        return "home page" if listing or words < SHORT_WORDS else None
    return "section or tag page" if listing else None


def _is_search(url: str) -> bool:
    parts = urlsplit(url)
    return bool(_SEARCH_PATH.search(parts.path) or _SEARCH_PARAMS & set(parse_qs(parts.query)))


def _teasers_are_the_text(teasers: tuple[tuple[str, ...], ...], text: str) -> bool:
    """A listing: many teasers (<article>s with a linked headline), and what extraction kept is
    mostly theirs (on an article, 'related stories' teasers are left out of the text)."""
    if len(teasers) < LISTING_HEADLINES:
        return False
    flat = " ".join(text.split())
    kept = sum(1 for parts in teasers if any(_kept(part, flat) for part in parts))
    return kept / len(teasers) >= 0.5


def _kept(part: str, text: str) -> bool:
    return len(part.split()) >= 6 and part[:80] in text
