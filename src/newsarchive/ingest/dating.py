"""Which date an article is filed under: the one precedence of the sources of a date, used when
a page is stored, re-extracted and revisited (pure). Which of a page's own dates wins is the
extractor's part (extract/dates.choose_published); this decides between the page, its feed or
sitemap, its URL, the moment the archive first saw it, and the date an article already holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from newsarchive.extract.article import ExtractedArticle
from newsarchive.extract.dates import Precision, stored_date
from newsarchive.fetch.page import Hint

# A later source replaces an earlier one only when it ranks at least as high.
RANK = {"first_seen": 0, "url": 1, "feed": 2, "sitemap": 2, "page": 3}


@dataclass(frozen=True)
class _Candidate:
    at: datetime
    source: str
    raw: str | None
    precision: Precision


def choose_date(
    extracted: ExtractedArticle,
    wall_zone: tzinfo,
    now: datetime,
    *,
    hint: Hint | None = None,
    held: str | None = None,
) -> dict[str, Any] | None:
    """The date columns (published_at, its precision and offset, date_source, date_raw) of the
    best-ranked date: the page's own, then its feed's or sitemap's (`hint`, unless it lies in
    the future), then a date in its URL, then `now` as first seen. `held`: the source of the
    date the article holds already; only a date that ranks at least as high replaces it (None:
    the held date stays). Each keeps its precision: a date given without a time stays a day.

    `wall_zone`: the zone of a clock time the page wrote with no offset on a page whose zone
    nothing says (NEWSARCHIVE_ARCHIVE_TZ), so its day is the printed one in that zone."""
    candidates = []
    if extracted.published_at is not None and extracted.date_source is not None:
        at = extracted.published_at
        if extracted.published_wall:
            at = at.replace(tzinfo=wall_zone)
        precision = extracted.published_precision or "second"
        candidates.append(_Candidate(at, extracted.date_source, extracted.date_raw, precision))
    if hint is not None and hint.published is not None and hint.published <= now:
        source = hint.date_source or "feed"
        candidates.append(_Candidate(hint.published, source, None, _hint_precision(hint.published)))
    if held is None:
        candidates.append(_Candidate(now, "first_seen", None, "second"))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: RANK.get(c.source, 0))  # the first of equals: the page's
    if held is not None and RANK.get(best.source, 0) < RANK.get(held, 0):
        return None
    at, offset = stored_date(best.at, best.precision, extracted.zone)
    return {
        "published_at": at,
        "published_precision": best.precision,
        "published_offset": offset,
        "date_source": best.source,
        "date_raw": best.raw,
    }


def _hint_precision(published: datetime) -> Precision:
    """Feeds and sitemaps that give a bare day ('2022-12-20') arrive as midnight UTC."""
    return "day" if published.astimezone(UTC).time() == datetime.min.time() else "second"
