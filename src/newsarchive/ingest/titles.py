"""Which of a page's titles is its headline (pure): the `<h1>` its declared titles carry, else
a declared title without the site's name; and the headline kept out of the body text."""

from __future__ import annotations

from collections.abc import Callable

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")


def choose_title(
    headings: list[str],
    declared: list[str | None],
    site_name: str | None,
    guess: Callable[[], str | None],
) -> str | None:
    """The page's own headline: the <h1> that the og:title or JSON-LD headline carries (they
    often add the site's name or a section to it), else one that <title> carries; else the
    first declared title without the site's name; else trafilatura's guess. `declared` is
    og:title, the JSON-LD headline, <title>: a logo or section name in an <h1> is often part of
    <title> ("News - Eawag") but not of the story's own title."""
    titles = [" ".join(t.split()) for t in declared if t and t.strip()]
    site = (site_name or "").casefold()
    story = [" ".join(t.split()).casefold() for t in declared[:-1] if t and t.strip()]
    for carriers in (story, [t.casefold() for t in titles]):
        for heading in headings:
            folded = heading.casefold()
            if folded == site or not 3 <= len(folded) <= 300:
                continue  # a logo in an <h1> is not the headline
            if any(folded in t for t in carriers):
                return heading
    for title in titles:
        cleaned = clean_title(title, site_name)
        if cleaned:
            return _part_of(cleaned, guess()) or cleaned
    return clean_title(guess(), site_name)


def _part_of(title: str, part: str | None) -> str | None:
    """`part` where `title` is it plus a separator and more ('Story - Forum Name'): trafilatura
    splits <title> on separators and knows which side is the site's."""
    part = " ".join((part or "").split())
    if not part or part == title:
        return None
    for sep in _TITLE_SEPARATORS:
        if title.startswith(part + sep) or title.endswith(sep + part):
            return part
    return None


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


def drop_leading_title(text: str, title: str | None) -> str:
    if title:
        first, _, rest = text.partition("\n")
        if " ".join(first.split()).lower() == title.lower():
            return rest
    return text
