"""What `newsarchive import` tells a person: a line per page naming the file it came from, a
totals line as a crawl ends with, no library noise, and reasons that end at a word."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.cli import cli
from newsarchive.errors import brief
from tests.pages import article_html, story_paragraphs

HTML = "text/html; charset=utf-8"


def _warc(path: Path, pages: list[tuple[str, str]], *, short_by: int = 0) -> Path:
    """An uncompressed WARC of HTML responses; `short_by` understates the first record's
    length, as broken crawlers do, which warcio reads past with a warning on stderr."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for url, html in pages:
        body = html.encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", HTML)], "HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
        )
        writer.write_record(record)
    data = out.getvalue()
    if short_by:
        start = data.index(b"Content-Length: ") + len(b"Content-Length: ")
        end = data.index(b"\r\n", start)
        data = data[:start] + str(int(data[start:end]) - short_by).encode() + data[end:]
    path.write_bytes(data)
    return path


@pytest.fixture
def imported(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)

    def run(*paths: Path):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["import", *map(str, paths)])

    return run


def test_import_names_each_record_s_file_and_ends_with_totals(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = _warc(
        tmp_path / "monday.warc",
        [
            (
                "https://harbour.example/news/1",
                article_html("Harbour reopens", paragraphs=story_paragraphs(1)),
            ),
            (
                "https://harbour.example/news/2",
                article_html("Ferry returns", paragraphs=story_paragraphs(2)),
            ),
        ],
    )
    second = _warc(
        tmp_path / "tuesday.warc",
        [
            (
                "https://harbour.example/news/1",
                article_html("Harbour reopens", paragraphs=story_paragraphs(1)),
            )
        ],
    )
    result = imported(first, second)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"stored: https://harbour.example/news/1 in {first} (article 1)"
    assert lines[1] == f"stored: https://harbour.example/news/2 in {first} (article 2)"
    assert lines[2] == f"duplicate: https://harbour.example/news/1 in {second} (article 1)"
    assert lines[3].startswith(
        "run 1 finished: stored 2, duplicates 1, skipped 0, failed 0 (database: "
    )
    assert len(lines) == 4


def test_warcio_s_warnings_stay_out_of_the_output(imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _warc(
        tmp_path / "odd.warc",
        [
            (
                "https://harbour.example/news/3",
                article_html("Storm", paragraphs=story_paragraphs(3)),
            ),
            ("https://harbour.example/a b/4", article_html("Tide", paragraphs=story_paragraphs(4))),
        ],
        short_by=2,
    )
    result = imported(path)
    assert "WARNING" not in result.output
    assert "Replacing spaces" not in result.output
    assert result.output.splitlines()[-1].startswith("run 1 finished: ")


@pytest.mark.parametrize("limit", [40, 300])
def test_a_long_reason_ends_at_a_word(limit: int) -> None:
    reason = "unreadable file: ArchiveLoadFailed: " + " ".join(f"word{n}" for n in range(200))
    short = brief(reason, limit)
    assert len(short) <= limit
    assert short.endswith(" …")
    assert short.removesuffix(" …").split()[-1] in reason.split()
    assert brief("a   short\n reason") == "a short reason"
