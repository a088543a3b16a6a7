"""/api/search, its Atom feed and export, and the date archive, on both stores."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.api.app import create_app
from newsarchive.cli import cli
from newsarchive.config import Settings
from tests.factories import add_article, add_articles

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def stories(sessions: sessionmaker[Session]) -> list[int]:
    base = datetime(2023, 12, 31, 23, 30, tzinfo=UTC)
    return [
        add_article(sessions, "Harbour opens", "The new harbour opens to ships.", base),
        add_article(
            sessions,
            "Harbour tolls",
            "Tolls at the harbour go up <b>again</b>.",
            base + timedelta(hours=1),
            source="beta",
        ),
        add_article(
            sessions, "Spring fair", "The fair returns to the square.", base + timedelta(days=40)
        ),
        add_article(
            sessions,
            "Autumn harbour",
            "Storms close the harbour.",
            base + timedelta(days=300),
            language="fr",
        ),
    ]


class TestSearchEndpoint:
    def test_shape(self, client: TestClient, stories: list[int]) -> None:
        body = client.get(
            "/api/search", params={"q": "harbour", "sort": "newest", "limit": 2}
        ).json()
        assert body["total"] == 3
        assert (body["total_exact"], body["facets_exact"]) == (True, True)  # few matches
        assert [i["title"] for i in body["items"]] == ["Autumn harbour", "Harbour tolls"]
        exact = client.get("/api/search", params={"q": "harbour", "exact": "true"}).json()
        assert (exact["total"], exact["total_exact"]) == (3, True)
        first = body["items"][0]
        assert "<mark>" in first["snippet"]
        assert isinstance(first["score"], float)
        assert {"id", "url", "source", "published_at", "date_source", "word_count"} <= set(first)
        assert body["facets"]["sources"] == [
            {"name": "alpha", "count": 2},
            {"name": "beta", "count": 1},
        ]
        assert body["next_cursor"]
        rest = client.get(
            "/api/search",
            params={"q": "harbour", "sort": "newest", "limit": 2, "cursor": body["next_cursor"]},
        ).json()
        assert [i["title"] for i in rest["items"]] == ["Harbour opens"]
        assert rest["next_cursor"] is None

    @pytest.mark.parametrize(
        ("q", "answer"),
        [
            ('"', "the query has no words to search for"),
            ("-", "the query has no words to search for"),
            ("OR", "the query has no words to search for"),
            ("()", "the query has no words to search for"),
            ("*", "the query has no words to search for"),
            ("NEAR(", 0),  # a word like any other, found nowhere
            ("'; DROP TABLE articles; --", 0),
            ("a" * 600, "q: String should have at most 500 characters"),
            ("\x00", r"q: String should match pattern '^[^\x00]*$'"),
            ("-only", "a query needs at least one word that is not excluded with '-'"),
        ],
    )
    def test_hostile_queries_never_fail_the_server(
        self, client: TestClient, stories: list[int], q: str, answer: str | int
    ) -> None:
        """Results (a count) or a refusal that says why in the user's terms."""
        response = client.get("/api/search", params={"q": q})
        if isinstance(answer, int):
            assert (response.status_code, response.json()["total"]) == (200, answer)
        else:
            assert (response.status_code, response.json()["detail"]) == (422, answer)
        assert client.get("/api/health").json()["articles"] == 4  # nothing was dropped

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"q": "x", "sort": "best"},
            {"q": "x", "limit": "0"},
            {"q": "x", "from": "2024-13-01"},
            {"q": "x", "cursor": "bogus"},
        ],
    )
    def test_bad_parameters_are_422(self, client: TestClient, params: dict[str, str]) -> None:
        response = client.get("/api/search", params=params)
        assert response.status_code == 422
        assert isinstance(response.json()["detail"], str)

    def test_filters(self, client: TestClient, stories: list[int]) -> None:
        def found(**params: str) -> list[str]:
            return [
                i["title"]
                for i in client.get("/api/search", params={"q": "harbour", **params}).json()[
                    "items"
                ]
            ]

        assert found(source="beta") == ["Harbour tolls"]
        assert found(lang="fr") == ["Autumn harbour"]
        assert sorted(found(to="2023-12-31")) == ["Harbour opens"]
        assert sorted(found(**{"from": "2024-01-01", "to": "2024-01-01"})) == ["Harbour tolls"]


class TestFeedsAndExport:
    def test_search_atom(self, client: TestClient, stories: list[int]) -> None:
        response = client.get("/api/search.atom", params={"q": "harbour"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
        assert titles == ["Autumn harbour", "Harbour tolls", "Harbour opens"]

    def test_search_atom_escapes_scraped_text(
        self, client: TestClient, sessions: sessionmaker[Session]
    ) -> None:
        add_article(
            sessions,
            "<script>alert(1)</script> & co",
            "harbour text with <i>tags</i> and \x07 bell",
        )
        response = client.get("/api/search.atom", params={"q": "harbour"})
        root = ET.fromstring(response.content)  # well-formed despite the markup and the bell
        assert root.find(f"{ATOM}entry/{ATOM}title").text == "<script>alert(1)</script> & co"  # type: ignore[union-attr]
        assert b"<script>" not in response.content

    def test_export_jsonl_streams_every_match(
        self, client: TestClient, sessions: sessionmaker[Session]
    ) -> None:
        add_articles(  # more than two internal batches
            sessions,
            (
                (
                    f"Tide {i}",
                    f"tide number {i}",
                    datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                )
                for i in range(1205)
            ),
        )
        with client.stream("GET", "/api/export", params={"q": "tide"}) as response:
            assert response.status_code == 200
            rows = [json.loads(line) for line in response.iter_lines() if line]
        assert len(rows) == 1205
        assert len({r["id"] for r in rows}) == 1205
        assert rows[0]["title"] == "Tide 1204"
        assert rows[0]["text"] == "tide number 1204"

    def test_export_csv(self, client: TestClient, stories: list[int]) -> None:
        response = client.get("/api/export", params={"q": "harbour", "format": "csv"})
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["title"] for r in rows] == ["Autumn harbour", "Harbour tolls", "Harbour opens"]

    def test_export_refuses_a_bad_query_up_front(self, client: TestClient) -> None:
        assert client.get("/api/export", params={"q": "-x"}).status_code == 422

    def test_export_refuses_a_reversed_range_up_front(self, client: TestClient) -> None:
        """A 422 with its reason, not a 200 with an empty body and a traceback in the log."""
        for params in ({"q": "x"}, {}):
            response = client.get(
                "/api/export", params={**params, "from": "2024-02-01", "to": "2024-01-01"}
            )
            assert response.status_code == 422
            assert response.json() == {"detail": "'from' (2024-02-01) is after 'to' (2024-01-01)"}

    @pytest.mark.parametrize("fmt", ["jsonl", "csv"])
    def test_export_without_a_query_is_the_archive_or_a_range(
        self, client: TestClient, stories: list[int], fmt: str
    ) -> None:
        def titles(params: dict[str, str]) -> list[str]:
            text = client.get("/api/export", params={**params, "format": fmt}).text
            if fmt == "csv":
                return [r["title"] for r in csv.DictReader(io.StringIO(text))]
            return [json.loads(line)["title"] for line in text.splitlines()]

        everything = ["Autumn harbour", "Spring fair", "Harbour tolls", "Harbour opens"]
        assert titles({}) == everything
        assert titles({"from": "2024-01-01", "to": "2024-02-28"}) == everything[1:3]


class TestArchive:
    def test_counts_add_up_at_every_level(self, client: TestClient, stories: list[int]) -> None:
        years = client.get("/api/archive").json()["years"]
        assert years == [
            {"year": 2024, "count": 3, "undated": 0},
            {"year": 2023, "count": 1, "undated": 0},
        ]
        months = client.get("/api/archive/2024").json()
        assert months == {
            "year": 2024,
            "months": [
                {"month": 1, "count": 1, "undated": 0},
                {"month": 2, "count": 1, "undated": 0},
                {"month": 10, "count": 1, "undated": 0},
            ],
        }
        days = client.get("/api/archive/2024/1").json()["days"]
        assert days == [{"day": 1, "count": 1, "undated": 0}]
        for year in years:
            month_total = sum(
                m["count"] for m in client.get(f"/api/archive/{year['year']}").json()["months"]
            )
            assert month_total == year["count"]

    def test_day_listing_and_feed(self, client: TestClient, stories: list[int]) -> None:
        body = client.get("/api/archive/2023/12/31").json()
        assert body["date"] == "2023-12-31"
        assert [i["title"] for i in body["items"]] == ["Harbour opens"]
        feed = ET.fromstring(client.get("/api/archive/2023/12/31.atom").content)
        assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == ["Harbour opens"]

    def test_day_paging(self, client: TestClient, sessions: sessionmaker[Session]) -> None:
        for i in range(5):
            add_article(sessions, f"S{i}", "x y z", datetime(2024, 3, 3, 8, tzinfo=UTC))
        first = client.get("/api/archive/2024/3/3", params={"limit": 3}).json()
        rest = client.get(
            "/api/archive/2024/3/3", params={"limit": 3, "cursor": first["next_cursor"]}
        ).json()
        ids = [i["id"] for i in first["items"] + rest["items"]]
        assert len(ids) == len(set(ids)) == 5

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/api/archive/2024/2/30", 404),
            ("/api/archive/2023/2/29", 404),
            ("/api/archive/2024/13", 422),
            ("/api/archive/2024/0/1", 422),
            ("/api/archive/0", 422),
            ("/api/archive/abc", 422),
            ("/api/archive/2024/2/30.atom", 404),
        ],
    )
    def test_impossible_dates(self, client: TestClient, path: str, status: int) -> None:
        response = client.get(path)
        assert response.status_code == status
        assert isinstance(response.json()["detail"], str)

    def test_archive_follows_the_configured_zone(
        self, settings: Settings, sessions: sessionmaker[Session], stories: list[int]
    ) -> None:
        """23:30 UTC on Dec 31 is already Jan 1 in Tokyo; changing the zone moves the day."""
        tokyo = settings.model_copy(update={"archive_tz": "Asia/Tokyo"})
        with TestClient(create_app(tokyo)) as client:
            assert client.get("/api/archive/2023").json()["months"] == []
            assert [i["title"] for i in client.get("/api/archive/2024/1/1").json()["items"]] == [
                "Harbour tolls",
                "Harbour opens",
            ]
        with TestClient(create_app(settings)) as client:  # and back
            assert client.get("/api/archive/2023").json()["months"] == [
                {"month": 12, "count": 1, "undated": 0}
            ]

    def test_deleting_articles_keeps_counts_right(
        self, client: TestClient, stories: list[int]
    ) -> None:
        from tests.api.conftest import AUTH

        [beta] = [s for s in client.get("/api/sources").json() if s["name"] == "beta"]
        client.delete(f"/api/sources/{beta['id']}?with_articles=true", headers=AUTH)
        assert client.get("/api/archive").json()["years"] == [
            {"year": 2024, "count": 2, "undated": 0},
            {"year": 2023, "count": 1, "undated": 0},
        ]


def test_zone_setting_is_used_for_new_articles(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    tokyo = archive.DayRule(ZoneInfo("Asia/Tokyo"))
    add_article(sessions, "Late", "late story", datetime(2024, 6, 1, 20, tzinfo=UTC), days=tokyo)
    with TestClient(create_app(settings.model_copy(update={"archive_tz": "Asia/Tokyo"}))) as client:
        assert client.get("/api/archive/2024/6").json()["days"] == [
            {"day": 2, "count": 1, "undated": 0}
        ]


def test_facets_can_be_skipped(client: TestClient, stories: list[int]) -> None:
    body = client.get("/api/search", params={"q": "harbour", "facets": "false"}).json()
    assert body["total"] == 3
    assert body["facets"] == {"sources": [], "languages": [], "days": []}


def test_csv_export_does_not_hand_a_spreadsheet_a_formula(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    add_article(sessions, '=HYPERLINK("http://evil.example","harbour")', "harbour text")
    text = client.get("/api/export", params={"format": "csv"}).text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["title"] == '\'=HYPERLINK("http://evil.example","harbour")'


@pytest.mark.parametrize(
    "selection",
    [
        {"q": "harbour"},
        {"q": "harbour", "author": "Ana Ruiz"},
        {"source": "beta"},
        {"lang": "de"},
        {"from": "2024-03-02", "to": "2024-03-02"},
    ],
)
def test_the_cli_exports_the_same_csv_as_the_api(
    client: TestClient,
    sessions,  # type: ignore[no-untyped-def]
    db_url: str,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    selection: dict[str, str],
) -> None:
    add_article(sessions, "Harbour opens", "the harbour", datetime(2024, 3, 2, 9, tzinfo=UTC),
                source="alpha", authors=["Ana Ruiz"], language="en")  # fmt: skip
    add_article(sessions, "Harbour closes", "the harbour again", datetime(2024, 3, 3, 9, tzinfo=UTC),
                source="beta", authors=["Bo Li"], language="de")  # fmt: skip
    add_article(sessions, "Weather", "sunny", datetime(2024, 3, 2, 10, tzinfo=UTC), source="beta")
    api = client.get("/api/export", params={"format": "csv", **selection})
    assert api.status_code == 200, api.text
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    out = tmp_path / "x.csv"
    args = [f"--{key}={value}" for key, value in selection.items()]
    result = CliRunner().invoke(cli, ["export", "--format", "csv", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == api.content
    header = api.text.splitlines()[0].split(",")
    assert {"id", "story_id", "story_size", "source", "published_date"} <= set(header)
    assert len(api.text.splitlines()) > 1
