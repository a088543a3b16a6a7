"""Stories, the pure part: a MinHash signature of an article's text (word shingles), the LSH
band keys under which its near duplicates are found, and how alike two signatures are
(datasketch computes the MinHash; no database, no network).

An edit that keeps most of a text keeps most of its shingles: the signatures of two copies of
one story agree in about that share of their values, and at least one band of ROWS values is
then very likely identical, which is what the index looks up. A candidate joins the story only
if its signature agrees in SAME_STORY of the values or more."""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np

NUM_PERM = 128
BANDS, ROWS = 32, 4  # candidates at a Jaccard similarity of 0.5: 87 %; of 0.7: 99.9 %
SHINGLE = 3  # words per shingle
MIN_WORDS = 60  # a shorter text (a brief, a teaser) is not grouped on its text alone
SAME_STORY = 0.5  # estimated Jaccard similarity from which two texts are one story
WINDOW = timedelta(days=7)  # copies of a story are looked for within this much publication time
_WORD = re.compile(r"\w+", re.UNICODE)
# The hash permutations, made once (datasketch makes them again for every MinHash otherwise);
# shingles are hashed with CRC-32, a C function twice as fast as datasketch's default SHA-1 and
# as good at telling short strings apart.
_SCHEME = "affine32"  # datasketch 2's 32-bit scheme: the values stored are 32-bit


@cache
def _minhash() -> tuple[Any, Any]:
    """datasketch's MinHash class and its permutations, on first use: importing datasketch
    imports scipy (a third of a second), which a process that stores nothing need not pay."""
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME).permutations


def signature(text: str) -> bytes | None:
    """128 32-bit MinHash values of the text's word 3-shingles, or None for a short text."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    minhash_class, permutations = _minhash()
    minhash = minhash_class(
        num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=permutations, scheme=_SCHEME
    )
    minhash.update_batch([s.encode() for s in shingles])
    values: np.ndarray = minhash.hashvalues  # datasketch's values are below 2**32
    return values.astype("<u4").tobytes()


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band (the band's number mixed in): two signatures sharing a
    key agree on that whole band."""
    values = np.frombuffer(sig, dtype="<u4")
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "big") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def best_story(
    signature: bytes, candidates: Iterable[tuple[int, bytes, date]], own: tuple[int, date]
) -> tuple[int, date]:
    """(story id, its first day) of the candidate (story id, signature, story's first day)
    most alike `signature`, at SAME_STORY or more; on a tie the first one seen; `own` (the
    article's own story and day) when none is alike enough."""
    (story, story_day), best = own, SAME_STORY
    for other_story, other_signature, other_day in candidates:
        alike = similarity(signature, other_signature)
        if alike > best or (alike == best and (story, story_day) == own):
            story, best, story_day = other_story, alike, other_day
    return story, story_day


def similarity(a: bytes, b: bytes) -> float:
    """The share of MinHash values two signatures agree on: an estimate of the Jaccard
    similarity of the two texts' shingles."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))
