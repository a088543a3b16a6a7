"""The words most characteristic of a search's matches: in how many of (a sample of) the
matches each word is, against how many of a random sample of the whole archive, so that a
topic's vocabulary shows and the language's common words do not. Stop words of each article's
language (jusText's lists, which trafilatura ships) and the query's own words are left out."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import islice

import justext
from cachetools import LRUCache
from sqlalchemy.orm import Session

from newsarchive import archive, stemming
from newsarchive.search.query import AnyOf
from newsarchive.search.service import SearchParams, iter_selection, parsed

SAMPLE = 2000  # matches read, and archive articles to compare them with
MIN_LENGTH = 3
# ISO 639-1 -> jusText's stop-list names (the languages with a Snowball stemmer and a list).
STOP_LISTS = {
    "ar": "Arabic",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "hi": "Hindi",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "it": "Italian",
    "lt": "Lithuanian",
    "nb": "Norwegian_Bokmal",
    "nl": "Dutch",
    "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sr": "Serbian",
    "sv": "Swedish",
    "ta": "Tamil",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ja": "Japanese",
    "ko": "Korean",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Term:
    term: str
    count: int  # sampled matches that hold the word
    score: float  # how much more often than in the archive, weighted by how often


@dataclass(frozen=True)
class Terms:
    terms: list[Term]
    sampled: int  # matches read


@cache
def stop_words(language: str | None) -> frozenset[str]:
    name = STOP_LISTS.get((language or "").lower().split("-")[0])
    if name is None or name not in justext.get_stoplists():
        return frozenset()
    return frozenset(word.lower() for word in justext.get_stoplist(name))


def document_counts(texts: Iterable[tuple[str | None, str, str | None]]) -> Counter[str]:
    """In how many of these (title, text, language) articles each word is (stop words of the
    article's language, numbers and words under MIN_LENGTH left out)."""
    counts: Counter[str] = Counter()
    for title, text, language in texts:
        words = stemming.distinct_words((title, text))
        stop = stop_words(language)
        counts.update(
            w for w in words if len(w) >= MIN_LENGTH and not w.isdigit() and w not in stop
        )
    return counts


def characteristic(
    matches: Counter[str], n_matches: int, background: Counter[str], n_background: int, limit: int
) -> list[Term]:
    """Words by score: the share of matches holding a word times the log of how many times
    more often that is than in the archive (a word's part of the two samples' divergence);
    the archive's counts are smoothed by one, so a word never seen there is not infinite."""
    scored = []
    for word, count in matches.items():
        if count < 2:  # one article's quirk is not a topic's vocabulary
            continue
        share = count / n_matches
        base = (background[word] + 1) / (n_background + 1)
        if share > base:
            scored.append(Term(word, count, round(share * math.log(share / base), 6)))
    scored.sort(key=lambda t: (-t.score, t.term))
    return scored[:limit]


def top_terms(session: Session, params: SearchParams, *, limit: int = 50, seed: int = 0) -> Terms:
    """The words most characteristic of the newest SAMPLE matches of the search (or, with an
    empty q, of the articles the filters keep) against SAMPLE articles of the whole archive."""
    version = archive.write_version(session)  # first: the background below is at least as new
    sampled = list(islice(iter_selection(session, params), SAMPLE))
    matches = document_counts((a.title, a.text, a.language) for a in sampled)
    if params.q.strip():  # the query's own words (and their forms) say nothing new
        query = parsed(session, params)
        for clause in query.must:
            for term in clause.terms if isinstance(clause, AnyOf) else (clause,):
                for token in term.tokens:
                    matches.pop(token, None)
    background, n_background = _background(session, version, seed)
    return Terms(
        characteristic(matches, len(sampled), background, n_background, limit), len(sampled)
    )


_BACKGROUNDS: LRUCache[tuple[str, int], tuple[Counter[str], int]] = LRUCache(maxsize=2)
_BACKGROUNDS_LOCK = threading.Lock()


def _background(session: Session, version: str, seed: int) -> tuple[Counter[str], int]:
    """The word counts of SAMPLE random articles of the archive and how many were read: the
    same for every search until the archive's next write, so made once per version (the
    Explore page asks for four searches' words at a time)."""
    with _BACKGROUNDS_LOCK:
        kept = _BACKGROUNDS.get((version, seed))
    if kept is None:
        ids = archive.sample_ids(session, SAMPLE, seed)
        kept = document_counts(archive.texts_of(session, ids)), len(ids)
        with _BACKGROUNDS_LOCK:
            _BACKGROUNDS[(version, seed)] = kept
    return kept
