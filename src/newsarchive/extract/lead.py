"""The lead: the paragraph a news page prints between its headline and its text, that the
page's description repeats (pure). trafilatura often takes it for a teaser and leaves it out."""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.boilerplate import opening

PREFIX_CHARS = 60  # a description is the lead, or its first words before "..."
MAX_LEAD_CHARS = 1000
NEAR = 60  # elements after the headline where the lead can be
# the blocks among them, not in a nav, footer or aside (a site's tagline or a teaser there is
# not the lead); in document order
_NEAR_BLOCKS = etree.XPath(
    f"following::*[position() <= {NEAR}][self::p or self::div or self::h2 or self::span]"
    "[not(ancestor::nav or ancestor::footer or ancestor::aside)]"
)


def shown_lead(
    heading: HtmlElement | None, descriptions: list[str | None], title: str | None
) -> str | None:
    """The text of the smallest block among the first elements after the headline element
    that begins with a description, where the page shows one there; None when it shows none."""
    if heading is None:
        return None
    blocks = _NEAR_BLOCKS(heading)
    near = [b for b in blocks if isinstance(b, HtmlElement)] if isinstance(blocks, list) else []
    headline = " ".join((title or "").split()).casefold()
    for description in descriptions:
        start = " ".join((description or "").split())[:PREFIX_CHARS].rstrip(".… ")
        if len(start) < 20 or (headline and start.casefold().startswith(headline[:PREFIX_CHARS])):
            continue  # (a description that is the headline again)
        found = None
        for element in near:
            if opening(element, len(start) + 20).startswith(start):
                text = " ".join(element.text_content().split())
                if len(text) <= MAX_LEAD_CHARS:
                    found = text  # (document order: the last match is the innermost block)
                    continue
            if found is not None:
                break
        if found is not None:
            return found
    return None


def with_lead(text: str, lead: str | None) -> str:
    """`text` with the lead before it, unless it holds the lead already (then `text` itself)."""
    if not lead or " ".join(lead.split())[:PREFIX_CHARS] in " ".join(text.split()):
        return text
    return f"{lead}\n{text}"
