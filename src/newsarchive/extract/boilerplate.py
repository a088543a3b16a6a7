"""What sits inside an article's markup but is not the article (pure): "read also" teasers
between its paragraphs, lists of related stories under a "You may also like" heading, share and
related-post widgets. Removed from the tree before trafilatura reads it, which keeps them when
they sit inside the article's own container."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

# the labels that introduce a link to another story, in the archive's main languages; each
# begins with a word of its own (the quick look at every block below reads that word)
_LABELS = (
    r"read\s+(?:more|also|next)",
    r"see\s+also",
    r"also\s+read",
    r"related(?:\s+(?:articles?|stories|posts|news))?",
    r"recommended(?:\s+for\s+you)?",
    r"you\s+(?:may|might)\s+also\s+(?:like|enjoy)",
    r"more\s+(?:from|on)\b",
    r"lesen\s+sie\s+(?:auch|mehr)",
    r"lies\s+auch",
    r"auch\s+interessant",
    r"schon\s+gelesen",
    r"mehr\s+zum\s+thema",
    r"mehr\s+themen",
    r"weitere\s+(?:artikel|beiträge|themen|aktuelle\s+themen)",
    r"empfohlene\s+beiträge",
    r"ähnliche\s+beiträge",
    r"das\s+(?:könnte|dürfte)\s+(?:sie|dich)\s+auch\s+interessieren",
    r"das\s+thema\s+könnte\s+(?:sie|dich)\s+auch\s+interessieren",
    r"lea\s+(?:también|más|además)",
    r"lea",
    r"lee\s+también",
    r"le\s+puede\s+interesar",
    r"te\s+puede\s+interesar",
    r"puede\s+interesarle",
    r"puedes\s+ver",
    r"vea\s+también",
    r"mire",
    r"notas\s+relacionadas",
    r"noticias\s+relacionadas",
    r"más\s+sobre",
    r"à\s+lire\s+aussi",
    r"lire\s+aussi",
    r"voir\s+aussi",
    r"à\s+voir\s+aussi",
    r"sur\s+le\s+même\s+sujet",
    r"leggi\s+anche",
    r"potrebbe\s+interessarti",
    r"leia\s+(?:também|mais)",
    r"veja\s+também",
    r"lees\s+ook",
    r"lees\s+meer",
    r"czytaj\s+(?:także|też)",
    r"zobacz\s+(?:też|także)",
)
_TEASER = re.compile(r"^\W*(?:" + "|".join(_LABELS) + r")\b\s*[:.!?»>\-–—]*", re.IGNORECASE)
_TEASER_STARTS = {word.group().casefold() for label in _LABELS if (word := re.match(r"\w+", label))}
_BLOCKS = ("p", "li", "div", "section", "aside", "h2", "h3", "h4", "h5", "h6")
# The blocks whose first word (lowercased, punctuation dropped) starts a label, found by libxml2
# in one expression: looking at every block of a page from Python cost more than the rest of this.
# translate() costs libxml2 the input's length times its table's, so the punctuation is
# translated in the first 16 characters of the spaced-out opening only (the longest first word
# is 11), not in the raw 40 whose indentation was most of it: 17 % less time on the corpus.
_PUNCTUATION = "»«:.!?>-–—„“”|•·"
_FIRST_WORD = (
    "translate(substring-before(concat(normalize-space(translate("
    "substring(normalize-space(substring(string(.), 1, 40)), 1, 16), "
    f"'{_PUNCTUATION}', '{' ' * len(_PUNCTUATION)}')), ' '), ' '), "
    "'ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜÀÁÉ', 'abcdefghijklmnopqrstuvwxyzäöüàáé')"
)
# (a union of one path per tag, each walking the elements only: `//*[self::p or ...]` tested
# every node of the page against ten names, and took 1.4 times as long for the same blocks)
_STARTS_LABEL = (
    f"[contains(' {' '.join(sorted(_TEASER_STARTS))} ', concat(' ', {_FIRST_WORD}, ' '))]"
)
_CANDIDATES = etree.XPath(" | ".join(f"/descendant::{tag}{_STARTS_LABEL}" for tag in _BLOCKS))
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
MAX_TEASER_CHARS = 300  # a teaser is a line or two; a longer block is the article
MAX_LABEL_CHARS = 60
LINKED_SHARE = 0.5  # at least this share of a teaser's text is a link to the other story
# widgets trafilatura keeps when they sit inside the article's container (whole class names, and
# never a block that holds the headline: "has-related-posts" on <main>). One expression, with a
# cheap substring test before the whole-name test: trafilatura runs it on every extraction pass.
# (Two substrings that each name holds: a test per name took twice as long, 2.4 ms a page.)
_WIDGET_CLASSES = (
    "sharedaddy",
    "jp-relatedposts",
    "yarpp-related",
    "related-posts",
    "relatedposts",
)
_WIDGET_PARTS = ("related", "sharedaddy")
assert all(any(part in name for part in _WIDGET_PARTS) for name in _WIDGET_CLASSES)
_ANY_PART = " or ".join(f"contains(@class, '{part}')" for part in _WIDGET_PARTS)
_ANY_NAME = " or ".join(
    f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in _WIDGET_CLASSES
)
WIDGETS = [
    f"/descendant::*[@id='jp-relatedposts' or (({_ANY_PART}) and ({_ANY_NAME}))][not(.//h1)]"
]


def _candidates(tree: HtmlElement) -> list[HtmlElement]:
    found = _CANDIDATES(tree)
    return [el for el in found if isinstance(el, HtmlElement)] if isinstance(found, list) else []


def remove_teasers(tree: HtmlElement) -> int:
    """Remove each "Read also: <a>Other story</a>" line, and each label heading ("Auch
    interessant") with the list of links after it; returns how many blocks went."""
    doomed: list[HtmlElement] = []
    for element in _candidates(tree):
        text = " ".join(element.text_content().split())
        match = _TEASER.match(text)
        if match is None or len(text) > MAX_TEASER_CHARS:
            continue
        if any(d in doomed for d in element.iterancestors()):
            continue
        rest = text[match.end() :].strip()
        # a label alone ("Auch interessant", "Lesen Sie auch die folgenden Beiträge:"): a
        # heading over the links that follow it ("Lea" alone may be a name: it needs the colon)
        if not rest or (text.endswith(":") and len(text) <= MAX_LABEL_CHARS):
            if element.tag not in _HEADINGS and not text.endswith(":"):
                continue
            following = next(element.itersiblings(etree.Element), None)  # (not a comment)
            doomed.append(element)
            if following is not None and _linked_share(following) >= LINKED_SHARE:
                doomed.append(following)
        elif _linked_share(element) >= LINKED_SHARE:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return len(doomed)


# a call to subscribe, sign up or follow, in the second person: the site talking, not the story
# (our / us / you forms only: "residents can subscribe to the scheme" is news)
_CALL = re.compile(
    r"\b(?:subscribe\s+(?:now|today|to\s+our)|please\s+subscribe|already\s+a\s+subscriber|"
    r"sign(?:ing)?\s+up\s+(?:to|for)\s+our\s+(?:\w+\s+)?newsletter|download\s+our\s+|"
    r"download\s+the\s+\w+\s+apps?\s+for\s+(?:ios|android)|follow\s+us\b|"
    r"follow\s+.{1,40}\s+on\s+(?:twitter|facebook|instagram)\b.{0,60}@\w+|"
    r"newsletter\s+abonnieren|jetzt\s+abonnieren|abonnieren\s+sie\s+(?:unseren|jetzt)|"
    r"folgen\s+sie\s+uns|suscr[ií]bete\s+a\s+nuestr|únete\s+a\s+nuestr|hazte\s+miembro|"
    r"síguenos|abonnez-vous\s+à\s+notre|inscrivez-vous\s+à\s+notre)",
    re.IGNORECASE,
)
MAX_CALL_CHARS = 250


def remove_calls_to_action(tree: HtmlElement) -> int:
    """Remove the paragraphs that ask the reader to subscribe, sign up or follow the site."""
    doomed = []
    for p in tree.iter("p"):
        text = opening(p, 2 * MAX_CALL_CHARS)  # (more than that is an article's paragraph)
        if len(text) <= MAX_CALL_CHARS and _CALL.search(text):
            doomed.append(p)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return len(doomed)


def opening(element: HtmlElement, chars: int = 80) -> str:
    """The first `chars` or so of an element's text, without reading the rest of it."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        parts.append(piece)
        size += len("".join(piece.split()))  # (indentation is no text)
        if size >= chars:
            break
    return " ".join("".join(parts).split())


def _linked_share(element: HtmlElement) -> float:
    text = len("".join(element.text_content().split()))
    if not text:
        return 0.0
    linked = sum(len("".join(a.text_content().split())) for a in element.iter("a"))
    return linked / text
