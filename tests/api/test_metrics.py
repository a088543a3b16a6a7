"""GET /metrics: Prometheus text with archive-wide figures from the database."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from tests.factories import add_article, add_source


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_archive_figures(client: TestClient, sessions: sessionmaker[Session]) -> None:
    add_article(sessions, "One", "first text")
    add_article(sessions, "Two", "second text")
    add_source(sessions, "harbour", feeds=["https://h.example/rss"])
    with session_scope(sessions) as session:
        run = archive.start_run(session, "crawl")
        archive.count(session, run.id, {"fetched": 5, "stored": 3, "failed": 2})
    found = samples(client)
    assert found[("newsarchive_articles", ())] == 2
    assert found[("newsarchive_pages_total", (("outcome", "stored"),))] == 3
    assert found[("newsarchive_pages_total", (("outcome", "failed"),))] == 2
    # never crawled: the lag counts from when it was added, a moment ago
    assert 0 <= found[("newsarchive_crawl_lag_seconds", (("source", "harbour"),))] < 60


def test_request_durations_by_route(client: TestClient) -> None:
    client.get("/api/articles/12345")
    client.get("/api/articles/999")
    found = samples(client)
    key = (
        "newsarchive_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/api/articles/{article_id}"), ("status", "404")),
    )
    assert found[key] == 2
    client.get("/admin/login")
    client.get("/admin/static/admin.css")
    found = samples(client)
    for route in ("/admin/login", "/admin/static"):  # a mounted app's route, a mount's
        labels = (("method", "GET"), ("route", route), ("status", "200"))
        assert found[("newsarchive_http_request_duration_seconds_count", labels)] == 1
