"""Only articles are archived: home, section, tag and search pages, consent walls and error
pages served with status 200 are skipped with the reason (pages built here)."""

from __future__ import annotations

import json

import pytest

from newsarchive.errors import Skipped
from newsarchive.extract.article import extract
from tests.pages import LOREM, article_html

SITE = "https://news.example.com"
HEADLINES = [
    "Council approves the new harbour budget",
    "Fishing fleet protests against dredging plans",
    "Local school wins national science prize",
    "Storm damages the old lighthouse overnight",
    "Ferry timetable changes from next Monday",
    "Museum reopens after two years of repairs",
    "Farmers market moves to the town square",
    "Rail link to the capital delayed again",
    "New cycle lanes open along the seafront",
]


def listing_html(*, og_type: str | None = "website", ld_type: str | None = None) -> str:
    teasers = "\n".join(
        f'<article><h3><a href="/news/{n}">{h}</a></h3><p>{LOREM[:90]}</p></article>'
        for n, h in enumerate(HEADLINES)
    )
    head = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    if ld_type:
        head += f'<script type="application/ld+json">{json.dumps({"@type": ld_type})}</script>'
    return f"""<html lang="en"><head><title>Local news | Harbour Times</title>{head}</head>
<body><nav><a href="/">Home</a></nav><main><h1>Local news</h1>{teasers}</main>
<footer>Harbour Times</footer></body></html>"""


def reason(html: str, url: str) -> str | None:
    try:
        extract(html.encode(), url)
    except Skipped as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    ("url", "html", "expected"),
    [
        (f"{SITE}/", listing_html(), "not an article (home page)"),
        (f"{SITE}/local/", listing_html(), "not an article (section or tag page)"),
        (f"{SITE}/tag/harbour", listing_html(og_type=None), "not an article (section or tag page)"),
        (
            f"{SITE}/topics/x",
            listing_html(og_type=None, ld_type="CollectionPage"),
            "not an article (section or tag page)",
        ),
        (f"{SITE}/search?q=harbour", listing_html(), "not an article (search page)"),
        (
            f"{SITE}/results",
            listing_html(ld_type="SearchResultsPage"),
            "not an article (search page)",
        ),
    ],
)
def test_listings_are_not_articles(url: str, html: str, expected: str) -> None:
    assert reason(html, url) == expected


def test_a_consent_wall_is_not_an_article() -> None:
    wall = article_html(
        "Before you continue",
        paragraphs=[
            "We use cookies and similar technologies to personalise content and ads. "
            "Click accept all to give your consent, or manage your privacy settings."
        ],
        published=None,
    )
    assert reason(wall, f"{SITE}/news/story") == "not an article (consent or cookie wall)"


@pytest.mark.parametrize(
    "title", ["Page not found", "404 - Harbour Times", "Seite nicht gefunden", "Error 404"]
)
def test_an_error_page_served_with_200_is_not_an_article(title: str) -> None:
    page = article_html(
        title,
        paragraphs=["Sorry, the page you were looking for does not exist or was moved."],
        published=None,
    )
    assert reason(page, f"{SITE}/news/gone") == "not an article (error page)"


def test_an_article_with_related_teasers_is_an_article() -> None:
    """'Related stories' teasers around a story do not make it a listing."""
    related = "".join(
        f'<article><h3><a href="/news/{n}">{h}</a></h3></article>' for n, h in enumerate(HEADLINES)
    )
    page = article_html("Harbour expansion approved", published=None).replace(
        "</main>", f"<section>{related}</section></main>"
    )
    assert reason(page, f"{SITE}/news/harbour") is None


@pytest.mark.parametrize(
    "path", ["/?p=2895", "/index.php?id=12", "/?page_id=7&utm_source=rss", "/index.php?article=x"]
)
def test_a_short_post_at_a_query_url_on_the_root_is_an_article(path: str) -> None:
    # WordPress and other CMSs address posts by a query on the site's root: not the home page
    html = article_html(paragraphs=["Council approves the harbour plan after a long debate."])
    assert reason(html, SITE + path) is None
    assert reason(html, f"{SITE}/?utm_source=rss") == "not an article (home page)"


def test_a_declared_article_on_a_home_url_is_an_article() -> None:
    page = article_html("One story site", extra_head='<meta property="og:type" content="article">')
    assert reason(page, f"{SITE}/") is None


def test_a_long_article_mentioning_cookies_is_an_article() -> None:
    text = "The bakery's cookies won the prize, and the jury gave its consent to the recipe. "
    paragraphs = [text * 3, *(f"In part {n} of the story: {LOREM}" for n in range(5))]
    page = article_html("Bakery wins", paragraphs=paragraphs)
    assert reason(page, f"{SITE}/news/bakery") is None


def test_a_short_declared_article_about_cookies_is_an_article() -> None:
    """A news brief on cookies is not a consent wall: walls ask the reader to accept."""
    brief = article_html(
        "Browser maker delays the end of third-party cookies",
        paragraphs=[
            "The company said on Tuesday that it will keep third-party cookies for another year, "
            "after regulators asked for more time to review the consent rules that replace them."
        ],
        extra_head='<meta property="og:type" content="article">',
    )
    assert reason(brief, f"{SITE}/news/cookies") is None
