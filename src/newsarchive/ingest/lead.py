"""The lead: the paragraph a news page prints between its headline and its text, that the
page's description repeats (pure). trafilatura often takes it for a teaser and leaves it out."""

from __future__ import annotations

from lxml.html import HtmlElement

from newsarchive.ingest.boilerplate import opening

_BLOCKS = ("p", "div", "h2", "strong", "span")
PREFIX_CHARS = 60  # a description is the lead, or its first words before "..."
MAX_LEAD_CHARS = 1000


def shown_lead(tree: HtmlElement, descriptions: list[str | None]) -> str | None:
    """The text of the smallest block of the page's body that begins with a description, where
    the page shows one; None when it shows none."""
    for description in descriptions:
        start = " ".join((description or "").split())[:PREFIX_CHARS].rstrip(".… ")
        if len(start) < 20:
            continue
        found = None
        for element in tree.iter(*_BLOCKS):
            if opening(element, len(start) + 20).startswith(start):
                text = " ".join(element.text_content().split())
                if len(text) <= MAX_LEAD_CHARS:
                    found = text  # (iter goes down: the last match is the innermost block)
                    continue
            if found is not None:
                break
        if found is not None:
            return found
    return None


def with_lead(text: str, lead: str | None) -> str:
    """`text` with the lead before it, unless it holds the lead already."""
    if not lead or " ".join(lead.split())[:PREFIX_CHARS] in " ".join(text.split()):
        return text
    return f"{lead}\n{text}"
