"""`newsarchive revisit ID...`: a stored page fetched now, one line each, exit 1 on a failure."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    monkeypatch.setenv("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS", "true")
    return lambda *args: CliRunner().invoke(cli, list(args))


def test_revisit_prints_what_each_page_came_to(run, site: NewsSite) -> None:  # type: ignore[no-untyped-def]
    first = site.page("/news/1", article_html("Harbour opens", paragraphs=story_paragraphs(1)))
    second = site.page("/news/2", article_html("Ferry returns", paragraphs=story_paragraphs(2)))
    assert run("ingest", first, second).exit_code == 0
    site.page("/news/1", article_html("Harbour opens late", paragraphs=story_paragraphs(1)))
    site.gone("/news/2")
    result = run("revisit", "1", "2")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"revised: {first} (article 1): title",
        f"gone: {second} (article 2): HTTP 404",
    ]
    again = run("revisit", "1", "7")
    assert again.exit_code == 1
    assert again.output.splitlines() == [
        f"unchanged: {first} (article 1)",
        "failed: article 7: article 7 not found",
    ]


def test_revisit_needs_ids(run) -> None:  # type: ignore[no-untyped-def]
    assert run("revisit").exit_code == 2
    assert run("revisit", "0").exit_code == 2
