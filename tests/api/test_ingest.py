"""POST /api/ingest: token rules, 201 then 200 for the duplicate, clear errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from newsarchive.api.app import create_app
from newsarchive.config import Settings
from tests.api.conftest import AUTH
from tests.pages import LOREM, article_html
from tests.site import NewsSite


def test_stores_then_revisits_the_stored_article(client: TestClient, site: NewsSite) -> None:
    url = site.page("/news/1", article_html("Harbour opens"))
    created = client.post("/api/ingest", json={"url": url}, headers=AUTH)
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Harbour opens"
    site.page("/news/1", article_html("Harbour opens late"))
    again = client.post("/api/ingest", json={"url": url + "?utm_source=x"}, headers=AUTH)
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert again.json()["title"] == "Harbour opens late"
    assert again.json()["revision_count"] == 2


def test_a_page_showing_one_headline_and_declaring_another_keeps_both(
    client: TestClient, site: NewsSite
) -> None:
    html = article_html(
        "Der Nervenkrieg um den Brexit geht in die nächste Runde",
        title_tag="Brexit: Nervenkrieg geht in nächste Runde",
    ).replace(
        'content="Der Nervenkrieg um den Brexit geht in die nächste Runde"',
        'content="Brexit: Nervenkrieg geht in nächste Runde"',
    )
    url = site.page("/news/brexit", html)
    created = client.post("/api/ingest", json={"url": url}, headers=AUTH)
    assert created.status_code == 201, created.text
    stored = client.get(f"/api/articles/{created.json()['id']}").json()
    assert stored["title"] == "Der Nervenkrieg um den Brexit geht in die nächste Runde"
    assert stored["declared_title"] == "Brexit: Nervenkrieg geht in nächste Runde"
    assert stored["title_rule"] == "visible heading"
    plain = client.post(
        "/api/ingest",
        json={"url": site.page("/news/3", article_html(paragraphs=[LOREM[::-1]]))},
        headers=AUTH,
    )
    assert plain.json()["declared_title"] is None
    assert plain.json()["title_rule"] == "heading in og:title"


def test_needs_the_token(client: TestClient, site: NewsSite) -> None:
    url = site.page("/news/2", article_html())
    assert client.post("/api/ingest", json={"url": url}).status_code == 401
    wrong = client.post("/api/ingest", json={"url": url}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "wrong admin token"}
    assert site.requests_to("/news/2") == []


def test_without_a_configured_token_writes_are_refused(settings: Settings) -> None:
    no_token = settings.model_copy(update={"admin_token": None})
    with TestClient(create_app(no_token)) as client:
        response = client.post("/api/ingest", json={"url": "https://x.example/"}, headers=AUTH)
    assert response.status_code == 403
    assert "NEWSARCHIVE_ADMIN_TOKEN" in response.json()["detail"]


def test_failures_are_clear(client: TestClient, site: NewsSite) -> None:
    missing = client.post("/api/ingest", json={"url": site.url("/missing")}, headers=AUTH)
    assert missing.status_code == 502
    assert missing.json() == {"detail": "failed: HTTP 404"}
    pdf = site.page("/x.pdf", b"%PDF", content_type="application/pdf")
    skipped = client.post("/api/ingest", json={"url": pdf}, headers=AUTH)
    assert skipped.status_code == 422
    assert skipped.json() == {"detail": "skipped: not HTML (application/pdf)"}
    bad = client.post("/api/ingest", json={"url": "javascript:alert(1)"}, headers=AUTH)
    assert bad.status_code == 422


def test_private_addresses_are_refused_unless_allowed(settings: Settings, site: NewsSite) -> None:
    strict = settings.model_copy(update={"allow_private_hosts": False})
    url = site.page("/news/3", article_html())
    with TestClient(create_app(strict)) as client:
        response = client.post("/api/ingest", json={"url": url}, headers=AUTH)
    assert response.status_code == 422
    assert "private or loopback" in response.json()["detail"]
    assert site.requests_to("/news/3") == []


def test_each_ingest_is_a_run(client: TestClient, site: NewsSite) -> None:
    """POST /api/ingest is listed in /api/runs as kind 'ingest', with its outcome counted."""
    stored = site.page("/news/run", article_html("Run story"))
    client.post("/api/ingest", json={"url": stored}, headers=AUTH)
    client.post("/api/ingest", json={"url": site.url("/missing")}, headers=AUTH)
    runs = client.get("/api/runs").json()["items"]
    assert [(r["kind"], r["status"], r["stored"], r["failed"]) for r in runs] == [
        ("ingest", "finished", 0, 1),
        ("ingest", "finished", 1, 0),
    ]
    detail = client.get(f"/api/runs/{runs[0]['id']}").json()
    assert [(e["url"], e["reason"]) for e in detail["errors"]] == [
        (site.url("/missing"), "HTTP 404")
    ]
