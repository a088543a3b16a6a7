"""/api/sources and /api/runs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.services import crawler
from tests.api.conftest import AUTH
from tests.pages import article_html
from tests.site import NewsSite

NEW = {
    "name": "Harbour Times",
    "home": "https://harbour.example/",
    "feeds": ["https://harbour.example/rss", "https://harbour.example/atom"],
    "sitemaps": ["https://harbour.example/sitemap.xml"],
    "interval": 30,
}


def test_create_list_update_delete(client: TestClient) -> None:
    created = client.post("/api/sources", json=NEW, headers=AUTH)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["feeds"] == NEW["feeds"]
    assert body["sitemaps"] == NEW["sitemaps"]
    assert (body["interval"], body["enabled"], body["articles"]) == (30, True, 0)

    [listed] = client.get("/api/sources").json()
    assert listed["name"] == "Harbour Times"

    patched = client.patch(
        f"/api/sources/{body['id']}",
        json={"enabled": False, "feeds": ["https://harbour.example/rss"]},
        headers=AUTH,
    )
    assert patched.status_code == 200
    assert patched.json()["enabled"] is False
    assert patched.json()["feeds"] == ["https://harbour.example/rss"]
    assert patched.json()["sitemaps"] == NEW["sitemaps"]

    assert client.delete(f"/api/sources/{body['id']}", headers=AUTH).status_code == 204
    assert client.get("/api/sources").json() == []


def test_writes_need_the_token(client: TestClient) -> None:
    assert client.post("/api/sources", json=NEW).status_code == 401
    assert client.get("/api/sources").json() == []


def test_duplicate_name_is_409(client: TestClient) -> None:
    client.post("/api/sources", json=NEW, headers=AUTH)
    again = client.post("/api/sources", json=NEW, headers=AUTH)
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


def test_bad_input_is_422(client: TestClient) -> None:
    for body in (
        {"name": ""},
        {"name": "x", "feeds": ["not a url"]},
        {"name": "x", "interval": -1},
        {"name": "x", "unknown": 1},
        {"name": "x", "enabled": 0},  # not guessed to mean false
        {"name": "x", "enabled": "no"},
    ):
        response = client.post("/api/sources", json=body, headers=AUTH)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], str)


def test_unknown_source_is_404(client: TestClient) -> None:
    assert client.patch("/api/sources/999", json={}, headers=AUTH).status_code == 404
    assert client.delete("/api/sources/999", headers=AUTH).status_code == 404


def test_source_with_articles_is_kept_unless_asked(client: TestClient, site: NewsSite) -> None:
    url = site.page("/a", article_html())
    article = client.post("/api/ingest", json={"url": url}, headers=AUTH).json()
    [source] = client.get("/api/sources").json()
    assert source["articles"] == 1
    refused = client.delete(f"/api/sources/{source['id']}", headers=AUTH)
    assert refused.status_code == 409
    gone = client.delete(f"/api/sources/{source['id']}?with_articles=true", headers=AUTH)
    assert gone.status_code == 204
    assert client.get(f"/api/articles/{article['id']}").status_code == 404


def test_runs_list_and_detail(
    client: TestClient, site: NewsSite, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    page = site.page("/a", article_html())
    feed = site.feed("/rss", [page, site.url("/gone")])
    client.post("/api/sources", json={"name": "local", "feeds": [feed]}, headers=AUTH)
    fast = settings.model_copy(update={"host_delay": 0.0, "extract_workers": 0})
    crawler(fast, sessions).run()
    crawler(fast, sessions).run()

    runs = client.get("/api/runs", params={"limit": 1}).json()
    assert len(runs["items"]) == 1
    older = client.get("/api/runs", params={"cursor": runs["next_cursor"]}).json()
    first = older["items"][0]
    assert (first["kind"], first["status"], first["stored"], first["failed"]) == (
        "crawl",
        "finished",
        1,
        1,
    )

    detail = client.get(f"/api/runs/{first['id']}").json()
    assert detail["sources"][0]["source"] == "local"
    assert detail["sources"][0]["discovered"] == 2
    assert [(e["url"], e["reason"]) for e in detail["errors"]] == [(site.url("/gone"), "HTTP 404")]
    assert client.get("/api/runs/999").status_code == 404
    assert client.get("/api/runs", params={"cursor": "x"}).status_code == 422
