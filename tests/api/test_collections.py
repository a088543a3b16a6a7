"""Collections of sources: set through the API, the CLI and the admin page, and a filter of
search, the timeline, top words, exports and the Atom feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.cli import cli
from tests.api.conftest import AUTH
from tests.factories import add_article

DAY = datetime(2024, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def tagged(client: TestClient, sessions: sessionmaker[Session]) -> None:
    for name, collections in (("berlin", ["germany", "national"]), ("munich", ["germany"])):
        made = client.post(
            "/api/sources", json={"name": name, "collections": collections}, headers=AUTH
        )
        assert made.status_code == 201, made.text
    client.post("/api/sources", json={"name": "paris"}, headers=AUTH)
    add_article(sessions, "Harbour in Berlin", "the harbour news of berlin", DAY, source="berlin")
    add_article(sessions, "Harbour in Munich", "the harbour news of munich", DAY, source="munich")
    add_article(sessions, "Harbour in Paris", "the harbour news of paris", DAY, source="paris")


def test_a_source_s_collections_are_set_and_changed(client: TestClient, tagged: None) -> None:
    berlin = next(s for s in client.get("/api/sources").json() if s["name"] == "berlin")
    assert berlin["collections"] == ["germany", "national"]
    patched = client.patch(
        f"/api/sources/{berlin['id']}", json={"collections": ["europe"]}, headers=AUTH
    )
    assert patched.json()["collections"] == ["europe"]
    refused = client.patch(
        f"/api/sources/{berlin['id']}", json={"collections": ["a\x00b"]}, headers=AUTH
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(("collection", "found"), [("germany", 2), ("national", 1), ("nowhere", 0)])
def test_every_reader_filters_by_collection(
    client: TestClient, tagged: None, collection: str, found: int
) -> None:
    base = {"q": "harbour", "collection": collection}
    assert client.get("/api/search", params=base).json()["total"] == found
    timeline = client.get(
        "/api/timeline", params={**base, "from": "2024-03-01", "to": "2024-03-01"}
    ).json()
    assert [(p["count"], p["total"]) for p in timeline["series"][0]["points"]] == [(found, found)]
    assert client.get("/api/terms", params=base).json()["sampled"] == found
    assert len(client.get("/api/export", params=base).text.splitlines()) == found
    assert (
        len(client.get("/api/export", params={"collection": collection}).text.splitlines()) == found
    )
    feed = client.get("/api/search.atom", params=base).text
    assert feed.count("<entry>") == found


def test_the_cli_tags_sources_and_exports_a_collection(
    db_url: str,
    tagged: None,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    run = lambda *args: CliRunner().invoke(cli, list(args))  # noqa: E731
    added = run("sources", "add", "lyon", "--collection", "france", "--collection", "regional")
    assert added.exit_code == 0, added.output
    assert (
        run("sources", "tag", "paris", "france", "national").output
        == "source paris is in: france, national\n"
    )
    assert (
        run("sources", "tag", "paris", "national", "--remove").output
        == "source paris is in: france\n"
    )
    assert "in france, regional" in " ".join(run("sources", "list").output.split())
    out = tmp_path / "france.jsonl"
    assert run("export", "--collection", "france", "-o", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["title"] for r in rows if r["type"] == "article"] == ["Harbour in Paris"]
    assert run("sources", "tag", "nosuch", "x").exit_code != 0
