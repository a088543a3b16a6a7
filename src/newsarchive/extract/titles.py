"""Which of a page's titles is its headline (pure): the `<h1>` its declared titles carry, else
the `<h1>` readers see when it says what the declared title says, else a declared title without
the site's name; and the headline kept out of the body text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from newsarchive.extract.metadata import letters

_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")
# typographic quotes, dashes and spaces as their ASCII forms: "d’actions" in an <h1> is the
# "d'actions" of its og:title
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟«»″", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("\u00a0\u2009\u202f", " "),
    }
)
_FOLDED_SEPARATORS = sorted({s.translate(_TYPOGRAPHY) for s in _TITLE_SEPARATORS})
_WORD = re.compile(r"\w+")
# the share of a declared title's words an <h1> must say to be the same story told for readers
SAME_STORY = 0.5


@dataclass(frozen=True)
class TitleChoice:
    """The headline, the rule that chose it, and the title the page declares (og:title, the
    JSON-LD headline or <title>, without the site's name) where it differs from the headline."""

    title: str | None
    rule: str | None  # None when there is no title
    declared: str | None = None


def choose_title(
    headings: list[str],
    declared: list[str | None],
    site_name: str | None,
    guess: Callable[[], str | None],
    host: str | None = None,
) -> TitleChoice:
    """The page's own headline. `declared` is og:title, the JSON-LD headline, <title>.

    1. The <h1> that og:title or the JSON-LD headline carries (they often add the site's name
       or a section to it), else one that <title> carries, but not the site's name at its end
       ("Story | DimidoBlog" with an <h1> DimidoBlog is a logo).
    2. The page's main <h1> when the declared title says the same story in other words (an
       editor's search-engine title beside the printed headline), or when <title> is all the
       page declares: readers see the <h1>.
    3. The first declared title without the site's name; else trafilatura's guess."""
    titles = [" ".join(t.split()) for t in declared if t and t.strip()]
    story = [fold(t) for t in declared[:-1] if t and t.strip()]
    title_tag = " ".join((declared[-1] or "").split()) if declared else ""
    site = fold(site_name or "")
    logos = [
        h for h in headings if fold(h) == site or _site_side(h, title_tag) or _names_host(h, host)
    ]
    candidates = [h for h in headings if h not in logos and 3 <= len(h) <= 300]
    for carriers, rule in (
        (story, "heading in og:title"),
        ([fold(t) for t in titles], "heading in <title>"),
    ):
        for heading in candidates:
            if any(fold(heading) in t for t in carriers):
                first = clean_title(titles[0], site_name, host)  # (og:title, or <title> without it)
                other = first if first and fold(heading) not in fold(first) else None
                return TitleChoice(heading, rule, declared=other)
    site_name = site_name or (logos[0] if logos else None)
    fallback = _declared(titles, site_name, guess, host)
    main = headings[0] if headings else None
    # (an <h1> that holds the declared title is that title with a kicker or a date)
    if (
        main in candidates
        and fallback
        and fold(fallback) not in fold(main or "")
        and (only_title_tag(story, headings) or same_story(main or "", fallback))
    ):
        return TitleChoice(main, "visible heading", declared=fallback)
    if fallback:
        return TitleChoice(fallback, "declared title")
    guessed = clean_title(guess(), site_name, host)
    return TitleChoice(guessed, "library guess" if guessed else None)


# how a declared title joins a kicker to its headline, the dashes in the order they are tried
# (they fold to one: the first that matches is written)
_KICKER_SEPARATORS = (": ", " – ", " — ", " - ", " | ")


def as_declared(text: str, parts: list[str], declared: list[str | None]) -> str:
    """An <h1> of a kicker and a headline (`parts`, headline.parts), written as og:title or the
    JSON-LD headline joins them ("Ausschuss zur Ahrtal-Flut: Zwei Rücktritte …", where its
    text runs the two together); else its `text`."""
    if parts:
        titles = [fold(t) for t in declared if t]
        for separator in _KICKER_SEPARATORS:
            joined = separator.join(parts)
            if any(fold(joined) in title for title in titles):
                return joined
    return text


def _declared(
    titles: list[str], site_name: str | None, guess: Callable[[], str | None], host: str | None
) -> str | None:
    for title in titles:
        cleaned = clean_title(title, site_name, host)
        if cleaned:
            return _part_of(cleaned, guess()) or cleaned
    return None


def fold(text: str) -> str:
    """Case, typography and spacing folded away, for comparing titles."""
    return " ".join(text.translate(_TYPOGRAPHY).casefold().split())


def only_title_tag(story: list[str], headings: list[str]) -> bool:
    """Whether <title> is all the page declares, with one <h1> of more than a word: the browser
    tab's text, beside the one headline readers see ("Blog" or "Pressemitteilungen" alone is a
    section's name)."""
    return not story and len(headings) == 1 and len(headings[0].split()) >= 2


def same_story(heading: str, title: str) -> bool:
    """Whether `heading` says at least half of what `title` says, word for word."""
    wanted = set(_WORD.findall(fold(title)))
    said = set(_WORD.findall(fold(heading)))
    return bool(wanted) and len(wanted & said) / len(wanted) >= SAME_STORY


def _site_side(heading: str, title_tag: str) -> bool:
    """Whether `heading` is (within) the last part of <title>, after a separator: the site's
    name, as in "Was ist Virales Marketing? | DimidoBlog"."""
    folded, tag = fold(heading), fold(title_tag)
    for sep in _FOLDED_SEPARATORS:
        head, _, tail = tag.rpartition(sep)
        if head and folded in tail and folded not in head:
            return len(tail.split()) < len(head.split())  # "Site | Story" puts the site first
    return False


def _names_host(heading: str, host: str | None) -> bool:
    """Whether `heading` is the site's address ("jan-grosser.de", "L-Mag" on l-mag.de): a logo."""
    if not host:
        return False
    name = letters(heading)
    labels = host.lower().removeprefix("www.").split(".")
    return bool(name) and name in {letters(".".join(labels)), letters(labels[0])}


def plausible_site(
    guess: str | None, headings: list[str], declared: list[str | None]
) -> str | None:
    """trafilatura's guess at the site's name, unless it is the headline: it splits <title> at a
    separator and sometimes keeps the story's side ("Bürgerbeteiligung für Windpark Steinheim"
    of "... | EnBW"), which would then be cut from the title as the site."""
    if not guess:
        return None
    folded = fold(guess)
    if any(folded == fold(h) for h in headings):
        return None
    for title in (fold(t) for t in declared if t):
        if folded == title:
            return None
        for sep in _FOLDED_SEPARATORS:
            head, _, tail = title.partition(sep)
            if head == folded and tail and len(tail.split()) < len(head.split()):
                return None
    return guess


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


def clean_title(title: str | None, site_name: str | None, host: str | None = None) -> str | None:
    """Drop a ' | Site Name' suffix or 'Site Name - ' prefix, or the site's address written as
    its name (' | MDR.DE' on www.mdr.de)."""
    if not title:
        return None
    title = " ".join(title.split()).strip(" -|–—·:")
    site = (site_name or "").strip().lower()

    def the_site(part: str) -> bool:
        return bool(site and part.strip().lower() == site) or _names_host(part, host)

    if site or host:
        for sep in _TITLE_SEPARATORS:
            head, _, tail = title.rpartition(sep)
            if head and the_site(tail):
                return head.strip()
            head, _, tail = title.partition(sep)
            if tail and the_site(head):
                return tail.strip()
    return title


def drop_leading_title(text: str, title: str | None) -> str:
    """The text without its first line where that is the headline, letter for letter (its
    kicker's colon, which the page shows as a line break, may be missing, and the space too)."""
    if title:
        first, _, rest = text.partition("\n")
        spelled = letters(title)
        if spelled and letters(first) == spelled:
            return rest
    return text
