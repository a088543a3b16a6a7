"""A page made ready to store, pure (no database, no I/O): extraction, the compressed raw page
and the story signature, the CPU-heavy part of storing. Its own module so that an extraction
process loads only this and the extraction code (crawl/forkserver_preload.py), not the store's.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from newsarchive.errors import Failed, IngestError
from newsarchive.extract.article import ExtractedArticle, extract
from newsarchive.fetch.page import Page
from newsarchive.stories.signatures import signature

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    extracted: ExtractedArticle
    raw: bytes  # the page, zlib-compressed for article_raw
    signature: bytes | None = None  # the text's MinHash, for its story (stories/signatures.py)


Extractor = Callable[[Page, datetime], Prepared]


def guarded(extractor: Extractor) -> Extractor:
    """An exception other than IngestError is a bug (ours or a library's) met on an odd page: it
    becomes that page's recorded failure, not the end of the run (the next would end there too)."""

    def run(page: Page, now: datetime) -> Prepared:
        try:
            return extractor(page, now)
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001  (see above)
            log.exception("extraction raised", extra={"page": page.label})
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            raise Failed(f"extraction failed ({detail})") from exc

    return run


def prepare(page: Page, now: datetime) -> Prepared:
    """Free of I/O so that it can run in another process (crawl/pool.py)."""
    extracted = extract(page.body, page.url, charset=page.charset, now=now)
    return Prepared(extracted, zlib.compress(page.body, 6), signature(extracted.text))
