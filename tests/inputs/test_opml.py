"""OPML in and out: what a feed reader exports becomes sources, and what we write reads back."""

from __future__ import annotations

import pytest

from newsarchive.errors import InvalidInput
from newsarchive.inputs.opml import read_opml, write_opml

MINIFLUX = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Miniflux</title></head>
  <body>
    <outline text="News">
      <outline title="Harbour Times" text="Harbour Times" xmlUrl="https://harbour.example/rss" htmlUrl="https://harbour.example/" type="rss"/>
      <outline title="Harbour Times" text="Harbour Times" xmlUrl="https://harbour.example/sport.xml" type="rss"/>
      <outline text="Gazette &#187; Z\xc3\xbcrich" xmlUrl="https://gazette.example/feed" type="rss"/>
      <outline text="" xmlUrl="https://untitled.example/atom.xml" type="rss"/>
      <outline text="Mail" xmlUrl="mailto:someone@example.org" type="rss"/>
    </outline>
  </body>
</opml>"""


def test_a_feed_reader_s_list_becomes_one_source_per_site() -> None:
    listed = read_opml(MINIFLUX)
    got = [
        (s.name, str(s.home) if s.home else None, [str(f) for f in s.feeds]) for s in listed.sources
    ]
    assert got == [
        ("Harbour Times", "https://harbour.example/", ["https://harbour.example/rss", "https://harbour.example/sport.xml"]),
        ("Gazette \u00bb Z\u00fcrich", None, ["https://gazette.example/feed"]),
        ("untitled.example", None, ["https://untitled.example/atom.xml"]),
    ]  # fmt: skip
    assert listed.refused == ["mailto:someone@example.org: not an http(s) URL"]


def test_what_we_write_reads_back() -> None:
    written = write_opml(
        [("Harbour <Times>", "https://harbour.example/", ["https://harbour.example/rss?a=1&b=2"])],
        title="newsarchive sources",
    )
    assert "Harbour &lt;Times&gt;" in written  # escaped, as any scraped or typed name
    [source] = read_opml(written.encode()).sources
    assert (source.name, str(source.home)) == ("Harbour <Times>", "https://harbour.example/")
    assert [str(f) for f in source.feeds] == ["https://harbour.example/rss?a=1&b=2"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not xml at all", "not an OPML file"),
        (b"<rss><channel/></rss>", "no <outline> with an xmlUrl"),
        (b"<opml><body><outline text='folder'/></body></opml>", "no <outline> with an xmlUrl"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
            b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
            b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>'
            b'<opml><body><outline text="&g;" xmlUrl="https://x.example/rss"/></body></opml>',
            "not an OPML file",
        ),
        (b"<opml>" + b" " * 5_000_001 + b"</opml>", "larger than 5,000,000 bytes"),
    ],
)
def test_what_is_no_feed_list_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        read_opml(data)
