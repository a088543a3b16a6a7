"""Stories over the API, on both stores: a story's copies, story_id and story_size in every
summary, the story filter, and search collapsed to one hit per story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.ingest.pipeline import Pipeline
from tests.api.conftest import AUTH
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite

STORY = story_paragraphs(seed=11)


@pytest.fixture
def stored(sessions: sessionmaker[Session], tmp_path: Path) -> dict[str, int]:
    """Three copies of one harbour story (from three sites), and one other harbour story."""
    pages = {
        "times": article_html("Harbour deal sealed", paragraphs=[*STORY, "By the Times."]),
        "courier": article_html("Port expansion agreed", paragraphs=[*STORY[1:], "Courier."]),
        "wire": article_html("Harbour expansion", paragraphs=[*STORY, "Wire service report."]),
        "other": article_html("Ferry strike", paragraphs=story_paragraphs(seed=12)),
    }
    ids = {}
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        [outcome] = Pipeline(sessions).import_paths([path], base_url=f"https://{name}.example/")
        assert outcome.article_id is not None, outcome
        ids[name] = outcome.article_id
    return ids


def test_a_story_lists_its_copies_earliest_first(
    client: TestClient, stored: dict[str, int]
) -> None:
    story = client.get(f"/api/stories/{stored['times']}").json()
    assert (story["id"], story["size"]) == (stored["times"], 3)
    assert [a["id"] for a in story["articles"]] == [stored[n] for n in ("times", "courier", "wire")]
    assert {a["story_size"] for a in story["articles"]} == {3}
    assert client.get("/api/stories/999").status_code == 404
    assert client.get("/api/stories/9999999999").status_code == 404


def test_summaries_carry_the_story_and_filter_by_it(
    client: TestClient, stored: dict[str, int]
) -> None:
    items = client.get("/api/articles").json()["items"]
    by_id = {item["id"]: (item["story_id"], item["story_size"]) for item in items}
    times = stored["times"]
    assert by_id == {
        times: (times, 3), stored["courier"]: (times, 3), stored["wire"]: (times, 3),
        stored["other"]: (stored["other"], 1),
    }  # fmt: skip
    members = client.get("/api/articles", params={"story": times}).json()["items"]
    assert sorted(a["id"] for a in members) == sorted([times, stored["courier"], stored["wire"]])


def test_search_collapsed_shows_each_story_once(client: TestClient, stored: dict[str, int]) -> None:
    every = client.get("/api/search", params={"q": "harbour"}).json()
    assert every["total"] == 4
    collapsed = client.get("/api/search", params={"q": "harbour", "collapse": "story"}).json()
    assert collapsed["total"] == 2
    assert sorted(hit["story_size"] for hit in collapsed["items"]) == [1, 3]
    assert sum(f["count"] for f in collapsed["facets"]["sources"]) == 2  # stories, not copies
    # filters beside the collapse (on PostgreSQL the collapse joins the article rows to the
    # search rows the filters read)
    courier = {"q": "harbour", "collapse": "story", "source": "courier.example"}
    assert client.get("/api/search", params=courier).json()["total"] == 1
    assert client.get("/api/search", params={**courier, "lang": "de"}).json()["total"] == 0
    unknown = {"q": "harbour", "collapse": "story", "author": "Nobody Known"}
    assert client.get("/api/search", params=unknown).json()["total"] == 0
    newest = client.get(
        "/api/search", params={"q": "harbour", "collapse": "story", "sort": "newest", "limit": 1}
    ).json()
    rest = client.get(
        "/api/search",
        params={"q": "harbour", "collapse": "story", "sort": "newest", "limit": 1,
                "cursor": newest["next_cursor"]},
    ).json()  # fmt: skip
    assert len({newest["items"][0]["story_id"], rest["items"][0]["story_id"]}) == 2
    assert rest["next_cursor"] is None


def test_copies_show_on_the_article_in_summaries_exports_and_the_story(
    client: TestClient, site: NewsSite
) -> None:
    text = article_html("Ferry strike", paragraphs=story_paragraphs(41))
    original = client.post("/api/ingest", json={"url": site.page("/a/strike", text)}, headers=AUTH)
    assert original.status_code == 201, original.text
    article_id = original.json()["id"]
    copied = client.post("/api/ingest", json={"url": site.page("/b/strike", text)}, headers=AUTH)
    assert (copied.status_code, copied.json()["id"]) == (200, article_id)
    full = client.get(f"/api/articles/{article_id}").json()
    assert [(c["url"], c["source"]) for c in full["copies"]] == [
        (site.url("/b/strike"), "127.0.0.1")
    ]
    assert full["copy_count"] == 1
    [summary] = client.get("/api/articles").json()["items"]
    assert summary["copy_count"] == 1
    [line] = client.get("/api/export").text.splitlines()
    assert json.loads(line)["copies"][0]["url"] == site.url("/b/strike")
    header = client.get("/api/export", params={"format": "csv"}).text.splitlines()[0].split(",")
    assert "copy_count" in header
    assert "copies" not in header
    story = client.get(f"/api/stories/{full['story_id']}").json()
    assert (story["size"], story["outlets"]) == (1, 1)  # one outlet: the site itself
