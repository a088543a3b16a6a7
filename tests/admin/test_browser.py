"""The admin page in a real browser, against a real server, on both stores: what only a browser
shows (links followed, no console error, scripts that must not run, cross-site posts, layout).
The forms and pages themselves are tested over HTTP in test_forms.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.models import Source
from newsarchive.db.session import session_scope
from tests.admin.conftest import LiveServer, log_in
from tests.factories import add_article
from tests.site import NewsSite


def test_walk_every_page(page, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    article_id = add_article(
        sessions,
        "Harbour opens",
        "The new harbour opens to ships.\nSecond paragraph.",
        authors=["Ana Ruiz"],
    )
    log_in(page)
    expect(page.locator("h1")).to_have_text("Dashboard")
    assert " ".join(page.locator(".totals").inner_text().split()).startswith("1 articles 1 sources")
    expect(page.locator(".chart svg rect.bar")).to_have_count(90)
    for link, heading in [
        ("Articles", "Articles"),
        ("Sources", "Sources"),
        ("Runs", "Runs"),
        ("Ingest a URL", "Ingest a URL"),
        ("Dashboard", "Dashboard"),
    ]:
        page.click(f"header nav >> text={link}")
        expect(page.locator("h1")).to_have_text(heading)
    page.goto("/admin/articles")
    page.click("text=Harbour opens")
    page.wait_for_url(f"**/admin/articles/{article_id}")
    assert "from the page itself" in page.locator("dl.meta").inner_text()
    assert "Ana Ruiz" in page.locator("dl.meta").inner_text()
    expect(page.locator("section.text p")).to_have_count(2)


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
    expect(page.locator("h1")).to_have_text("Refused")
    with sessions() as session:
        assert session.scalars(select(Source).where(Source.name == "pwned")).first() is None
    response = page.request.post(f"{live.url}/admin/sources", form={"name": "pwned2"})
    assert response.status == 403


@pytest.mark.parametrize("width", [400, 1280])
def test_usable_at_narrow_and_wide_widths(
    page, width: int, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    add_article(
        sessions, "A rather long headline about the harbour and the ferries " * 2, "text " * 50
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page)
    explore = "/admin/explore?q=harbour&q=ferries&interval=day"
    for url in (
        "/admin/",
        "/admin/articles",
        "/admin/sources",
        "/admin/runs",
        "/admin/ingest",
        explore,
        "/admin/archive",
    ):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, (url, overflow)


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


def test_explore_draws_two_searches_and_downloads_their_series(
    page, sessions: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    add_article(sessions, "Harbour opens", "the harbour opens to ferries")
    add_article(sessions, "Weather", "a sunny day by the sea")
    log_in(page)
    page.click("header nav >> text=Explore")
    page.wait_for_url("**/admin/explore*")
    inputs = page.locator("form.explore input[name=q]")
    inputs.nth(0).fill("harbour")
    inputs.nth(1).fill("weather")
    page.select_option("select[name=interval]", "day")
    page.fill("input[name=from]", "2024-04-28")
    page.fill("input[name=to]", "2024-05-02")
    page.click("form.explore button[type=submit]")
    page.wait_for_url("**/admin/explore?q=harbour*")
    expect(page.locator("svg.lines polyline")).to_have_count(2)
    box = page.locator("svg.lines").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert page.locator("section.panel h2").all_inner_texts() == [
        "harbour 1 articles",
        "weather 1 articles",
    ]
    with page.expect_download() as download:
        page.click("text=Download the series as CSV")
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "date,q,count,total,share"
    assert len(lines) == 1 + 2 * 5


def test_the_api_docs_render_every_operation(page) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI, served by the app, renders the OpenAPI 3.1 schema FastAPI writes (Swagger
    UI 3 said "Unable to render this definition")."""
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator("text=Unable to render").count() == 0
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/search", "/api/archive", "/api/health"} <= {p.strip() for p in paths}, paths
