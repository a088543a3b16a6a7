"""Stories, the pure part: signatures of edited copies agree, different articles do not."""

from __future__ import annotations

from newsarchive.stories.signatures import (
    BANDS,
    MIN_WORDS,
    SAME_STORY,
    band_keys,
    signature,
    similarity,
)
from tests.pages import LOREM

STORY = (
    "The harbour authority approved the expansion of the northern pier on Tuesday after a "
    "two-year dispute with fishing crews who feared losing their moorings. The plan adds "
    "berths for four ferries and a new customs hall, paid for by the port and the region. "
    "Work begins in March and should end before the summer season of next year, the "
    "authority's director told reporters at the quay. Fishing crews will keep the southern "
    "basin, and a new ice plant will be built for them beside the fish market. Residents of "
    "the old town asked for a noise limit at night, which the council promised to discuss. "
    "The ferry companies welcomed the decision and said they would add crossings in summer."
)


def test_a_short_text_has_no_signature() -> None:
    assert signature(" ".join(["word"] * (MIN_WORDS - 1))) is None
    assert signature(STORY) is not None


def test_an_edited_copy_is_alike_and_shares_a_band() -> None:
    original = signature(STORY)
    edited = signature(STORY.replace("on Tuesday", "late on Tuesday") + " Reuters contributed.")
    assert original is not None
    assert edited is not None
    assert similarity(original, edited) >= SAME_STORY
    assert set(band_keys(original)) & set(band_keys(edited))
    assert len(band_keys(original)) == BANDS


def test_a_different_article_is_not_alike() -> None:
    one, other = signature(STORY), signature(LOREM * 3)
    assert one is not None
    assert other is not None
    assert similarity(one, other) < 0.1
    assert not set(band_keys(one)) & set(band_keys(other))


def test_signatures_do_not_depend_on_case_or_spacing() -> None:
    assert signature(STORY) == signature("  " + STORY.upper().replace(" ", "  "))
