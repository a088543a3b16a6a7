"""GET /api/timeline: attention over time, exact per bucket, with every bucket present."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import add_article

STORIES = [
    # (day of March 2024, source, title, text)
    (1, "alpha", "Harbour opens", "the harbour opened to ferries"),
    (1, "alpha", "Weather", "a sunny day"),
    (2, "beta", "Ferry late", "the ferry was late at the harbour"),
    (4, "alpha", "Harbours busy", "both harbours were busy"),
    (4, "beta", "Markets", "prices rose"),
    (11, "beta", "Harbour fees", "the harbour raised its fees"),
]


@pytest.fixture
def march(sessions: sessionmaker[Session]) -> None:
    for day, source, title, text in STORIES:
        add_article(sessions, title, text, datetime(2024, 3, day, 10, tzinfo=UTC), source=source)


def _points(body: dict, q: str) -> list[tuple[str, int, int]]:  # type: ignore[type-arg]
    [series] = [s for s in body["series"] if s["q"] == q]
    return [(p["date"], p["count"], p["total"]) for p in series["points"]]


def test_each_day_counts_exactly_what_the_search_finds_that_day(
    client: TestClient, march: None
) -> None:
    answer = client.get(
        "/api/timeline", params={"q": ["harbour", ""], "from": "2024-03-01", "to": "2024-03-05"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["interval"], body["from"], body["to"]) == ("day", "2024-03-01", "2024-03-05")
    assert _points(body, "harbour") == [
        ("2024-03-01", 1, 2),
        ("2024-03-02", 1, 1),
        ("2024-03-03", 0, 0),
        ("2024-03-04", 1, 2),
        ("2024-03-05", 0, 0),
    ]  # fmt: skip   ("harbours" is a form of "harbour")
    assert [p["count"] for p in body["series"][1]["points"]] == [2, 1, 0, 2, 0]
    assert [p["share"] for p in body["series"][0]["points"]] == [0.5, 1.0, 0.0, 0.5, 0.0]
    for day, count, _total in _points(body, "harbour"):
        search = client.get("/api/search", params={"q": "harbour", "from": day, "to": day})
        assert search.json()["total"] == count


def test_weeks_start_on_monday_and_months_on_the_first(client: TestClient, march: None) -> None:
    weeks = client.get(
        "/api/timeline",
        params={"q": "harbour", "from": "2024-03-01", "to": "2024-03-12", "interval": "week"},
    ).json()
    assert (weeks["from"], weeks["to"]) == ("2024-02-26", "2024-03-17")  # whole weeks
    assert _points(weeks, "harbour") == [
        ("2024-02-26", 2, 3), ("2024-03-04", 1, 2), ("2024-03-11", 1, 1)
    ]  # fmt: skip
    months = client.get(
        "/api/timeline",
        params={"q": "ferry", "from": "2024-02-10", "to": "2024-03-02", "interval": "month"},
    ).json()
    assert _points(months, "ferry") == [("2024-02-01", 0, 0), ("2024-03-01", 2, 6)]


def test_filters_apply_to_the_count_and_the_total(client: TestClient, march: None) -> None:
    body = client.get(
        "/api/timeline",
        params={"q": "harbour", "from": "2024-03-01", "to": "2024-03-04", "source": "beta"},
    ).json()
    assert _points(body, "harbour") == [
        ("2024-03-01", 0, 0), ("2024-03-02", 1, 1), ("2024-03-03", 0, 0), ("2024-03-04", 0, 1)
    ]  # fmt: skip


def test_the_series_as_csv(client: TestClient, march: None) -> None:
    answer = client.get(
        "/api/timeline",
        params={
            "q": ["harbour", "=ferry"],
            "from": "2024-03-01",
            "to": "2024-03-02",
            "format": "csv",
        },
    )
    assert answer.headers["content-type"].startswith("text/csv"), answer.text
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [
        ["date", "q", "count", "total", "share"],
        ["2024-03-01", "harbour", "1", "2", "0.500000"],
        ["2024-03-02", "harbour", "1", "1", "1.000000"],
        ["2024-03-01", "'=ferry", "1", "2", "0.500000"],  # no formula for a spreadsheet
        ["2024-03-02", "'=ferry", "1", "1", "1.000000"],
    ]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"q": ["a", "b", "c", "d", "e"]}, "at most 4"),
        ({"q": "a", "interval": "year"}, "interval"),
        ({"q": "a", "from": "2024-03-05", "to": "2024-03-01"}, "after"),
        ({"q": "a", "from": "2000-01-01", "to": "2024-03-01"}, "at most 3,660 days by day"),
        ({"q": ["harbour", "-"]}, "no words to search for"),
    ],
)
def test_a_bad_question_is_a_422_that_says_why(
    client: TestClient, params: dict[str, object], says: str
) -> None:
    answer = client.get("/api/timeline", params=params)  # type: ignore[arg-type]
    assert answer.status_code == 422, answer.text
    assert says in answer.text


def test_top_words_are_the_topic_s_not_the_language_s(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    harbour = "The harbour {n} was busy: the ferry and the dock cranes worked all night."
    weather = "The weather {n} was sunny and the wind was calm over the hills."
    for n in range(12):
        add_article(
            sessions, f"Harbour {n}", harbour.format(n=n), datetime(2024, 3, 1, n, tzinfo=UTC)
        )
        add_article(
            sessions, f"Weather {n}", weather.format(n=n), datetime(2024, 3, 2, n, tzinfo=UTC)
        )
    answer = client.get("/api/terms", params={"q": "harbour", "limit": 5})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["sampled"] == 12
    words = [t["term"] for t in body["terms"]]
    assert set(words[:4]) == {"ferry", "dock", "cranes", "busy"}
    assert "the" not in words  # a stop word
    assert "harbour" not in words  # the query's own word
    assert all(t["count"] == 12 for t in body["terms"][:4])
    every = client.get("/api/terms", params={"limit": 50}).json()
    assert every["sampled"] == 24
    assert client.get("/api/terms", params={"q": "-"}).status_code == 422
