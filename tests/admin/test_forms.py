"""The admin page over HTTP (in-process, no browser): each page parsed as a reader sees it,
each form posted as a browser posts it, on both stores."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.db.models import Article, Source
from newsarchive.db.session import session_scope
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.inputs.opml import read_opml
from newsarchive.services import crawler
from tests.admin.conftest import TOKEN, Admin, open_admin, text
from tests.factories import add_article, add_source
from tests.inputs.test_opml import MINIFLUX
from tests.pages import LOREM, article_html, story_paragraphs
from tests.site import NewsSite


def test_login_refuses_a_wrong_token_then_logs_in_and_out(settings: Settings) -> None:
    with open_admin(settings) as client:
        visitor = Admin(client)
        asked = client.get("/admin/sources")
        assert asked.url.path == "/admin/login"
        assert asked.url.params["next"] == "/admin/sources"
        csrf = visitor.csrf("/admin/login")
        wrong = client.post("/admin/login", data={"token": "wrong", "csrf": csrf})
        assert text(Admin.parse(wrong.text), ".flash.error") == "Wrong token."
        right = client.post(
            "/admin/login", data={"token": TOKEN, "csrf": csrf, "next": "/admin/sources"}
        )
        assert right.url.path == "/admin/sources"
        cookie = right.history[0].headers["set-cookie"]
        assert "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        assert "path=/admin" in cookie.lower()
        out = visitor.post("/admin/logout", {})
        assert text(out, "h1") == "Log in"
        assert client.get("/admin/").url.path == "/admin/login"


def test_search_box_and_filters(admin: Admin, sessions: sessionmaker[Session]) -> None:
    add_article(sessions, "Harbour opens", "The new harbour opens to ships.")
    add_article(sessions, "Spring fair", "The fair returns to the square.", source="beta")
    found = admin.get("/admin/articles?q=harbour")
    assert [
        text(row, "td:nth-child(2) a") for row in found.cssselect("table.articles tbody tr")
    ] == ["Harbour opens"]
    assert [m.text_content().lower() for m in found.cssselect("table.articles mark")] == ["harbour"]
    beta = admin.get("/admin/articles?source=beta")
    assert text(beta, "table.articles tbody td:nth-child(2) a") == "Spring fair"
    refused = admin.get("/admin/articles?q=-only")
    assert "at least one word" in text(refused, ".flash.error")
    assert refused.cssselect("input[name=q]")[0].get("value") == "-only"


def test_add_edit_disable_remove_a_source(admin: Admin, sessions: sessionmaker[Session]) -> None:
    added = admin.post(
        "/admin/sources",
        {
            "name": "Harbour Times",
            "home": "https://harbour.example/",
            "feed": "https://harbour.example/rss\nhttps://harbour.example/atom",
            "sitemap": "https://harbour.example/sitemap.xml",
            "interval": "30",
        },
    )
    assert text(added, ".flash") == "Source Harbour Times added."
    with sessions() as session:
        source = session.scalars(select(Source)).one()
        assert sorted(f.url for f in source.feeds) == [
            "https://harbour.example/atom", "https://harbour.example/rss",
            "https://harbour.example/sitemap.xml",
        ]  # fmt: skip
        assert (source.home_url, source.interval_minutes) == ("https://harbour.example/", 30)
        source_id = source.id
    disabled = admin.post(f"/admin/sources/{source_id}/toggle", {})
    assert text(disabled, ".flash") == "Source disabled."
    saved = admin.post(
        f"/admin/sources/{source_id}",
        {"home": "", "feed": "https://harbour.example/rss", "sitemap": "", "interval": "45"},
    )
    assert text(saved, ".flash") == "Source saved."
    with sessions() as session:
        source = session.get_one(Source, source_id)
        assert [f.url for f in source.feeds] == ["https://harbour.example/rss"]
        assert (source.home_url, source.interval_minutes, source.enabled) == (None, 45, False)
    removed = admin.post(f"/admin/sources/{source_id}/delete", {})
    assert text(removed, ".flash") == "Source Harbour Times removed."
    with sessions() as session:
        assert session.scalars(select(Source)).all() == []


def test_bad_source_input_is_explained_and_kept(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    for form, error in [
        ({"name": "x", "feed": "not a url"}, "Feeds: not an http(s) URL: not a url"),
        ({"name": "x", "interval": "600000"}, "Crawl every: Input should be less than or equal"),
        ({"name": "x", "interval": "soon"}, "Crawl every: Input should be a valid integer"),
        ({"name": "bell\x07"}, "Name: String should match pattern"),
    ]:
        page = admin.post("/admin/sources", form, status=422)
        assert text(page, ".flash.error").startswith(error), form
        assert page.cssselect("input[name=name]")[0].get("value") == form["name"]
    with sessions() as session:
        assert session.scalars(select(Source)).all() == []


def test_ingest_form_stores_and_links(admin: Admin, site: NewsSite) -> None:
    url = site.page("/news/1", article_html("Lighthouse restored"))
    stored = admin.post("/admin/ingest", {"url": url})
    assert (text(stored, "h1"), text(stored, ".flash")) == ("Lighthouse restored", "Stored.")
    again = admin.post("/admin/ingest", {"url": url})
    assert text(again, ".flash") == "Already in the archive."
    missing = admin.post("/admin/ingest", {"url": site.url("/missing")}, status=422)
    assert text(missing, ".flash.error") == "Failed: HTTP 404"
    assert missing.cssselect("input[name=url]")[0].get("value") == site.url("/missing")
    not_http = admin.post("/admin/ingest", {"url": "ftp://x"}, status=422)
    assert text(not_http, ".flash.error") == "Give an http:// or https:// address."


def test_reextract_raw_and_delete_with_confirmation(
    admin: Admin, site: NewsSite, sessions: sessionmaker[Session]
) -> None:
    admin.post("/admin/ingest", {"url": site.page("/news/2", article_html("Tide tables"))})
    with sessions() as session:
        article_id = session.scalars(select(Article.id)).one()
    again = admin.post(f"/admin/articles/{article_id}/reextract", {})
    assert text(again, ".flash") == "Extracted again from the stored page."
    raw = admin.client.get(f"/admin/articles/{article_id}/raw")
    assert raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert "<h1>Tide tables</h1>" in raw.text
    confirm = admin.get(f"/admin/articles/{article_id}/delete")
    assert text(confirm, "h1") == "Delete this article?"
    keep = [a.get("href") for a in confirm.cssselect("main a") if a.text_content() == "Keep it"]
    assert keep == [f"/admin/articles/{article_id}"]
    deleted = admin.post(f"/admin/articles/{article_id}/delete", {})
    assert text(deleted, ".flash") == f"Article {article_id} deleted."
    with sessions() as session:
        assert session.scalars(select(Article)).all() == []
    admin.get(f"/admin/articles/{article_id}", status=404)


def test_revisit_now_says_what_came_of_it(
    admin: Admin, site: NewsSite, sessions: sessionmaker[Session]
) -> None:
    admin.post("/admin/ingest", {"url": site.page("/news/4", article_html("Tide tables"))})
    with sessions() as session:
        article_id = session.scalars(select(Article.id)).one()
    page = admin.get(f"/admin/articles/{article_id}")
    assert "Revisit now" in [button.text_content() for button in page.cssselect("button")]
    same = admin.post(f"/admin/articles/{article_id}/revisit", {})
    assert text(same, ".flash") == "The page has not changed."
    site.page("/news/4", article_html("Tide tables, corrected"))
    changed = admin.post(f"/admin/articles/{article_id}/revisit", {})
    assert text(changed, ".flash") == "The page changed (title): a new revision is kept."
    with sessions() as session:
        assert session.get(Article, article_id).revision_count == 2  # type: ignore[union-attr]
    site.gone("/news/4", 500)
    failed = admin.post(f"/admin/articles/{article_id}/revisit", {})
    assert text(failed, ".flash.error") == "Not revisited: HTTP 500"


def test_crawl_now_starts_a_run_and_shows_it(
    admin: Admin, site: NewsSite, sessions: sessionmaker[Session]
) -> None:
    feed = site.feed("/rss", [site.page("/news/3", article_html("Ferry timetable"))])
    admin.post("/admin/sources", {"name": "local", "feed": feed})
    with sessions() as session:
        source_id = session.scalars(select(Source.id)).one()
    started = admin.post(f"/admin/sources/{source_id}/crawl", {})
    assert text(started, ".flash") == "Crawl of local started; it appears below as it runs."
    deadline = time.monotonic() + 20
    while not (runs := admin.get("/admin/runs")).cssselect("td.state.finished"):
        assert time.monotonic() < deadline, text(runs, "table.runs")
        time.sleep(0.1)
    run_link = runs.cssselect("table.runs a")[0].get("href")
    run = admin.get(run_link)
    assert text(run, "td.state") == "finished"
    assert "local" in text(run, "main")
    with sessions() as session:
        assert session.scalars(select(Article.title)).all() == ["Ferry timetable"]


def test_stopping_the_server_ends_its_crawls_and_the_next_run_carries_on(
    settings: Settings, site: NewsSite, sessions: sessionmaker[Session]
) -> None:
    settings = settings.model_copy(update={"concurrency": 2})
    stories = {f"/news/{n}": (f"Ferry timetable {n}", story_paragraphs(n)) for n in range(12)}
    for path, (title, paragraphs) in stories.items():
        site.slow(path, 1.0, article_html(title, paragraphs=paragraphs))
    source_id = add_source(
        sessions, "local", feeds=[site.feed("/rss", list(map(site.url, stories)))]
    )
    with open_admin(settings) as client:
        admin = Admin(client)
        client.post("/admin/login", data={"token": TOKEN, "csrf": admin.csrf("/admin/login")})
        admin.post(f"/admin/sources/{source_id}/crawl", {})
        deadline = time.monotonic() + 20
        while not any(path.startswith("/news/") for _at, path in site.times):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    # leaving the block shut the app down: its crawl ended before the engine was closed
    assert [t for t in threading.enumerate() if t.name == "admin-crawl-local"] == []
    with sessions() as session:
        assert [run.status for run in archive.list_runs(session)] == ["interrupted"]
        assert 0 < len(session.scalars(select(Article.id)).all()) < len(stories)
    for path, (title, paragraphs) in stories.items():  # quick now
        site.page(path, article_html(title, paragraphs=paragraphs))
    crawler(settings, sessions).run()
    with sessions() as session:
        stored = set(session.scalars(select(Article.title)))
    assert stored == {title for title, _paragraphs in stories.values()}


def test_without_a_token_the_page_explains_and_allows_nothing(settings: Settings) -> None:
    with open_admin(settings.model_copy(update={"admin_token": None})) as client:
        login = client.get("/admin/")
        page = Admin.parse(login.text)
        assert "NEWSARCHIVE_ADMIN_TOKEN" in text(page, "main")
        assert page.cssselect("input[name=token]") == []
        csrf = str(page.xpath("string(//input[@name='csrf']/@value)"))
        refused = client.post("/admin/login", data={"token": "", "csrf": csrf})
        assert refused.status_code == 403
        assert text(Admin.parse(refused.text), "h1") == "Refused"


def test_dashboard_counts_today(admin: Admin, sessions: sessionmaker[Session]) -> None:
    add_article(sessions, "Fresh", "fresh news today", datetime.now(UTC))
    add_article(sessions, "Old", "older news text", datetime(2021, 3, 4, 10, tzinfo=UTC))
    totals = text(admin.get("/admin/"), ".totals")
    assert "2 articles" in totals
    assert "1 published today (the site's day)" in totals
    assert (
        "1 first seen today (stored by the archive)" in totals
    )  # the factory: seen when published


def test_dashboard_chart_shows_older_news(admin: Admin, sessions: sessionmaker[Session]) -> None:
    """A crawl of last year's stories: the chart ends at the newest publication day."""
    add_article(sessions, "Old", "older news text", datetime(2021, 3, 4, 10, tzinfo=UTC))
    page = admin.get("/admin/")
    bars = [
        t.text_content()
        for t in page.xpath(
            "//*[local-name()='rect'][contains(@class,'bar')]/*[local-name()='title']"
        )
    ]
    assert len(bars) == 90
    assert [bar for bar in bars if not bar.endswith(": 0")] == ["2021-03-04: 1"]
    assert "2020-12-05 to 2021-03-04" in text(page, "h2")  # 90 days
    assert text(page, "figcaption") == "Peak: 1 article in a day."


def test_an_article_page_links_what_is_a_web_address_and_nothing_else(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    article_id = add_article(sessions, "Harbour", "the harbour reopened")
    with session_scope(sessions) as session:
        article = session.get(Article, article_id)
        assert article is not None
        article.canonical_url, article.top_image = "https://h.example/c", "javascript:alert(1)"
    page = admin.get(f"/admin/articles/{article_id}")
    links = {a.text_content(): a.get("href") for a in page.cssselect("dl.meta a")}
    assert links["https://h.example/c"] == "https://h.example/c"
    assert links["alpha"] == f"/admin/sources/{article.source_id}"
    assert links["its articles"] == "/admin/articles?source=alpha"
    assert "javascript:alert(1)" not in links.values()  # shown as text, never a link
    assert "javascript:alert(1)" in text(page, "dl.meta")


def test_the_dashboard_lists_a_source_whose_feeds_were_refused(
    admin: Admin, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    add_source(sessions, "walled", feeds=["http://127.0.0.1:9/rss"])
    crawler(settings.model_copy(update={"allow_private_hosts": False}), sessions).run()
    rows = admin.get("/admin/").xpath(
        "//h2[starts-with(., 'Sources whose')]/following::table[1]//tr"
    )
    cells = [" ".join(td.text_content().split()) for td in rows[1].cssselect("td")]
    assert cells[0] == "walled"
    assert cells[3].startswith("feed: refused to fetch 127.0.0.1")


def test_the_dashboard_chart_takes_a_range_and_leaves_undated_articles_out(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    add_article(sessions, "Old", "an old story", datetime(2021, 3, 4, 10, tzinfo=UTC))
    add_article(sessions, "Older", "an older story", datetime(2020, 1, 6, 10, tzinfo=UTC))
    add_article(
        sessions, "Seen", "undated", datetime(2021, 3, 4, 11, tzinfo=UTC), date_source="first_seen"
    )

    def bars(path: str) -> list[str]:
        titles = admin.get(path).xpath("//*[local-name()='rect']/*[local-name()='title']")
        return [t.text_content() for t in titles if not t.text_content().endswith(": 0")]

    assert bars("/admin/") == ["2021-03-04: 1"]  # the undated one left out
    assert bars("/admin/?undated=true") == ["2021-03-04: 2"]
    assert bars("/admin/?days=30") == ["2021-03-04: 1"]
    assert bars("/admin/?days=all") == ["2020-01-06: 1", "2021-03-04: 1"]
    assert len(admin.get("/admin/?days=365").xpath("//*[local-name()='rect']")) == 365
    admin.get("/admin/?days=7", status=422)


def test_an_article_page_shows_its_versions_escaped_and_a_takedown(
    admin: Admin, site: NewsSite, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    every_run = settings.model_copy(
        update={"revisit_after": "0", "host_delay": 0.0, "extract_workers": 0}
    )
    story = site.page(
        "/news/ferry", article_html("Ferry", paragraphs=["The ferry opens. " + LOREM])
    )
    add_source(sessions, "harbour", feeds=[site.feed("/rss", [story])])
    crawler(every_run, sessions).run()
    corrected = ["The ferry opens. <b>Late</b>, the master says. " + LOREM]
    site.page("/news/ferry", article_html("Ferry", paragraphs=corrected))
    crawler(every_run, sessions).run()
    with sessions() as session:
        article_id = session.scalars(select(Article.id)).one()
    page = admin.get(f"/admin/articles/{article_id}")
    headings = [" ".join(h.text_content().split()) for h in page.cssselect(".versions h3")]
    assert [h.split(",")[0] for h in headings] == ["Revision 1", "Revision 2"]
    assert headings[1].endswith(": text changed")
    assert [i.text_content() for i in page.cssselect(".versions ins")] == [
        "<b>Late</b>, the master says."
    ]
    assert page.cssselect(".versions b") == []  # scraped markup stays text
    assert page.cssselect(".removed") == []
    site.gone("/news/ferry", 410)
    crawler(every_run, sessions).run()
    crawler(every_run, sessions).run()
    page = admin.get(f"/admin/articles/{article_id}")
    assert text(page, ".removed").startswith("Taken down: the page was found gone on")
    assert "(HTTP 410)" in text(page, ".versions")


def test_an_article_page_lists_its_story_and_search_can_collapse(
    admin: Admin, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    story = story_paragraphs(seed=3)
    copies = {"first": story, "second": [*story, "<i>Wire</i> report."], "third": story[1:]}
    ids = {}
    for name, paragraphs in copies.items():
        path = tmp_path / f"{name}.html"
        path.write_text(article_html(f"Harbour {name}", paragraphs=paragraphs))
        [outcome] = Pipeline(sessions).import_paths([path], base_url=f"https://{name}.example/")
        ids[name] = outcome.article_id
    page = admin.get(f"/admin/articles/{ids['second']}")
    listed = [" ".join(h.text_content().split()) for h in page.cssselect(".story h3")]
    assert [a.text_content() for a in page.cssselect(".story h3 a")] == [
        "Harbour first",
        "Harbour third",
    ]
    assert "the earliest" in listed[0]
    assert [i.text_content() for i in page.cssselect(".story ins")] == []  # third only removes
    assert page.cssselect(".story i") == []  # scraped markup stays text
    first = admin.get(f"/admin/articles/{ids['first']}")
    assert [i.text_content() for i in first.cssselect(".story ins")] == ["¶ <i>Wire</i> report."]
    found = admin.get("/admin/articles?q=harbour&collapse=story")
    assert text(found, "main > p").startswith("1 stories")
    assert "and 2 more in this story" in text(found, "table.articles")


def test_open_alerts_show_on_the_dashboard_and_the_source_page(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    source_id = add_source(sessions, "Harbour <Times>")
    with session_scope(sessions) as session:
        archive.open_alert(
            session, source_id, "dates_missing", now=datetime.now(UTC), baseline=1.0,
            message="0% of the newest 20 articles have a date on the page, against 100% before",
        )  # fmt: skip
    dashboard = admin.get("/admin/")
    assert text(dashboard, ".alerts li").startswith("Harbour <Times>: dates missing since")
    source = admin.get(f"/admin/sources/{source_id}")
    assert "open: 0% of the newest 20 articles" in text(source, ".alerts li")


def test_the_runs_page_shows_the_webhook_log(admin: Admin, sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        archive.queue_delivery(
            session, "https://hooks.example/<x>", "alert.opened", "{}", datetime.now(UTC)
        )
    page = admin.get("/admin/runs")
    rows = [text(r, "td") for r in page.cssselect("table.deliveries tbody tr")]
    assert rows == [rows[0]]
    assert rows[0].startswith("alert.opened https://hooks.example/<x>")
    assert rows[0].endswith("0 — —")


def test_save_list_and_delete_a_search(admin: Admin) -> None:
    saved = admin.post("/admin/searches", {"name": "Ferries", "q": "ferry", "webhook": ""})
    assert text(saved, ".flash") == "Search Ferries saved."
    assert text(saved, "table.searches tbody td:nth-child(2)") == "ferry"
    assert "none yet" in text(saved, "table.searches")
    refused = admin.post("/admin/searches", {"name": "x", "q": "-only"}, status=422)
    assert (
        text(refused, ".flash.error")
        == "a query needs at least one word that is not excluded with '-'"
    )
    assert refused.cssselect("input[name=name]")[0].get("value") == "x"
    for form, error in [  # the API's checks, in the form's words
        ({"name": "  ", "q": "ferry"}, "Name: String should have at least 1 character"),
        ({"name": "y", "q": "ferry", "webhook": "ftp://x"}, "Webhook: not an http(s) URL: ftp://x"),
    ]:
        page = admin.post("/admin/searches", form, status=422)
        assert text(page, ".flash.error") == error
    link = saved.cssselect("table.searches a[href$='.atom']")[0].get("href")
    deleted = admin.post(
        link.replace("/api/saved-searches/", "/admin/searches/").replace(".atom", "/delete"), {}
    )
    assert text(deleted, ".flash") == "Search deleted."
    assert deleted.cssselect("table.searches") == []


def test_a_feed_list_is_uploaded_and_downloaded_as_opml(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    response = admin.client.post(
        "/admin/sources/opml",
        data={"csrf": admin.csrf("/admin/sources")},
        files={"opml": ("miniflux.opml", MINIFLUX, "text/x-opml")},
    )
    assert response.status_code == 200, response.text
    page = admin.parse(response.text)
    assert text(page, ".flash") == (
        "Imported 3 sources from the OPML file; 1 feeds refused "
        "(mailto:someone@example.org: not an http(s) URL)."
    )
    with sessions() as session:
        assert sorted(s.name for s in session.scalars(select(Source))) == [
            "Gazette \u00bb Z\u00fcrich", "Harbour Times", "untitled.example"
        ]  # fmt: skip
    download = admin.client.get("/admin/sources.opml")
    assert download.headers["content-type"].startswith("text/x-opml")
    assert len(read_opml(download.content).sources) == 3
    wrong = admin.client.post(
        "/admin/sources/opml",
        data={"csrf": admin.csrf("/admin/sources")},
        files={"opml": ("notes.txt", b"shopping list", "text/plain")},
    )
    assert text(admin.parse(wrong.text), ".flash.error").startswith(
        "Not imported: not an OPML file"
    )
    refused = admin.client.post("/admin/sources/opml", files={"opml": ("x.opml", MINIFLUX)})
    assert refused.status_code == 403  # no CSRF token: refused


def test_sources_made_from_single_pages_are_folded_away_under_the_form(
    admin: Admin, site: NewsSite
) -> None:
    admin.post("/admin/sources", {"name": "local", "feed": site.url("/rss")})
    admin.post("/admin/ingest", {"url": site.page("/news/9", article_html("Tide tables"))})
    page = admin.get("/admin/sources")
    headings = [e.tag for e in page.cssselect("main details.add, main table.sources")]
    assert headings[0] == "details"  # the form comes first
    own = page.cssselect("main > table.sources td:first-child a")
    assert [a.text_content() for a in own] == ["local"]
    folded = page.cssselect("details.auto")
    assert len(folded) == 1
    assert folded[0].get("open") is None
    assert "127.0.0.1" in folded[0].text_content()
    assert folded[0].cssselect("button") == []  # nothing to crawl there


def test_a_search_is_saved_with_its_filters_exported_and_found_again(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    add_article(
        sessions, "Harbour opens", "the harbour reopened", source="alpha", authors=["Ana Ruiz"]
    )
    add_article(sessions, "Harbour closes", "the harbour closed", source="beta", authors=["Bo Li"])
    found = admin.get("/admin/articles?q=harbour&source=alpha&author=Ana+Ruiz")
    assert [a.text_content() for a in found.cssselect("table.articles td a")] == ["Harbour opens"]
    links = {a.text_content(): a.get("href") for a in found.cssselect("p.actions a")}
    assert links["Export as CSV"] == "/api/export?q=harbour&source=alpha&author=Ana+Ruiz&format=csv"
    exported = admin.client.get(links["Export as CSV"])
    assert [line.split(",")[3] for line in exported.text.splitlines()[1:]] == ["Harbour opens"]
    form = admin.get(links["Save this search"])
    filled = {i.get("name"): i.get("value") for i in form.cssselect("form.stacked input")}
    assert (filled["q"], filled["source"], filled["author"]) == ("harbour", "alpha", "Ana Ruiz")
    saved = admin.post(
        "/admin/searches",
        {"name": "Ana on the harbour", "q": "harbour", "source": "alpha", "author": "Ana Ruiz"},
    )
    assert text(saved, ".flash") == "Search Ana on the harbour saved."
    [name] = saved.cssselect("table.searches td a")[:1]
    again = admin.get(name.get("href"))
    assert [a.text_content() for a in again.cssselect("table.articles td a")] == ["Harbour opens"]
    unknown = admin.post(
        "/admin/searches", {"name": "x", "q": "harbour", "source": "nosuch"}, status=422
    )
    assert text(unknown, ".flash.error") == "no source named 'nosuch'"


def test_the_archive_is_browsed_by_year_month_and_day(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    add_article(sessions, "Leap day", "a leap day story", datetime(2024, 2, 29, 12, tzinfo=UTC))
    add_article(sessions, "New year", "a new year story", datetime(2025, 1, 1, 9, tzinfo=UTC))
    years = admin.get("/admin/archive")
    assert [a.text_content() for a in years.cssselect("table.archive td a")] == ["2025", "2024"]
    months = admin.get("/admin/archive/2024")
    assert [a.text_content() for a in months.cssselect("table.archive td a")] == ["February"]
    days = admin.get("/admin/archive/2024/2")
    [day] = days.cssselect("table.archive td a")
    assert day.text_content() == "2024-02-29"
    articles = admin.get(day.get("href"))
    assert [a.text_content() for a in articles.cssselect("table.articles td a")] == ["Leap day"]
    admin.get("/admin/archive/2024/13", status=422)


def test_explore_compares_two_searches_over_time(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    for day in (1, 2, 3):
        add_article(
            sessions,
            f"Harbour {day}",
            f"the harbour and the ferry, day {day}",
            datetime(2024, 3, day, 9, tzinfo=UTC),
        )
    add_article(sessions, "Weather", "sunny weather and wind", datetime(2024, 3, 2, 9, tzinfo=UTC))
    page = admin.get(
        "/admin/explore?q=harbour&q=weather&from=2024-03-01&to=2024-03-03&interval=day"
    )
    lines = page.xpath("//*[local-name()='polyline']")
    assert len(lines) == 2
    hovers = [
        t.text_content() for t in page.xpath("//*[local-name()='circle']/*[local-name()='title']")
    ]
    assert hovers == [
        "harbour: 2024-03-01: 100.0%", "harbour: 2024-03-02: 50.0%", "harbour: 2024-03-03: 100.0%",
        "weather: 2024-03-01: 0.0%", "weather: 2024-03-02: 50.0%", "weather: 2024-03-03: 0.0%",
    ]  # fmt: skip
    panels = page.cssselect("section.panel")
    assert [text(p, "h2") for p in panels] == ["harbour 3 articles", "weather 1 articles"]
    assert "ferry" in text(panels[0], "p.terms")
    csv_link = [a.get("href") for a in page.cssselect("section.chart a")][0]
    assert admin.client.get(csv_link).text.splitlines()[1] == "2024-03-01,harbour,1,1,1.000000"
    save = panels[0].cssselect("a.button")[0].get("href")
    assert save.startswith("/admin/searches?q=harbour")
    assert admin.get("/admin/").cssselect("nav a[href='/admin/explore']")
    refused = admin.get("/admin/explore?q=-")
    assert "no words to search for" in text(refused, ".flash.error")


def test_a_source_s_collections_are_set_on_the_admin_page(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    admin.post("/admin/sources", {"name": "berlin", "collections": "germany, national"})
    with sessions() as session:
        source = session.scalars(select(Source)).one()
        assert source.collections == ["germany", "national"]
    page = admin.get("/admin/sources")
    assert "in germany, national" in text(page, "table.sources")
    edit = admin.get(f"/admin/sources/{source.id}")
    assert edit.cssselect("input[name=collections]")[0].get("value") == "germany, national"
    admin.post(f"/admin/sources/{source.id}", {"collections": "europe", "interval": "0"})
    with sessions() as session:
        assert session.get(Source, source.id).collections == ["europe"]  # type: ignore[union-attr]


def test_an_author_without_a_search_stays_out_of_the_export_link(
    admin: Admin, sessions: sessionmaker[Session]
) -> None:
    add_article(sessions, "Harbour opens", "the harbour reopened", authors=["Ana Ruiz"])
    page = admin.get("/admin/articles?author=Ana+Ruiz")
    [export] = [
        a.get("href") for a in page.cssselect("p.actions a") if a.text_content() == "Export as CSV"
    ]
    assert admin.client.get(export).status_code == 200
