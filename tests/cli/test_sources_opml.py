"""`newsarchive sources import FILE.opml` and `sources export --format opml`: feed lists moved
between a feed reader and the archive, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.inputs.opml import read_opml
from tests.inputs.test_opml import MINIFLUX


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    return lambda *args: CliRunner().invoke(cli, list(args))


def test_a_feed_list_comes_in_once_and_goes_out_again(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    opml = tmp_path / "miniflux.opml"
    opml.write_bytes(MINIFLUX)
    first = run("sources", "import", str(opml))
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "refused: mailto:someone@example.org: not an http(s) URL",
        f"imported {opml}: added 3 sources (4 feeds)",
    ]
    again = run("sources", "import", str(opml))
    assert again.output.splitlines()[-1] == (
        f"imported {opml}: added 0 sources (0 feeds), 3 already registered: "
        "Harbour Times, Gazette \u00bb Z\u00fcrich, untitled.example"
    )
    assert (
        run("sources", "add", "sitemaps only", "--sitemap", "https://s.example/s.xml").exit_code
        == 0
    )

    out = tmp_path / "back.opml"
    exported = run("sources", "export", "--format", "opml", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    back = read_opml(out.read_bytes()).sources
    assert sorted((s.name, len(s.feeds)) for s in back) == [
        ("Gazette \u00bb Z\u00fcrich", 1),
        ("Harbour Times", 2),
        ("untitled.example", 1),
    ]


def test_a_file_that_is_no_feed_list_is_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wrong = tmp_path / "notes.opml"
    wrong.write_text("shopping list")
    result = run("sources", "import", str(wrong))
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {wrong}: not an OPML file")
