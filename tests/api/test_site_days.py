"""Every article on the day its site printed: the archive, `from`/`to` and the precision a
date was given with (both stores)."""

from __future__ import annotations

import csv
import io
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.api.app import create_app
from newsarchive.config import Settings
from newsarchive.db.session import session_scope
from newsarchive.ingest.pipeline import Pipeline
from tests.factories import add_article
from tests.pages import article_html, under_headline

NOW = datetime(2025, 2, 1, 12, tzinfo=UTC)


def titles(response: object) -> list[str]:
    return [item["title"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def import_page(sessions: sessionmaker[Session], tmp_path: Path, html: str, url: str) -> int:
    path = tmp_path / f"{abs(hash(url))}.html"
    path.write_text(html, encoding="utf-8")
    [outcome] = Pipeline(sessions, clock=lambda: NOW).import_paths([path], base_url=url)
    assert outcome.status == "stored", outcome
    assert outcome.article_id is not None
    return outcome.article_id


class TestSiteDay:
    def test_a_german_day_is_filed_under_that_day(
        self, client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
    ) -> None:
        """A page that prints 20.12.2022 is midnight in Berlin, 23:00 UTC the day before."""
        html = under_headline(
            article_html("Weihnachtsmarkt eröffnet", lang="de", published=None),
            "<p>20.12.2022</p>",
        )
        article_id = import_page(sessions, tmp_path, html, "https://zeitung.example.de/markt")
        article = client.get(f"/api/articles/{article_id}").json()
        assert article["published_date"] == "2022-12-20"
        assert article["published_precision"] == "day"
        assert article["published_at"] == "2022-12-19T23:00:00+00:00"
        assert titles(client.get("/api/archive/2022/12/20")) == ["Weihnachtsmarkt eröffnet"]
        assert client.get("/api/archive/2022/12/19").json()["items"] == []
        one_day = {"from": "2022-12-20", "to": "2022-12-20"}
        assert titles(client.get("/api/articles", params=one_day)) == ["Weihnachtsmarkt eröffnet"]
        found = client.get("/api/search", params={"q": "Weihnachtsmarkt", **one_day}).json()
        assert found["total"] == 1
        assert found["facets"]["days"] == [{"date": "2022-12-20", "count": 1}]

    def test_the_time_a_byline_gives_is_kept(
        self, client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
    ) -> None:
        html = under_headline(
            article_html("Neue Brücke", lang="de", published=None),
            "<p>5. November 2021, 10:39 Uhr</p>",
        )
        article_id = import_page(sessions, tmp_path, html, "https://zeitung.example.de/bruecke")
        article = client.get(f"/api/articles/{article_id}").json()
        assert article["published_at"] == "2021-11-05T09:39:00+00:00"
        assert (article["published_date"], article["published_precision"]) == (
            "2021-11-05",
            "minute",
        )

    def test_a_late_evening_story_stays_on_its_sites_day(
        self, client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
    ) -> None:
        """23:30 in New York is the next day in UTC: the archive keeps New York's day."""
        html = article_html("Late council vote", published="2024-03-05T23:30:00-05:00")
        article_id = import_page(sessions, tmp_path, html, "https://news.example.com/vote")
        article = client.get(f"/api/articles/{article_id}").json()
        assert article["published_at"] == "2024-03-06T04:30:00+00:00"
        assert (article["published_date"], article["published_precision"]) == (
            "2024-03-05",
            "second",
        )
        assert titles(client.get("/api/archive/2024/3/5")) == ["Late council vote"]

    def test_unknown_zone_falls_back_to_the_archive_zone(
        self, settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        """A precise instant whose site zone nothing says: NEWSARCHIVE_ARCHIVE_TZ's day."""
        tokyo = settings.model_copy(update={"archive_tz": "Asia/Tokyo"})
        at = datetime(2024, 6, 1, 20, tzinfo=UTC)  # June 2 in Tokyo
        add_article(
            sessions, "No zone", "story text", at, days=archive.DayRule(ZoneInfo("Asia/Tokyo"))
        )
        add_article(sessions, "Paris", "story text two", at, offset=120)  # 22:00 in Paris
        with TestClient(create_app(tokyo)) as client:
            assert titles(client.get("/api/archive/2024/6/2")) == ["No zone"]
            assert titles(client.get("/api/archive/2024/6/1")) == ["Paris"]

    def test_a_forced_zone_files_every_precise_date_but_keeps_days(
        self, settings: Settings, sessions: sessionmaker[Session]
    ) -> None:
        add_article(sessions, "Paris", "a", datetime(2024, 6, 1, 20, tzinfo=UTC), offset=120)
        midnight_berlin = datetime(2024, 6, 1, 22, tzinfo=UTC)
        add_article(sessions, "Day", "b", midnight_berlin, precision="day", offset=120)
        forced = settings.model_copy(update={"archive_tz": "Asia/Tokyo", "archive_tz_force": True})
        with TestClient(create_app(forced)) as client:
            assert titles(client.get("/api/archive/2024/6/2")) == ["Day", "Paris"]
        with TestClient(create_app(settings)) as client:  # back to each site's own day
            assert titles(client.get("/api/archive/2024/6/1")) == ["Paris"]
            assert titles(client.get("/api/archive/2024/6/2")) == ["Day"]


class TestUndated:
    def test_undated_articles_are_counted_and_can_be_left_out(
        self, client: TestClient, sessions: sessionmaker[Session]
    ) -> None:
        day = datetime(2024, 5, 1, 9, tzinfo=UTC)
        add_article(sessions, "Dated", "text one", day)
        add_article(sessions, "Seen", "text two", day, date_source="first_seen")
        add_article(sessions, "Seen too", "text three", day, date_source="first_seen")
        assert client.get("/api/archive").json()["years"] == [
            {"year": 2024, "count": 3, "undated": 2}
        ]
        assert client.get("/api/archive/2024/5").json()["days"] == [
            {"day": 1, "count": 3, "undated": 2}
        ]
        assert titles(client.get("/api/archive/2024/5/1", params={"dated": "true"})) == ["Dated"]
        assert len(client.get("/api/archive/2024/5/1").json()["items"]) == 3
        assert titles(client.get("/api/articles", params={"dated": "true"})) == ["Dated"]

    def test_a_page_date_found_later_moves_the_count(
        self, client: TestClient, sessions: sessionmaker[Session], tmp_path: Path
    ) -> None:
        """Re-extraction that finds a date takes the article out of the undated count and
        onto its own day."""
        html = article_html("Undated first", published=None)
        article_id = import_page(sessions, tmp_path, html, "https://news.example.com/undated")
        assert client.get("/api/archive/2025/2").json()["days"] == [
            {"day": 1, "count": 1, "undated": 1}
        ]
        with session_scope(sessions) as session:  # the stored page, as a later one would read
            raw = archive.get_raw(session, article_id)
            assert raw is not None
            dated = article_html("Undated first", published="2024-11-05T10:00:00+01:00")
            raw.body = zlib.compress(dated.encode())
        assert Pipeline(sessions, clock=lambda: NOW).reextract(article_id).status == "stored"
        assert client.get("/api/archive/2025/2").json()["days"] == []
        assert client.get("/api/archive/2024/11").json()["days"] == [
            {"day": 5, "count": 1, "undated": 0}
        ]


class TestExport:
    def test_csv_and_jsonl_carry_the_day_and_precision(
        self, client: TestClient, sessions: sessionmaker[Session]
    ) -> None:
        at = datetime(2022, 12, 19, 23, tzinfo=UTC)
        add_article(sessions, "Day story", "harbour text", at, precision="day", offset=60)
        [line] = client.get("/api/export", params={"q": "harbour"}).text.splitlines()
        row = json.loads(line)
        assert (row["published_date"], row["published_precision"]) == ("2022-12-20", "day")
        text = client.get("/api/export", params={"q": "harbour", "format": "csv"}).text
        [columns] = list(csv.DictReader(io.StringIO(text)))
        assert columns["published_date"] == "2022-12-20"
        assert columns["published_precision"] == "day"

    def test_atom_carries_the_day_and_precision(
        self, client: TestClient, sessions: sessionmaker[Session]
    ) -> None:
        at = datetime(2022, 12, 19, 23, tzinfo=UTC)
        add_article(sessions, "Day story", "harbour text", at, precision="day", offset=60)
        body = client.get("/api/archive/2022/12/20.atom").text
        assert '<na:published_date precision="day">2022-12-20</na:published_date>' in body


def test_a_clock_time_of_unknown_zone_is_read_in_the_fallback_zone(
    sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    """'January 5, 2024, 23:30' on a page whose zone nothing says, with ARCHIVE_TZ Berlin: it
    is 23:30 in Berlin, on the 5th, not 23:30 UTC (which is the 6th in Berlin)."""
    html = under_headline(
        article_html("Late vote", lang="en", published=None), "<p>January 5, 2024, 23:30</p>"
    )
    path = tmp_path / "late.html"
    path.write_text(html, encoding="utf-8")
    berlin = archive.DayRule(ZoneInfo("Europe/Berlin"))
    pipeline = Pipeline(sessions, clock=lambda: NOW, days=berlin)
    [outcome] = pipeline.import_paths([path], base_url="https://news.example.com/late")
    assert outcome.status == "stored"
    berlin_settings = settings.model_copy(update={"archive_tz": "Europe/Berlin"})
    with TestClient(create_app(berlin_settings)) as client:
        article = client.get(f"/api/articles/{outcome.article_id}").json()
        assert article["published_at"] == "2024-01-05T22:30:00+00:00"
        assert article["published_date"] == "2024-01-05"
        assert titles(client.get("/api/archive/2024/1/5")) == ["Late vote"]
