"""Feeds and sitemaps: built fixtures for each format, and every corpus file."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from newsarchive.errors import Failed
from newsarchive.fetch.listings import parse, parse_feed, parse_sitemap
from tests.conftest import corpus

BASE = "https://news.example/"


class TestFeeds:
    def test_rss2_with_dates_titles_and_relative_links(self) -> None:
        body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
        <item><title> First  story </title><link>/a/1</link><pubDate>Mon, 02 Dec 2024 16:43:00 +0100</pubDate></item>
        <item><title>No link</title></item>
        <item><guid isPermaLink="true">https://news.example/a/2</guid></item>
        </channel></rss>"""
        entries = parse_feed(body, BASE + "feed.rss").entries
        assert [e.url for e in entries] == ["https://news.example/a/1", "https://news.example/a/2"]
        assert entries[0].title == "First story"
        assert entries[0].published == datetime(2024, 12, 2, 15, 43, tzinfo=UTC)

    def test_atom(self) -> None:
        body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><title>A</title><link rel="alternate" href="https://news.example/x"/>
        <published>2024-12-02T10:00:00Z</published></entry></feed>"""
        [entry] = parse_feed(body, BASE).entries
        assert (entry.url, entry.published) == (
            "https://news.example/x",
            datetime(2024, 12, 2, 10, tzinfo=UTC),
        )

    def test_rss1_rdf(self) -> None:
        body = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
        <channel rdf:about="x"><title>T</title></channel>
        <item rdf:about="https://news.example/r"><title>R</title><link>https://news.example/r</link></item></rdf:RDF>"""
        assert [e.url for e in parse_feed(body, BASE).entries] == ["https://news.example/r"]

    def test_json_feed(self) -> None:
        body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "T", "language": "de",
        "items": [{"id": "1", "url": "https://news.example/j", "title": "J",
                   "date_published": "2024-12-02T10:00:00+01:00"}, {"id": "2"}]}"""
        [entry] = parse_feed(body, BASE).entries
        assert entry.published == datetime(2024, 12, 2, 9, tzinfo=UTC)
        assert entry.language == "de"

    def test_legacy_charset_feed(self) -> None:
        body = '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>T</title><item><title>Notícia</title><link>https://news.example/n</link></item></channel></rss>'.encode(
            "iso-8859-1"
        )
        assert parse_feed(body, BASE).entries[0].title == "Notícia"

    @pytest.mark.parametrize(
        "body", [b"<html><body>not a feed</body></html>", b"", b"{not json", b'{"version": 1}']
    )
    def test_not_a_feed(self, body: bytes) -> None:
        with pytest.raises(Failed, match="not a feed"):
            parse_feed(body, BASE)


class TestSitemaps:
    URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://news.example/a</loc><lastmod>2024-12-01</lastmod></url>
    <url><loc>https://news.example/b</loc><lastmod>2024-12-01</lastmod><news:news>
      <news:publication><news:name>N</news:name><news:language>fr</news:language></news:publication>
      <news:publication_date>2024-12-02T16:43:00+01:00</news:publication_date><news:title>B title</news:title>
    </news:news></url></urlset>"""

    def test_urlset_and_google_news(self) -> None:
        a, b = parse_sitemap(self.URLSET, BASE).entries
        assert (a.url, a.published) == ("https://news.example/a", datetime(2024, 12, 1, tzinfo=UTC))
        assert (b.title, b.language, b.published) == (
            "B title",
            "fr",
            datetime(2024, 12, 2, 15, 43, tzinfo=UTC),
        )

    def test_gzipped(self) -> None:
        assert len(parse_sitemap(gzip.compress(self.URLSET), BASE).entries) == 2

    def test_index(self) -> None:
        body = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>https://news.example/s1.xml</loc></sitemap><sitemap><loc>/s2.xml.gz</loc></sitemap></sitemapindex>"""
        listing = parse_sitemap(body, BASE)
        assert listing.sitemaps == ["https://news.example/s1.xml", "https://news.example/s2.xml.gz"]
        assert listing.entries == []

    def test_plain_text(self) -> None:
        listing = parse_sitemap(b"https://news.example/1\nhttps://news.example/2\n\n", BASE)
        assert [e.url for e in listing.entries] == [
            "https://news.example/1",
            "https://news.example/2",
        ]

    def test_entities_are_not_expanded(self) -> None:
        body = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example/&e;</loc></url></urlset>"""
        entries = parse_sitemap(body, BASE).entries
        assert all("root:" not in e.url for e in entries)

    @pytest.mark.parametrize(
        "body", [b"<html><body>hi</body></html>", b"hello world", b"\x1f\x8bbroken"]
    )
    def test_not_a_sitemap(self, body: bytes) -> None:
        with pytest.raises(Failed):
            parse_sitemap(body, BASE)


@pytest.mark.corpus
def test_every_corpus_feed_parses_or_fails_clearly() -> None:
    files = [
        p
        for p in corpus("feeds").rglob("*")
        if p.is_file()
        and p.suffix in (".rss", ".atom", ".xml", ".json")
        and "expected" not in p.parts
    ]
    assert len(files) >= 15
    parsed = 0
    for path in files:
        try:
            listing = parse(path.read_bytes(), "https://feeds.example/", "feed")
        except Failed:
            continue
        parsed += 1
        assert all(e.url.startswith("http") for e in listing.entries)
    assert parsed >= 15


@pytest.mark.corpus
def test_corpus_feed_links_match_the_expected_items() -> None:
    import json

    expected_dir = corpus("feeds", "rss-parser", "expected")
    for expected_file in sorted(expected_dir.glob("*.json")):
        source = next(expected_dir.parent.glob(expected_file.stem + ".*"))
        items = json.loads(expected_file.read_bytes().decode("utf-8", "replace"))["feed"]["items"]
        want = [i["link"] for i in items if i.get("link", "").startswith("http")]
        got = [e.url for e in parse(source.read_bytes(), "https://feeds.example/", "feed").entries]
        assert got[: len(want)] == want, source.name


@pytest.mark.corpus
def test_every_corpus_sitemap_parses() -> None:
    for path in corpus("sitemaps").iterdir():
        listing = parse(path.read_bytes(), "https://www.example.com/", "sitemap")
        assert listing.entries or listing.sitemaps, path.name
