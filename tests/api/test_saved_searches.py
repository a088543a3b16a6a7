"""Saved searches on both stores: created with the token, their webhook gets exactly the new
matching articles once each after crawl runs, signed; their Atom feed; bad input refused."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.services import crawler
from tests.api.conftest import AUTH
from tests.factories import add_source
from tests.pages import article_html
from tests.site import NewsSite, Receiver

FAST = {"host_delay": 0.0, "extract_workers": 0, "revisit_after": ""}


def publish(site: NewsSite, titles: list[str], start: int) -> None:
    """A feed of new articles, one per title, each about its title's words."""
    links = []
    for n, title in enumerate(titles, start):
        text = f"{title}. " + "The council met again on Tuesday to talk it over at length. " * 8
        links.append(site.page(f"/news/{n}", article_html(title, paragraphs=[text, f"Story {n}."])))
    site.feed("/rss", links)


def test_a_webhook_gets_each_new_match_once(
    client: TestClient, site: NewsSite, sessions: sessionmaker[Session], settings: Settings
) -> None:
    add_source(sessions, "harbour", feeds=[site.url("/rss")])
    publish(site, ["Ferry strike ends", "Bridge repairs"], 1)
    crawler(settings.model_copy(update=FAST), sessions).run()  # before the search: not sent
    with Receiver() as receiver:
        created = client.post(
            "/api/saved-searches",
            json={"name": "ferries", "q": "ferry", "webhook": receiver.url},
            headers=AUTH,
        )
        assert created.status_code == 201, created.text
        hooked = settings.model_copy(update={**FAST, "webhook_secret": SecretStr("k")})
        publish(site, ["Ferry timetable changes", "Fish market opens", "New ferry ordered"], 3)
        crawler(hooked, sessions).run()
        publish(site, ["Ferry fares rise", "Tide tables"], 6)
        crawler(hooked, sessions).run()
        crawler(hooked, sessions).run()  # nothing new: nothing sent
        bodies = [json.loads(body) for _p, _h, body in receiver.posts]
    assert [b["event"] for b in bodies] == ["search.matches", "search.matches"]
    assert [sorted(a["title"] for a in b["articles"]) for b in bodies] == [
        ["Ferry timetable changes", "New ferry ordered"],
        ["Ferry fares rise"],
    ]
    assert all(h["x-newsarchive-signature"].startswith("sha256=") for _p, h, _b in receiver.posts)
    search = client.get(f"/api/saved-searches/{created.json()['id']}").json()
    assert search["last_delivery_count"] == 1
    assert (search["webhook_host"], "webhook" in search) == ("127.0.0.1", False)
    feed = client.get(f"/api/saved-searches/{search['id']}.atom")
    titles = [
        e.findtext("{http://www.w3.org/2005/Atom}title")
        for e in ET.fromstring(feed.content).findall("{http://www.w3.org/2005/Atom}entry")
    ]
    assert sorted(titles) == sorted(
        ["Ferry strike ends", "Ferry timetable changes", "New ferry ordered", "Ferry fares rise"]
    )


def test_saved_searches_need_the_token_and_good_input(client: TestClient) -> None:
    body = {"name": "x", "q": "ferry"}
    assert client.post("/api/saved-searches", json=body).status_code == 401
    bad = client.post("/api/saved-searches", json={"name": "x", "q": "-only"}, headers=AUTH)
    assert (bad.status_code, bad.json()["detail"]) == (
        422, "a query needs at least one word that is not excluded with '-'",
    )  # fmt: skip
    blank = client.post("/api/saved-searches", json={**body, "name": "   "}, headers=AUTH)
    assert blank.status_code == 422
    hook = client.post("/api/saved-searches", json={**body, "webhook": "ftp://x"}, headers=AUTH)
    assert (hook.status_code, hook.json()["detail"]) == (
        422,
        "webhook: not an http(s) URL: ftp://x",
    )
    assert client.post("/api/saved-searches", json=body, headers=AUTH).status_code == 201
    again = client.post("/api/saved-searches", json=body, headers=AUTH)
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "a saved search named 'x' already exists",
    )
    unknown = client.post(
        "/api/saved-searches", json={**body, "name": "y", "source": "nope"}, headers=AUTH
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (422, "no source named 'nope'")
    [saved] = client.get("/api/saved-searches").json()
    feed = f"/api/saved-searches/{saved['id']}.atom"
    assert client.delete(feed, headers=AUTH).status_code == 405  # a feed is not deleted
    assert client.delete(f"/api/saved-searches/{saved['id']}", headers=AUTH).status_code == 204
    assert client.get(f"/api/saved-searches/{saved['id']}").status_code == 404
