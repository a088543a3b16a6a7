"""Read pages from local files: .html, .htm, .html.gz and .warc/.warc.gz/.arc (no db).

Each file yields Page items, or one LocalError when the file itself is broken; a broken
file never stops the files after it.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newsarchive.errors import LocalError, brief
from newsarchive.fetch.http import HTML_TYPES, parse_content_type
from newsarchive.fetch.page import Page
from newsarchive.fetch.urls import is_http_url

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def supported(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES + WARC_SUFFIXES)


def read_path(
    path: Path, *, base_url: str | None = None, max_bytes: int = 10_000_000
) -> Iterator[Page | LocalError]:
    name = path.name.lower()
    try:
        if name.endswith(WARC_SUFFIXES):
            yield from _read_warc(path, max_bytes)
        elif name.endswith(HTML_SUFFIXES):
            yield _read_html(path, base_url, max_bytes)
        else:
            yield LocalError(
                str(path), "unsupported file type (want .html, .html.gz, .warc, .warc.gz)"
            )
    except (OSError, EOFError, zlib.error, ArchiveLoadFailed, ValueError) as exc:
        yield LocalError(str(path), brief(f"unreadable file: {type(exc).__name__}: {exc}"))


def _read_html(path: Path, base_url: str | None, max_bytes: int) -> Page | LocalError:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        body = handle.read(max_bytes + 1)
    if len(body) > max_bytes:
        return LocalError(str(path), f"larger than {max_bytes} bytes")
    fallback = urljoin(base_url, quote(path.name.removesuffix(".gz"))) if base_url else None
    return Page(label=str(path), body=body, fallback_url=fallback)


def _read_warc(path: Path, max_bytes: int) -> Iterator[Page | LocalError]:
    """HTML 'response' and 'resource' records; requests, metadata and non-HTML are ignored."""
    if not _looks_like_archive(path):
        yield LocalError(str(path), "not a WARC or ARC file (no WARC/ or filedesc:// header)")
        return
    with path.open("rb") as stream:
        for record in _records(stream):
            if record.rec_type not in ("response", "resource"):
                continue
            target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
            if record.rec_type == "response":
                if record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                header = record.http_headers.get_header("Content-Type")
            else:
                status, header = "200", record.rec_headers.get_header("Content-Type")
            content_type, charset = parse_content_type(header)
            if content_type not in HTML_TYPES:
                continue
            label = f"{target} in {path}" if target else f"{path} (record without target URI)"
            if target and not is_http_url(target):
                yield LocalError(label, "the record's target URI is not an http(s) URL")
                continue
            if status != "200":
                yield LocalError(label, f"archived response was HTTP {status}")
                continue
            body = record.content_stream().read(max_bytes + 1)
            if len(body) > max_bytes:
                yield LocalError(label, f"larger than {max_bytes} bytes")
                continue
            yield Page(
                label=label,
                body=body,
                url=target or None,
                charset=charset,
                content_type=content_type,
            )


def _records(stream: BinaryIO) -> Iterator[ArcWarcRecord]:
    """The archive's records, without warcio's notes on stderr: a record whose length was off
    is read as warcio recovers it, and what cannot be read fails the file with its reason."""
    records = iter(ArchiveIterator(stream, arc2warc=True))
    while True:
        with redirect_stderr(io.StringIO()):
            record = next(records, None)
        if record is None:
            return
        yield record


def _looks_like_archive(path: Path) -> bool:
    """warcio reads any text as an ARC record; check the first record's header ourselves."""
    with path.open("rb") as raw:
        head = raw.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as stream:
        start = stream.read(16).lstrip()
    return start.startswith((b"WARC/", b"filedesc://"))
