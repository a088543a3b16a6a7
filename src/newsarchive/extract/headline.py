"""The page's headline element and what stands beside it (pure): its <h1>s, the one that shows
the headline, its parts where it is a kicker above the headline, and the texts just above and
below it, where bylines and datelines sit."""

from __future__ import annotations

import re
from typing import Literal

from lxml.html import HtmlElement

from newsarchive.extract.metadata import VISIBLE_TEXT

_HIDDEN = re.compile(r"\b(?:aural|sr-only|visually-?hidden|screen-reader-text)\b", re.IGNORECASE)


def headings(tree: HtmlElement) -> list[tuple[str, HtmlElement]]:
    """The page's <h1>s and their texts, those inside <article> or <main> first; an <h1> only
    screen readers see (class sr-only, visually-hidden, ...) is a label, not the headline."""
    inside: list[tuple[str, HtmlElement]] = []
    outside: list[tuple[str, HtmlElement]] = []
    for h1 in tree.iter("h1"):
        text = " ".join(h1.text_content().split())
        if not text or _HIDDEN.search(h1.get("class") or ""):
            continue
        in_body = any(a.tag in ("article", "main") for a in h1.iterancestors())
        (inside if in_body else outside).append((text, h1))
    return inside + outside


def texts_after_headline(heading: HtmlElement | None, *, count: int = 15) -> list[str]:
    """The first `count` texts after the headline element, where bylines and datelines sit."""
    return _texts_beside(heading, "following", count)


def texts_before_headline(heading: HtmlElement | None, *, count: int = 3) -> list[str]:
    """The `count` texts right above the headline element, in reading order: where some sites
    put the dateline and the writer ("04.02.2022 | 13:10 Uhr | Uta Helkenberg")."""
    return _texts_beside(heading, "preceding", count)


def headline_element(
    tree: HtmlElement, found: list[tuple[str, HtmlElement]], headline: str | None
) -> HtmlElement | None:
    """The element that shows the headline: the <h1> (of `found`, the page's `headings`) that
    carries it, else an <h2> or <h3> that does, else the first <h1>."""
    heading = next((el for text, el in found if text == headline), None)
    if heading is None and headline:
        heading = next(
            (el for el in tree.iter("h2", "h3") if " ".join(el.text_content().split()) == headline),
            None,
        )
    if heading is None and found:
        heading = found[0][1]
    return heading


def _texts_beside(
    heading: HtmlElement | None, axis: Literal["following", "preceding"], count: int
) -> list[str]:
    if heading is None:
        return []
    # (a parenthesised path is in document order: the nearest preceding texts are the last)
    nearest = f"position() <= {count}" if axis == "following" else f"position() > last() - {count}"
    texts = heading.xpath(f"({axis}::{VISIBLE_TEXT})[{nearest}]")
    return [" ".join(str(text).split()) for text in texts]


def parts(h1: HtmlElement) -> list[str]:
    """The texts of an <h1> made of two or more elements and nothing between them (a kicker
    above the headline, `<span>Ausschuss zur Ahrtal-Flut</span><span>Zwei Rücktritte</span>`,
    which the page shows on two lines and its text runs together); else []."""
    if (h1.text or "").strip() or any((child.tail or "").strip() for child in h1):
        return []
    found = [" ".join(child.text_content().split()) for child in h1 if isinstance(child.tag, str)]
    found = [text for text in found if text]
    return found if len(found) >= 2 else []
