"""Feed lists in and out as OPML, the format every feed reader (Miniflux among them) imports and
exports: a source per site, its feeds the outlines that share a title, each source then checked
as one typed in (SourceIn). OPML is outlines with attributes; the standard library's parser
reads it (listparser, made for feed lists, drops each outline's htmlUrl, the source's home).
Expat expands no external entities and refuses entity bombs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from newsarchive.errors import InvalidInput
from newsarchive.fetch.urls import host_of, is_http_url
from newsarchive.inputs.sources import SourceIn, checked

MAX_BYTES = 5_000_000  # an OPML file of this size lists tens of thousands of feeds


@dataclass(frozen=True)
class FeedList:
    sources: list[SourceIn]
    refused: list[str]  # outlines left out, and why


def read_opml(data: bytes) -> FeedList:
    """The sources an OPML file lists: outlines grouped by their title (a site's feeds share
    it), each group's home the first htmlUrl given. InvalidInput when it is no feed list."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_BYTES:,} bytes")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InvalidInput(f"not an OPML file: {exc}") from None
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl") is not None]
    if root.tag != "opml" or not outlines:
        raise InvalidInput("not an OPML feed list: no <outline> with an xmlUrl")
    grouped: dict[str, dict[str, list[str]]] = {}
    refused: list[str] = []
    for outline in outlines:
        url = (outline.get("xmlUrl") or "").strip()
        if not is_http_url(url):
            refused.append(f"{url[:200] or '(empty xmlUrl)'}: not an http(s) URL")
            continue
        title = outline.get("title") or outline.get("text") or ""
        name = " ".join(title.split()) or host_of(url)
        group = grouped.setdefault(name, {"feeds": [], "home": []})
        if url not in group["feeds"]:
            group["feeds"].append(url)
        home = (outline.get("htmlUrl") or "").strip()
        if home and is_http_url(home) and not group["home"]:
            group["home"].append(home)
    sources: list[SourceIn] = []
    for name, group in grouped.items():
        given = {
            "name": name[:200],
            "feeds": group["feeds"],
            "home": next(iter(group["home"]), None),
        }
        try:
            sources.append(checked(SourceIn, given))
        except InvalidInput as exc:
            refused.append(f"{name}: {exc.detail}")
    return FeedList(sources, refused)


def write_opml(sources: Iterable[tuple[str, str | None, list[str]]], title: str) -> str:
    """An OPML 2.0 document of (name, home, feed URLs): one outline per feed, as feed readers
    write them (a source's sitemaps have no place in OPML and are left out)."""
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(opml, "body")
    for name, home, feeds in sources:
        for url in feeds:
            outline = {"type": "rss", "text": name, "title": name, "xmlUrl": url}
            ET.SubElement(body, "outline", outline | ({"htmlUrl": home} if home else {}))
    ET.indent(opml)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(opml, encoding="unicode") + "\n"


def listed(sources: Iterable[Any]) -> list[tuple[str, str | None, list[str]]]:
    """What an OPML export lists of these sources: their feeds (sitemaps and the sources made
    from single pages have no place in a feed reader)."""
    return [
        (s.name, s.home_url, [f.url for f in s.feeds if f.kind == "feed"])
        for s in sources
        if not s.auto_created
    ]
