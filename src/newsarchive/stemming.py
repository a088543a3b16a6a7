"""Words and their forms (pure): text split into words the way both search engines split it,
and each word's Snowball stem in a language, so that a search for one form of a word finds the
others ("teacher" finds "teachers", "Lehrer" finds "Lehrerinnen").

Stems are keys, never shown: a word's key in a language is its stem with diacritics removed
(Snowball stems the word as written, accents and all, which it needs). A language Snowball does
not cover has no stemmer: there a word is only itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import Stemmer

# The engines' tokenizers (FTS5 unicode61, PostgreSQL's parser with the newsarchive
# configuration) split text into runs of letters and digits; so does the query parser.
WORD = re.compile(r"[^\W_]+")
LONGEST_WORD = 64  # longer runs are not words (hashes, base64): never worth a form

# ISO 639-1 codes (what language detection gives) -> Snowball's algorithm names.
SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
LANGUAGES = tuple(sorted(SNOWBALL))
# Each word's key, by language, once computed: a language's words repeat (most of an article's
# words are in the last thousand articles'), and the stem and its unaccenting cost microseconds.
KEYS_AT_MOST = 500_000  # words remembered per language (a few tens of MB)
_keys: dict[str, dict[str, str]] = {}


def words(text: str) -> list[str]:
    """The text's words, lowercased, as written otherwise (accents kept)."""
    return [w for w in WORD.findall(text.lower()) if len(w) <= LONGEST_WORD]


def unaccented(word: str) -> str:
    """Diacritics removed, as the engines index words ('Café' and 'cafe' are one word)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_of(code: str | None) -> str | None:
    """The Snowball language of a stored language code ('en', 'pt-BR'), or None."""
    if not code:
        return None
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in SNOWBALL else None


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(SNOWBALL[language])


def stem(word: str, language: str) -> str:
    """The word's key in this language (a language of SNOWBALL): its unaccented stem."""
    return unaccented(_stemmer(language).stemWord(word))


def distinct_words(texts: Iterable[str | None]) -> set[str]:
    """Every distinct word of these texts, lowercased (what forms are made of)."""
    found: set[str] = set()
    for text in texts:
        if text:
            found.update(WORD.findall(text.lower()))
    return found


def keyed(language: str, distinct: Iterable[str]) -> set[tuple[str, str]]:
    """(stem, word) for these words in a language of SNOWBALL; numbers and over-long runs
    left out, as they have no other forms."""
    kept = [w for w in distinct if len(w) <= LONGEST_WORD and not w.isdigit()]
    known = _keys.setdefault(language, {})
    if len(known) > KEYS_AT_MOST:  # (before `new` is taken: every word of `kept` gets a key)
        known.clear()
    new = [w for w in kept if w not in known]
    if new:
        for word, stemmed in zip(new, _stemmer(language).stemWords(new), strict=True):
            known[word] = unaccented(stemmed)
    return {(known[w], w) for w in kept}


def forms(language: str | None, texts: Iterable[str | None]) -> set[tuple[str, str]]:
    """(stem, word) for every distinct word of these texts in their language; empty for a
    language without a stemmer, whose words have no other forms."""
    lang = language_of(language)
    return set() if lang is None else keyed(lang, distinct_words(texts))
