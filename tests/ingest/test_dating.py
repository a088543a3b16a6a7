"""The one precedence of an article's date, for a new page, a re-extraction and a revisit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from newsarchive.extract.article import ExtractedArticle
from newsarchive.fetch.page import Hint
from newsarchive.ingest.dating import choose_date

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
PAGE_DAY = datetime(2025, 2, 27, 9, 30, tzinfo=UTC)
FEED_DAY = datetime(2025, 2, 26, 18, tzinfo=UTC)


def _page(source: str | None, **given: object) -> ExtractedArticle:
    dated = {"published_at": PAGE_DAY, "date_source": source, "date_raw": "raw"} if source else {}
    return ExtractedArticle(None, None, "t", "text", **(dated | given))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page_source", "hint", "expected"),
    [
        ("page", Hint(published=FEED_DAY, date_source="feed"), ("page", PAGE_DAY)),
        ("url", Hint(published=FEED_DAY, date_source="sitemap"), ("sitemap", FEED_DAY)),
        ("url", None, ("url", PAGE_DAY)),
        (None, Hint(published=FEED_DAY, date_source="feed"), ("feed", FEED_DAY)),
        (None, Hint(published=NOW + timedelta(days=1), date_source="feed"), ("first_seen", NOW)),
        (None, None, ("first_seen", NOW)),
    ],
)
def test_a_new_page_takes_the_best_ranked_date(
    page_source: str | None, hint: Hint | None, expected: tuple[str, datetime]
) -> None:
    dated = choose_date(_page(page_source), UTC, NOW, hint=hint)
    assert dated is not None
    assert (dated["date_source"], dated["published_at"]) == expected


@pytest.mark.parametrize(
    ("page_source", "held", "replaces"),
    [
        ("page", "feed", True),
        ("page", "page", True),
        ("url", "first_seen", True),
        ("url", "url", True),
        ("url", "sitemap", False),
        ("url", "page", False),
        (None, "first_seen", False),
    ],
)
def test_a_held_date_is_replaced_only_by_one_that_ranks_as_high(
    page_source: str | None, held: str, replaces: bool
) -> None:
    dated = choose_date(_page(page_source), UTC, NOW, held=held)
    assert (dated is not None) is replaces


def test_a_day_stays_a_day_and_a_wall_clock_is_read_in_the_archive_zone() -> None:
    day = choose_date(_page("page", published_precision="day"), UTC, NOW)
    assert day is not None
    assert day["published_precision"] == "day"
    wall = choose_date(_page("page", published_wall=True), ZoneInfo("Europe/Berlin"), NOW)
    assert wall is not None
    assert wall["published_at"] == PAGE_DAY - timedelta(hours=1)
    midnight = Hint(published=datetime(2025, 2, 26, tzinfo=UTC), date_source="feed")
    bare_day = choose_date(_page(None), UTC, NOW, hint=midnight)
    assert bare_day is not None
    assert bare_day["published_precision"] == "day"
