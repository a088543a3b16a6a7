"""GET /api/health, /api/articles, /api/articles/{id} on both stores."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.db.models import Article
from newsarchive.ingest.pipeline import Pipeline
from tests.conftest import corpus
from tests.factories import add_article

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_articles(
    sessions: sessionmaker[Session],
    n: int,
    *,
    text: str | None = None,
    tags: list[str] | None = None,
) -> list[int]:
    """n articles a day apart (the newest last), in two sources and two languages."""
    return [
        add_article(
            sessions,
            f"Article {i}",
            text or f"text {i}",
            BASE + timedelta(days=i),
            source=("alpha", "beta")[i % 2],
            language="en" if i % 3 else "de",
            authors=["A. Writer"],
            tags=tags,
        )  # fmt: skip
        for i in range(n)
    ]


def test_health(client: TestClient, sessions: sessionmaker[Session], backend: str) -> None:
    make_articles(sessions, 3)
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": backend, "articles": 3}


def test_list_is_newest_first_with_summary_fields(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    make_articles(sessions, 3)
    body = client.get("/api/articles").json()
    assert [item["title"] for item in body["items"]] == ["Article 2", "Article 1", "Article 0"]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert first["published_at"] == "2024-05-03T12:00:00+00:00"
    assert first["source"] == "alpha"
    assert set(first) == {
        "id", "url", "canonical_url", "title", "source", "published_at", "published_date",
        "published_precision", "date_source",
        "language", "authors", "description", "word_count", "story_id", "story_size", "copy_count",
    }  # fmt: skip


def test_cursor_paging_never_repeats_or_skips(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    ids = make_articles(sessions, 11)
    # Two articles at the very same instant: the id breaks the tie.
    with sessions() as session, session.begin():
        session.get(Article, ids[5]).published_at = BASE + timedelta(days=6)  # type: ignore[union-attr]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/articles", params=params).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("params", "expected_titles"),
    [
        ({"source": "beta"}, ["Article 3", "Article 1"]),
        ({"lang": "de"}, ["Article 3", "Article 0"]),
        ({"from": "2024-05-02", "to": "2024-05-03"}, ["Article 2", "Article 1"]),
        ({"source": "nobody"}, []),
    ],
)
def test_filters(
    client: TestClient,
    sessions: sessionmaker[Session],
    params: dict[str, str],
    expected_titles: list[str],
) -> None:
    make_articles(sessions, 4)
    body = client.get("/api/articles", params=params).json()
    assert [item["title"] for item in body["items"]] == expected_titles


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2024-02-30"}, "from"),
        ({"from": "2024-05-03", "to": "2024-05-01"}, "after"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),
    ],
)
def test_bad_parameters_get_a_readable_422(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get("/api/articles", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert fragment in detail


def test_article_has_every_field(client: TestClient, sessions: sessionmaker[Session]) -> None:
    [article_id] = make_articles(sessions, 1, tags=["harbour"], text="The full text.")
    body = client.get(f"/api/articles/{article_id}").json()
    assert body["text"] == "The full text."
    assert body["tags"] == ["harbour"]
    for key in (
        "categories",
        "site_name",
        "top_image",
        "modified_at",
        "first_seen_at",
        "fetched_at",
    ):
        assert key in body


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/articles/999999", 404, "article 999999 not found"),
        (
            "/api/articles/abc",
            422,
            "article_id: Input should be a valid integer, unable to parse string as an integer",
        ),
        ("/api/nothing-here", 404, "Not Found"),
    ],
)
def test_unknown_ids_and_paths_are_json_errors(
    client: TestClient, path: str, status: int, detail: str
) -> None:
    response = client.get(path)
    assert (response.status_code, response.json()) == (status, {"detail": detail})


@pytest.mark.corpus
def test_seed_article_json_matches_expected(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    expected = json.loads(corpus("seed", "expected.json").read_text())
    page = corpus("seed", "iran-turkey-warn-syria-safe-haven.html")
    outcomes = list(Pipeline(sessions).import_paths([page, page]))
    assert [o.status for o in outcomes] == ["stored", "duplicate"]
    listing = client.get("/api/articles").json()["items"]
    assert len(listing) == 1
    body = client.get(f"/api/articles/{listing[0]['id']}").json()
    assert body["url"] == expected["url"]
    assert body["canonical_url"] == expected["url"]
    for key in (
        "title",
        "published_at",
        "authors",
        "site_name",
        "language",
        "categories",
        "top_image",
    ):
        assert body[key] == expected[key], key
    assert body["published_at"][:10] == expected["published_date"]
    assert body["date_source"] == "page"
    assert set(expected["tags_include"]) <= set(body["tags"])
    for paragraph in expected["text_must_contain"]:
        assert paragraph in body["text"]
    for boilerplate in expected["text_must_not_contain"]:
        assert boilerplate not in body["text"]


def test_health_is_503_when_the_schema_is_not_at_head(empty_db_url: str) -> None:
    from newsarchive.api.app import create_app
    from newsarchive.config import Settings

    with TestClient(
        create_app(Settings(database_url=empty_db_url)), raise_server_exceptions=False
    ) as client:
        response = client.get("/api/health")
    assert response.status_code == 503
    assert "newsarchive db upgrade" in response.json()["detail"]


def test_health_is_503_when_the_database_is_down() -> None:
    from newsarchive.api.app import create_app
    from newsarchive.config import Settings

    down = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unreachable"}


def test_docs_and_landing_page_work_offline(client: TestClient) -> None:
    """/docs loads Swagger UI from the app itself (no CDN); / links what a person wants."""
    docs = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert assets, docs
    assert all(a.startswith("/docs/assets/") or a == "/openapi.json" for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    landing = client.get("/")
    assert landing.headers["content-type"].startswith("text/html")
    assert {'href="/admin/"', 'href="/docs"', 'href="/api/health"'} <= set(
        re.findall(r'href="[^"]+"', landing.text)
    )


def test_method_not_allowed_says_which_are(client: TestClient) -> None:
    response = client.put("/api/articles")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {"detail": "Method Not Allowed"}
