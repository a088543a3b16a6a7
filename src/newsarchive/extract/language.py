"""The page's language (pure): what the page declares, else what its text is written in."""

from __future__ import annotations

import re

_LANG = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]+)*$")
MIN_WORDS = 15  # fewer words tell no language reliably


def normalize(value: str | None) -> str | None:
    """'en-US' / 'en_GB' / 'EN' -> 'en'."""
    if not value:
        return None
    value = value.strip().split(",")[0].strip()
    if not _LANG.match(value):
        return None
    return re.split(r"[-_]", value)[0].lower()


def of_page(declared: list[str | None], text: str) -> str | None:
    """The first language the page declares (`declared` in order of trust: <html lang>, the
    meta tags, og:locale, JSON-LD), else py3langid's reading of the text."""
    for candidate in declared:
        lang = normalize(candidate)
        if lang:
            return lang
    if len(text.split()) < MIN_WORDS:
        return None
    import py3langid  # loads its model on import: only pay for it when a page declares nothing

    # (2,000 characters: the language of 5,000 on all 915 corpus pages, 1.5 against 2.9 ms)
    lang, _score = py3langid.classify(text[:2000])
    return str(lang)
