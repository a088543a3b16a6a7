"""The admin page in a real browser, against a real server, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.db.models import Article, Source
from newsarchive.db.session import session_scope
from tests.admin.conftest import LiveServer, log_in
from tests.factories import add_article
from tests.pages import article_html
from tests.site import NewsSite


def test_login_refuses_a_wrong_token_then_logs_in_and_out(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin/sources")
    assert "/admin/login" in page.url
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".flash.error").inner_text() == "Wrong token."
    page.fill("input[name=token]", "test-token")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/sources")
    cookie = next(c for c in page.context.cookies() if c["name"] == "newsarchive_admin")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    page.click("text=Log out")
    page.wait_for_url("**/admin/login")
    page.goto("/admin/")
    assert "/admin/login" in page.url


def test_walk_every_page(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    article_id = add_article(
        sessions,
        "Harbour opens",
        "The new harbour opens to ships.\nSecond paragraph.",
        authors=["Ana Ruiz"],
    )
    log_in(page)
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator(".totals li").first.inner_text().startswith(
        "1\n"
    ) or "1 articles" in page.locator(".totals").inner_text().replace("\n", " ")
    assert page.locator(".chart svg rect.bar").count() == 90
    for link, heading in [
        ("Articles", "Articles"),
        ("Sources", "Sources"),
        ("Runs", "Runs"),
        ("Ingest a URL", "Ingest a URL"),
        ("Dashboard", "Dashboard"),
    ]:
        page.click(f"header nav >> text={link}")
        assert page.locator("h1").inner_text() == heading
    page.goto("/admin/articles")
    page.click("text=Harbour opens")
    assert page.url.endswith(f"/admin/articles/{article_id}")
    assert "from the page itself" in page.locator("dl.meta").inner_text()
    assert "Ana Ruiz" in page.locator("dl.meta").inner_text()
    assert page.locator("section.text p").count() == 2


def test_search_box_and_filters(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    add_article(sessions, "Harbour opens", "The new harbour opens to ships.")
    add_article(sessions, "Spring fair", "The fair returns to the square.", source="beta")
    log_in(page)
    page.goto("/admin/articles")
    page.fill("input[name=q]", "harbour")
    page.click("form.filters button")
    assert page.locator("table.articles tbody tr").count() == 1
    assert page.locator("table.articles mark").first.inner_text().lower() == "harbour"
    page.fill("input[name=q]", "")
    page.select_option("select[name=source]", "beta")
    page.click("form.filters button")
    assert page.locator("table.articles tbody tr td:nth-child(2) a").all_inner_texts() == [
        "Spring fair"
    ]
    page.fill("input[name=q]", "-only")
    page.click("form.filters button")
    assert "at least one word" in page.locator(".flash.error").inner_text()


def test_add_edit_disable_remove_a_source(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    log_in(page)
    page.goto("/admin/sources")
    page.fill("input[name=name]", "Harbour Times")
    page.fill("input[name=home]", "https://harbour.example/")
    page.fill("textarea[name=feed]", "https://harbour.example/rss\nhttps://harbour.example/atom")
    page.fill("textarea[name=sitemap]", "https://harbour.example/sitemap.xml")
    page.fill("input[name=interval]", "30")
    page.click("text=Add source")
    assert page.locator(".flash").inner_text() == "Source Harbour Times added."
    with sessions() as session:
        source = session.scalars(select(Source)).one()
        assert sorted(f.url for f in source.feeds) == [
            "https://harbour.example/atom", "https://harbour.example/rss", "https://harbour.example/sitemap.xml",
        ]  # fmt: skip
        assert source.interval_minutes == 30
    page.click("text=Disable")
    assert page.locator(".flash").inner_text() == "Source disabled."
    page.click("table.sources >> text=Harbour Times")
    page.fill("input[name=interval]", "45")
    page.click("text=Save")
    assert "45 min" in page.locator("table.sources").inner_text()
    page.click("table.sources >> text=Harbour Times")
    page.click("text=Remove source")
    assert page.locator(".flash").inner_text() == "Source Harbour Times removed."


def test_bad_source_input_is_explained(page) -> None:  # type: ignore[no-untyped-def]
    page.expected_statuses.add(422)
    log_in(page)
    page.goto("/admin/sources")
    page.fill("input[name=name]", "x")
    page.fill("textarea[name=feed]", "not a url")
    page.click("text=Add source")
    assert page.locator(".flash.error").inner_text() == "Feeds: not an http(s) URL: not a url"
    assert page.locator("input[name=name]").input_value() == "x"  # what was typed is kept


def test_ingest_form_stores_and_links(page, site: NewsSite) -> None:  # type: ignore[no-untyped-def]
    page.expected_statuses.add(422)
    url = site.page("/news/1", article_html("Lighthouse restored"))
    log_in(page)
    page.goto("/admin/ingest")
    page.fill("input[name=url]", url)
    page.click("text=Fetch and store")
    assert page.locator("h1").inner_text() == "Lighthouse restored"
    assert page.locator(".flash").inner_text() == "Stored."
    page.goto("/admin/ingest")
    page.fill("input[name=url]", site.url("/missing"))
    page.click("text=Fetch and store")
    assert page.locator(".flash.error").inner_text() == "Failed: HTTP 404"


def test_stored_markup_is_shown_as_text_and_never_runs(
    page, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    article_id = add_article(sessions, evil, f"harbour {evil} text", authors=[evil])
    log_in(page)
    for url in ("/admin/articles", f"/admin/articles/{article_id}", "/admin/articles?q=harbour"):
        page.goto(url)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img[src=x]").count() == 0
    page.goto(f"/admin/articles/{article_id}")
    assert page.locator("h1").inner_text() == evil


def test_form_posted_from_another_site_is_refused(
    page, live: LiveServer, site: NewsSite, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    page.expected_statuses.add(403)
    log_in(page)
    attacker = site.page(
        "/evil",
        f'<form method="post" action="{live.url}/admin/sources"><input name="name" value="pwned">'
        f'<input name="csrf" value="guessed"><button>Win a prize</button></form>',
    )
    page.goto(attacker)
    page.click("text=Win a prize")
    assert page.locator("h1").inner_text() == "Refused"
    with sessions() as session:
        assert session.scalars(select(Source).where(Source.name == "pwned")).first() is None
    response = page.request.post(f"{live.url}/admin/sources", form={"name": "pwned2"})
    assert response.status == 403


def test_reextract_and_delete_with_confirmation(
    page, site: NewsSite, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    url = site.page("/news/2", article_html("Tide tables"))
    log_in(page)
    page.goto("/admin/ingest")
    page.fill("input[name=url]", url)
    page.click("text=Fetch and store")
    article_url = page.url
    page.click("text=Re-extract")
    assert page.locator(".flash").inner_text() == "Extracted again from the stored page."
    raw = page.request.get(article_url + "/raw")
    assert raw.headers["content-type"].startswith("text/plain")
    assert "Tide tables" in raw.text()
    page.click("text=Delete…")
    assert page.locator("h1").inner_text() == "Delete this article?"
    page.click("text=Keep it")
    assert page.url == article_url
    page.click("text=Delete…")
    page.click("text=Delete it")
    assert "deleted" in page.locator(".flash").inner_text()
    with sessions() as session:
        assert session.scalars(select(Article)).first() is None


def test_crawl_now_starts_a_run_and_shows_it(
    page, site: NewsSite, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    story = site.page("/news/3", article_html("Ferry timetable"))
    feed = site.feed("/rss", [story])
    log_in(page)
    page.goto("/admin/sources")
    page.fill("input[name=name]", "local")
    page.fill("textarea[name=feed]", feed)
    page.click("text=Add source")
    page.click("text=Crawl now")
    assert "/admin/runs" in page.url
    for _ in range(50):
        page.goto("/admin/runs")
        if page.locator("td.state.finished").count():
            break
        page.wait_for_timeout(200)
    page.click("table.runs a")
    assert page.locator("td.state.finished").count() == 1
    assert "local" in page.locator("main").inner_text()


@pytest.mark.parametrize("width", [400, 1280])
def test_usable_at_narrow_and_wide_widths(
    page, width: int, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    add_article(
        sessions, "A rather long headline about the harbour and the ferries " * 2, "text " * 50
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page)
    for url in ("/admin/", "/admin/articles", "/admin/sources", "/admin/runs", "/admin/ingest"):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (url, overflow)


def test_without_a_token_the_page_explains_and_allows_nothing(browser, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with LiveServer(settings.model_copy(update={"admin_token": None})) as server:
        context = browser.new_context(base_url=server.url)
        tab = context.new_page()
        tab.goto("/admin/")
        assert "NEWSARCHIVE_ADMIN_TOKEN" in tab.locator("main").inner_text()
        assert tab.locator("input[name=token]").count() == 0
        assert tab.request.post(f"{server.url}/admin/login", form={"token": ""}).status == 403
        context.close()


def test_dashboard_counts_today(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    add_article(sessions, "Fresh", "fresh news today", datetime.now(UTC))
    log_in(page)
    totals = " ".join(page.locator(".totals").inner_text().split())
    assert "1 published today (the site's day)" in totals
    assert "1 first seen today (stored by the archive)" in totals


def test_dashboard_chart_shows_older_news(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    """A crawl of last year's stories: the chart ends at the newest publication day."""
    add_article(sessions, "Old", "older news text", datetime(2021, 3, 4, 10, tzinfo=UTC))
    log_in(page)
    bars = page.locator("svg rect.bar title").all_text_contents()
    assert [bar for bar in bars if not bar.endswith(": 0")] == ["2021-03-04: 1"]
    assert "the 90 days to 2021-03-04" in page.locator("h2").first.inner_text()


def test_the_runs_table_is_labelled_on_a_phone(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    """Narrow screens stack the cells: each number says what it counts."""
    with session_scope(sessions) as session:
        run = archive.start_run(session, "import")
        run.stored, run.failed = 4, 1
    page.set_viewport_size({"width": 400, "height": 900})
    log_in(page)
    labels = page.evaluate(
        """[...document.querySelectorAll('table.runs tbody td')].map(td =>
            getComputedStyle(td, '::before').content.replaceAll('"', '') + td.innerText)"""
    )
    assert "Stored: 4" in labels
    assert "Failed: 1" in labels
    assert "Kind: import" in labels
