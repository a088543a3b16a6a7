"""The one ingest stage that stores: fetched or imported page -> extracted article -> row.

Each page is stored in its own transaction, together with its raw bytes, so a failure or a
killed process never leaves half an article and never loses one already stored.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.base import utc_now
from newsarchive.db.session import session_scope
from newsarchive.errors import IngestError, Interrupted, LocalError, NotFound, Skipped
from newsarchive.extract.article import ExtractedArticle
from newsarchive.fetch.files import read_path
from newsarchive.fetch.http import Fetcher
from newsarchive.fetch.page import Hint, Page, fetched_page
from newsarchive.fetch.urls import host_of, is_home_page, normalize, without_tracking
from newsarchive.ingest import revisits
from newsarchive.ingest.dating import choose_date
from newsarchive.ingest.outcome import Outcome
from newsarchive.ingest.prepare import Extractor, Prepared, guarded, prepare
from newsarchive.ingest.revisions import Version, changed_fields, next_revisit
from newsarchive.stories.grouping import group

log = logging.getLogger(__name__)

UTC_DAYS = archive.DayRule()


class Pipeline:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        fetcher: Fetcher | None = None,
        max_bytes: int = 10_000_000,
        clock: Callable[[], datetime] = utc_now,
        extractor: Extractor | None = None,
        days: archive.DayRule = UTC_DAYS,
        revisit_after: Sequence[timedelta] = (),
    ) -> None:
        """``extractor`` runs ``prepare`` (trafilatura and compression, the CPU-heavy part); the
        crawler passes one that runs it in a process pool. ``revisit_after``: when a crawl
        fetches a page stored from the web again (ingest/revisions.py)."""
        self.sessions = sessions
        self.fetcher = fetcher
        self.max_bytes = max_bytes
        self.clock = clock
        self.extractor = guarded(extractor or prepare)
        self.days = days  # which calendar day the date archive files an article under
        self.revisit_after = tuple(revisit_after)

    # --- entry points ---------------------------------------------------------------------

    def ingest_url(self, url: str) -> Outcome:
        if self.fetcher is None:
            raise RuntimeError("Pipeline.ingest_url needs a fetcher")
        try:
            key = normalize(url)
            with self.sessions() as session:
                existing = archive.find_duplicate(session, url_keys=[key])
            if existing is not None:  # asked for again: what changed since?
                try:
                    return replace(revisits.revisit_now(self, existing), label=url)
                except NotFound:
                    pass  # deleted meanwhile: stored afresh below
            result = self.fetcher.fetch(url)
        except IngestError as exc:
            return Outcome(url, exc.outcome, exc.reason)  # type: ignore[arg-type]
        return self.store(fetched_page(url, result))

    def import_paths(
        self, paths: Iterable[Path], *, base_url: str | None = None
    ) -> Iterator[Outcome]:
        for path in paths:
            found = False
            for item in read_path(path, base_url=base_url, max_bytes=self.max_bytes):
                found = True
                if isinstance(item, LocalError):
                    yield Outcome(item.label, "failed", item.reason)
                else:
                    yield self.store(item)
            if not found:
                yield Outcome(str(path), "skipped", "no HTML pages found in this file")

    def store(self, page: Page) -> Outcome:
        """Extract and store one page; any problem becomes an Outcome, never an exception."""
        try:
            prepared = self.extractor(page, self.clock())
            extracted = prepared.extracted
            url = page.url or extracted.canonical_url or page.fallback_url
            if url is None:
                raise Skipped("no URL: the page has no canonical link; pass --base-url")
            url = without_tracking(url)
            return self._save(page, prepared, url)
        except Interrupted:
            raise
        except IngestError as exc:
            return Outcome(page.label, exc.outcome, exc.reason)  # type: ignore[arg-type]

    def reextract(self, article_id: int) -> Outcome:
        """Run extraction again on the stored raw page and update the article in place; its
        identity (URLs, source) stays, and so does a date from a feed or a sitemap unless the
        page itself now gives one (a date in the URL does not replace it)."""
        with self.sessions() as session:
            article = archive.get_article(session, article_id)
            kept_source = article.date_source
            raw = archive.get_raw(session, article_id)
            if raw is None or not raw.body:
                return Outcome(article.url, "skipped", "no raw page stored for this article")
            page = Page(
                label=article.url,
                body=zlib.decompress(raw.body),
                url=article.url,
                charset=raw.charset,
                content_type=raw.content_type,
            )
        try:
            prepared = self.extractor(page, self.clock())
        except Interrupted:
            raise
        except IngestError as exc:
            return Outcome(page.label, exc.outcome, exc.reason)  # type: ignore[arg-type]
        extracted = prepared.extracted
        values = _content(extracted) | {"updated_at": self.clock()}
        # a date from a feed or a sitemap stays unless the page itself now gives one
        dated = choose_date(extracted, self.days.zone, self.clock(), held=kept_source)
        values |= dated or {}
        with session_scope(self.sessions) as session:
            archive.update_article(session, article_id, values, self.days)
            day = archive.get_article(session, article_id).published_day
            group(session, article_id, prepared.signature, day)  # the text may have changed
        return Outcome(page.label, "stored", "re-extracted", article_id=article_id)

    def revise(self, article_id: int, page: Page) -> Outcome:
        """A revisit's page against the stored article: when its title, text, authors or date
        changed, a new revision (every version is kept; the article row shows the newest, its
        archive day stays); else nothing but the page's new validators."""
        try:
            prepared = self.extractor(page, self.clock())
        except Interrupted:
            raise
        except IngestError as exc:
            return Outcome(page.label, exc.outcome, exc.reason)  # type: ignore[arg-type]
        extracted, now = prepared.extracted, self.clock()
        # a version's date is the one its page gives (the row keeps its first day)
        dated = choose_date(extracted, self.days.zone, now, held="page")
        published = dated["published_at"] if dated else None
        new = Version(extracted.title, extracted.text, tuple(extracted.authors), published)
        try:
            with session_scope(self.sessions) as session:
                article = archive.get_article(session, article_id)
                # the newest version as its page gave it (the row keeps the first day, and a
                # title from the feed where the page had none)
                last = archive.latest_revision(session, article_id)
                old = (
                    Version(last.title, last.text, tuple(last.authors), last.published_at)
                    if last is not None
                    else Version(
                        article.title,
                        article.text,
                        tuple(article.authors),
                        article.published_at if article.date_source == "page" else None,
                    )
                )
                changed = changed_fields(old, new)
                if not changed:
                    archive.keep_validators(session, article_id, page.etag, page.last_modified)
                    return Outcome(page.label, "unchanged", article_id=article_id)
                version: dict[str, Any] = {"title": new.title, "text": new.text}
                version |= {"authors": list(new.authors), "published_at": new.published_at}
                values = _content(extracted) | _titled(extracted, article.title, article.title_rule)
                archive.add_revision(
                    session,
                    article,
                    values,
                    version=version | {"changed": changed},
                    raw=_raw_row(page, prepared),
                    now=now,
                )
                if "text" in changed:
                    group(session, article_id, prepared.signature, article.published_day)
        except IntegrityError:
            return Outcome(page.label, "failed", "its new text is another stored article's")
        return Outcome(page.label, "revised", ", ".join(changed), article_id=article_id)

    def _first_revisit(self, page: Page) -> dict[str, Any]:
        if not page.live:
            return {}
        now = self.clock()
        return {"revisit_at": next_revisit(now, 0, self.revisit_after, now)}

    # --- storing --------------------------------------------------------------------------

    def _save(self, page: Page, prepared: Prepared, url: str) -> Outcome:
        extracted = prepared.extracted
        url_normalized = normalize(url)
        url_key = _identity(url_normalized, extracted.canonical_url)
        keys = sorted({url_key, url_normalized})
        try:
            with session_scope(self.sessions) as session:
                existing = archive.find_duplicate(session, url_keys=keys)
                if existing is not None:
                    return Outcome(page.label, "duplicate", article_id=existing)
                source_id = page.source_id or archive.source_for_host(session, host_of(url_key)).id
                copied = archive.find_duplicate(
                    session, url_keys=[], content_hash=extracted.content_hash
                )
                if copied is not None:  # the same text at another URL: the article's reach
                    archive.record_copy(
                        session,
                        copied,
                        url=url,
                        url_key=url_key,
                        source_id=source_id,
                        now=self.clock(),
                    )
                    return Outcome(page.label, "duplicate", "a copy", article_id=copied)
                row = _article_row(
                    extracted,
                    page.hint,
                    url,
                    url_normalized,
                    url_key,
                    source_id,
                    self.clock(),
                    self.days,
                )
                row |= self._first_revisit(page)
                article_id = archive.add_article(
                    session, self.days, row, _raw_row(page, prepared), own_story=False
                )
                day = archive.day_of_row(self.days, row)
                # after the insert, which on SQLite holds the write lock (grouping.group)
                group(session, article_id, prepared.signature, day, new=True)
                return Outcome(page.label, "stored", article_id=article_id)
        except IntegrityError:
            # A concurrent worker stored the same article between our check and our insert.
            with self.sessions() as session:
                existing = archive.find_duplicate(
                    session, url_keys=keys, content_hash=extracted.content_hash
                )
            if existing is None:
                raise
            return Outcome(page.label, "duplicate", article_id=existing)


def _raw_row(page: Page, prepared: Prepared) -> dict[str, Any]:
    return {
        "body": prepared.raw,
        "size": len(page.body),
        "content_type": page.content_type,
        "charset": prepared.extracted.charset,
        "etag": page.etag,
        "last_modified": page.last_modified,
    }


def _identity(url_normalized: str, canonical: str | None) -> str:
    """The canonical URL, unless it is missing, malformed, or points at a site's home page
    (some sites declare '/' or '/home' as every page's canonical, which would merge all their
    articles; a WordPress '/?p=2895' is the article's own address)."""
    if not canonical:
        return url_normalized
    try:
        key = normalize(canonical)
    except IngestError:
        return url_normalized
    if is_home_page(key) and not is_home_page(url_normalized):
        return url_normalized
    return key


def _content(extracted: ExtractedArticle) -> dict[str, Any]:
    """The columns extraction decides (what re-extraction may change)."""
    return {
        "title": extracted.title,
        "declared_title": extracted.declared_title,
        "title_rule": extracted.title_rule,
        "text": extracted.text,
        "description": extracted.description,
        "authors": list(extracted.authors),
        "language": extracted.language,
        "site_name": extracted.site_name,
        "tags": list(extracted.tags),
        "categories": list(extracted.categories),
        "top_image": extracted.top_image,
        "word_count": extracted.word_count,
        "content_hash": extracted.content_hash,
        "modified_at": extracted.modified_at,
    }


def _titled(extracted: ExtractedArticle, title: str | None, rule: str | None) -> dict[str, Any]:
    """The page's own title and the rule that chose it; where the page gave none, `title`
    (the stored one, or the feed's) and its rule."""
    if extracted.title:
        return {"title": extracted.title, "title_rule": extracted.title_rule}
    return {"title": title, "title_rule": rule if title else None}


def _article_row(
    extracted: ExtractedArticle,
    hint: Hint | None,
    url: str,
    url_normalized: str,
    url_key: str,
    source_id: int,
    now: datetime,
    days: archive.DayRule,
) -> dict[str, Any]:
    """The row of a new article (its date: ingest/dating.py)."""
    dated = choose_date(extracted, days.zone, now, hint=hint)
    assert dated is not None  # a new article is at least dated when first seen
    return {
        "source_id": source_id,
        "url": url,
        "url_normalized": url_normalized,
        "canonical_url": extracted.canonical_url,
        "url_key": url_key,
        **_content(extracted),
        **_titled(extracted, hint.title if hint else None, "feed or sitemap"),
        **dated,
        "first_seen_at": now,
        "fetched_at": now,
        "updated_at": now,
    }
