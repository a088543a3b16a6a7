"""A local news site with every hazard a crawler meets, and what a correct crawl of it does."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.pages import LOREM, article_html
from tests.site import NewsSite


def _story(n: int, **kwargs: object) -> str:
    paragraphs = [f"Report number {n}. " + LOREM, f"More on report {n}: " + LOREM[::-1]]
    return article_html(f"Report {n}", paragraphs=paragraphs, **kwargs)  # type: ignore[arg-type]


@dataclass
class Newsroom:
    site: NewsSite
    stored: set[str] = field(default_factory=set)  # paths that must become articles
    never_requested: set[str] = field(default_factory=set)  # robots.txt forbids them
    feed_path: str = "/feed.rss"

    @property
    def home(self) -> str:
        return self.site.url("/")


def build(site: NewsSite) -> Newsroom:
    room = Newsroom(site)
    base = site.base

    def article(path: str, html: str) -> str:
        site.page(path, html)
        room.stored.add(path)
        return site.url(path)

    site.routes["/robots.txt"] = _text(
        f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n"
    )
    a1 = article(
        "/news/2024/01/01/report-1", _story(1, canonical=f"{base}/news/2024/01/01/report-1")
    )
    a2 = article("/news/report-2", _story(2, published=None))  # dated by the feed
    site.redirect("/old/report-3", "/news/2024/01/03/report-3")
    room.stored.add("/news/2024/01/03/report-3")
    site.page("/news/2024/01/03/report-3", _story(3))
    site.page("/private/secret", _story(99))
    room.never_requested.add("/private/secret")
    site.redirect("/loop-a", "/loop-b")
    site.redirect("/loop-b", "/loop-a")
    site.page("/report.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    site.flaky("/news/flaky-report", _story(7), failures=1)
    room.stored.add("/news/flaky-report")

    pub = format_datetime(datetime(2024, 1, 2, 8, 0, tzinfo=UTC), usegmt=True)
    items = [
        (a1, None),
        (a2, pub),
        (a2 + "?utm_source=rss&utm_medium=feed", pub),  # the same article, tracked
        (site.url("/private/secret"), None),
        (site.url("/old/report-3"), None),
        (site.url("/loop-a"), None),
        (site.url("/missing"), None),
        (site.url("/report.pdf"), None),
        (site.url("/news/flaky-report"), None),
    ]
    rss = "".join(
        f"<item><title>Item</title><link>{link.replace('&', '&amp;')}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for link, date in items
    )
    site.listing(
        "/feed.rss",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Newsroom</title>{rss}</channel></rss>'.encode(),
        "application/rss+xml",
    )

    a4 = article("/news/2024/01/04/report-4", _story(4))
    site.slow("/news/slow-report", seconds=3, html=_story(8))
    site.endless("/news/huge-report")
    site.listing(
        "/atom.xml",
        f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Newsroom</title><id>urn:x</id><updated>2024-01-05T00:00:00Z</updated>
<entry><title>Four</title><link href="{a4}"/><id>urn:4</id><updated>2024-01-04T00:00:00Z</updated></entry>
<entry><title>Slow</title><link href="{site.url("/news/slow-report")}"/><id>urn:8</id><updated>2024-01-04T00:00:00Z</updated></entry>
<entry><title>Huge</title><link href="{site.url("/news/huge-report")}"/><id>urn:9</id><updated>2024-01-04T00:00:00Z</updated></entry>
</feed>""".encode(),
        "application/atom+xml",
    )

    a5 = article("/news/report-5", _story(5, published=None))  # dated by the news sitemap
    cyrillic = article_html(
        "Доклад шесть",
        paragraphs=["Городской совет во вторник проголосовал за расширение гавани. " * 6],
        lang="ru",
        charset_meta="windows-1251",
    )
    site.page("/news/report-6", cyrillic.encode("cp1251"), content_type="text/html")
    room.stored.add("/news/report-6")
    site.page(
        "/mirror/report-1", _story(1, canonical=a1).replace("Report number 1.", "Mirrored copy 1.")
    )
    news_sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{a5}</loc><news:news><news:publication><news:name>Newsroom</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-01-05T06:30:00+01:00</news:publication_date><news:title>Report 5</news:title></news:news></url>
<url><loc>{site.url("/news/report-6")}</loc></url>
<url><loc>{site.url("/mirror/report-1")}</loc></url>
</urlset>"""
    site.page(
        "/news-sitemap.xml.gz",
        gzip.compress(news_sitemap.encode()),
        content_type="application/gzip",
    )
    site.page(
        "/sitemap_index.xml",
        f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/news-sitemap.xml.gz</loc></sitemap></sitemapindex>""".encode(),
        content_type="application/xml",
    )
    return room


def _text(body: str):  # type: ignore[no-untyped-def]
    from tests.site import Response

    return Response(body=body.encode(), headers={"Content-Type": "text/plain"})
