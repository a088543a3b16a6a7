"""What the fuzzer and a reviewer found, one request each: a clear 4xx, never a 500 (both
stores)."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH


def cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/2147483648",
        "/api/articles/9223372036854775808",
        "/api/articles/-9223372036854775809",
        "/api/runs/2147483648",
        "/api/sources/9223372036854775808",
    ],
)
def test_an_id_beyond_the_columns_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["detail"].endswith("not found")


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_writes_to_an_id_beyond_the_columns_are_not_found(client: TestClient, method: str) -> None:
    body = {"json": {"interval": 5}} if method == "PATCH" else {}
    response = client.request(method, "/api/sources/2147483648", headers=AUTH, **body)
    assert response.status_code == 404


BAD_CURSORS = [
    ("/api/articles", cursor("2024-01-01T00:00:00+00:00", True)),
    ("/api/articles", cursor("2024-01-01T00:00:00+00:00", 2**63)),
    ("/api/articles", cursor("2024-01-01T00:00:00+00:00", 2**31)),
    ("/api/articles", cursor("0001-01-01T00:00:00+14:00", 1)),
    ("/api/archive/2024/1/1", cursor("2024-01-01T00:00:00+00:00", True)),
    ("/api/search?q=harbour&sort=newest", cursor("newest", "2024-01-01T00:00:00+00:00", True)),
    ("/api/search?q=harbour&sort=oldest", cursor("oldest", "9999-12-31T23:59:59-14:00", 1)),
    ("/api/search?q=harbour", cursor("relevance", 1.0, 2**63)),
    ("/api/runs", "%C2%B2"),
    ("/api/runs", "99999999999999999999"),
    ("/api/runs", cursor(2**31)),
]


@pytest.mark.parametrize(("path", "value"), BAD_CURSORS)
def test_hand_made_cursors_are_refused(client: TestClient, path: str, value: str) -> None:
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}cursor={value}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("invalid cursor")


@pytest.mark.parametrize(
    "path", ["/api/runs?cursor=", "/api/articles?cursor=", "/api/search?q=x&cursor="]
)
def test_an_empty_cursor_is_the_first_page(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "/api/articles?source=a%00b",
        "/api/articles?lang=e%00n",
        "/api/search?q=harbour&author=a%00b",
        "/api/search.atom?q=harbour&source=a%00b",
        "/api/export?q=harbour&source=a%00b",
        "/api/export?source=a%00b",
    ],
)
def test_a_nul_byte_in_a_filter_is_refused(client: TestClient, query: str) -> None:
    response = client.get(query)
    assert response.status_code == 422
    assert "should match pattern" in response.json()["detail"]


@pytest.mark.parametrize("value", ["0", "20240101", "2024-1-1", "yesterday"])
def test_dates_are_iso_days_only(client: TestClient, value: str) -> None:
    """`to=0` was read as 1970-01-01."""
    response = client.get("/api/articles", params={"to": value})
    assert response.status_code == 422
    assert response.json() == {"detail": "to: Value error, a date is written YYYY-MM-DD"}


def test_the_last_day_there_is_can_be_asked_for(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "x", "to": "9999-12-31"}).status_code == 200


def test_one_url_as_both_feed_and_sitemap_is_refused(client: TestClient) -> None:
    body = {"name": "d", "feeds": ["https://x.example/a"], "sitemaps": ["https://x.example/a"]}
    response = client.post("/api/sources", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "https://x.example/a is listed both as a feed and as a sitemap"
    }


def test_a_feed_moved_to_the_sitemaps_keeps_its_row(client: TestClient) -> None:
    created = client.post(
        "/api/sources", json={"name": "m", "feeds": ["https://x.example/a"]}, headers=AUTH
    ).json()
    moved = client.patch(
        f"/api/sources/{created['id']}",
        json={"feeds": [], "sitemaps": ["https://x.example/a"]},
        headers=AUTH,
    )
    assert moved.status_code == 200
    assert (moved.json()["feeds"], moved.json()["sitemaps"]) == ([], ["https://x.example/a"])


@pytest.mark.parametrize("name", ["   ", "\u0085", "a\x00b"])
def test_a_source_name_must_show_something(client: TestClient, name: str) -> None:
    assert client.post("/api/sources", json={"name": name}, headers=AUTH).status_code == 422


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    assert client.put("/api/sources").headers["allow"] == "GET, POST"
    assert client.put("/api/sources/1").headers["allow"] == "DELETE, GET, PATCH"


def test_export_refuses_an_author_filter_without_a_search(client: TestClient) -> None:
    response = client.get("/api/export", params={"author": "nobody"})
    assert response.status_code == 422
    assert response.json() == {"detail": "'author' filters a search: give 'q' too"}


def test_the_schema_declares_the_error_body_that_is_sent(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    unprocessable = spec["paths"]["/api/articles"]["get"]["responses"]["422"]
    assert unprocessable["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert "HTTPValidationError" not in json.dumps(spec)
    writes = spec["paths"]["/api/sources"]["post"]["responses"]
    assert {"400", "401", "403", "409", "422"} <= set(writes)


def test_a_body_that_is_not_json_is_one_sentence(client: TestClient) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post("/api/sources", content=b'{"name": ', headers=headers)
    assert (response.status_code, response.json()) == (422, {"detail": "body: not valid JSON"})
    unreadable = client.post("/api/sources", content=b"\xff", headers=headers)
    assert unreadable.status_code == 400  # declared in the schema
    assert unreadable.json() == {"detail": "There was an error parsing the body"}


def test_405_outside_the_api_keeps_its_own_header(client: TestClient) -> None:
    """A mounted app's 405 (the docs' static files) keeps what it said, never an empty Allow."""
    response = client.post("/docs/assets/swagger-ui.css")
    assert response.status_code == 405
    assert response.headers.get("allow", "GET, HEAD") != ""
