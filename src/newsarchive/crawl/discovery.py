"""Discovery: the feeds and sitemaps of due sources (and the sitemaps their robots.txt names),
read with conditional GET, and every new article URL queued in the archive.frontier."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.crawl.politeness import Politeness
from newsarchive.db.models import Source
from newsarchive.db.session import session_scope
from newsarchive.errors import Failed, IngestError, Skipped
from newsarchive.fetch.http import Fetcher
from newsarchive.fetch.listings import Entry
from newsarchive.fetch.listings import parse as parse_listing
from newsarchive.fetch.urls import is_http_url, normalize, without_tracking
from newsarchive.ingest.runs import RunLog

LISTINGS = archive.LISTING_FAILURES  # how a listing's failure reason starts
MAX_SITEMAPS = 200  # child sitemaps followed from the indexes under one listed sitemap
MAX_SITEMAP_DEPTH = 3
Progress = Callable[[str, int], None]  # ("discovered", n) or ("stored" | "duplicate" | ..., 1)


class Discovery:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        fetcher: Fetcher,
        politeness: Politeness,
        run_log: RunLog,
        *,
        clock: Callable[[], datetime],
        progress: Progress,
    ) -> None:
        self.sessions = sessions
        self.fetcher = fetcher
        self.politeness = politeness
        self.run_log = run_log
        self.clock = clock
        self.progress = progress
        self._sitemaps_left = MAX_SITEMAPS

    def discover(self, source: Source, *, forced: bool) -> None:
        """Read the source's feeds and sitemaps (and those its robots.txt names). When none
        could be read, the run does not count as the source's crawl: it stays due."""
        now, before = self.clock(), source.last_crawled_at
        due_before = None if forced else now - timedelta(minutes=source.interval_minutes)
        with session_scope(self.sessions) as session:
            if not archive.mark_crawled(session, source.id, now, due_before):
                return  # another worker is discovering this source
            feeds = [(f.id, f.kind, f.url, f.etag, f.last_modified) for f in source.feeds]
        read = [self._read_listing(source.id, *feed) for feed in feeds]
        if source.home_url:
            known = {url for _i, kind, url, _e, _l in feeds if kind == "sitemap"}
            read += self._home_sitemaps(source.id, source.home_url, known, alone=not feeds)
        if read and not any(read):
            with session_scope(self.sessions) as session:
                archive.unmark_crawled(session, source.id, now, before)

    def _read_listing(
        self,
        source_id: int,
        feed_id: int | None,
        kind: str,
        url: str,
        etag: str | None,
        last_modified: str | None,
        depth: int = 0,
    ) -> bool:
        """True when the listing was read (or had not changed)."""
        if depth == 0:  # each listed feed or sitemap has its own budget of child sitemaps
            self._sitemaps_left = MAX_SITEMAPS
        error: str | None = None
        try:
            if not is_http_url(url):  # a robots.txt Sitemap line or an index's <loc>: web input
                raise Failed(f"not an http URL: {url[:200]}")
            if not self.politeness.allowed(url):
                raise Skipped("disallowed by robots.txt")
            result = self.fetcher.fetch(
                url,
                html_only=False,
                etag=etag,
                last_modified=last_modified,
                check_hop=self.politeness.check_redirect,
                before_request=self.politeness.wait_for_host,
                after_response=self.politeness.hold_host,
            )
            if not result.not_modified:
                listing = parse_listing(
                    result.body, result.final_url, kind, content_type=result.content_type
                )
                self._enqueue(source_id, feed_id, kind, listing.entries)
                for child in listing.sitemaps:
                    if depth >= MAX_SITEMAP_DEPTH or self._sitemaps_left <= 0:
                        break
                    self._sitemaps_left -= 1
                    self._read_listing(source_id, feed_id, "sitemap", child, None, None, depth + 1)
            etag, last_modified = result.etag, result.last_modified
        except IngestError as exc:
            error = exc.reason
            self.run_log.feed_failed(url, exc.outcome, f"{kind}: {exc.reason}", source_id)
        if feed_id is not None and depth == 0:
            with session_scope(self.sessions) as session:
                archive.record_feed_check(
                    session,
                    feed_id,
                    at=self.clock(),
                    error=error,
                    etag=etag,
                    last_modified=last_modified,
                )
        return error is None

    def _enqueue(
        self, source_id: int, feed_id: int | None, kind: str, entries: list[Entry]
    ) -> None:
        urls = []
        for entry in entries:
            try:
                key = normalize(entry.url)
            except IngestError:
                continue
            urls.append(
                archive.frontier.NewURL(
                    url=without_tracking(entry.url),
                    url_normalized=key,
                    host=urlsplit(key).netloc,
                    source_id=source_id,
                    feed_id=feed_id,
                    hint_title=entry.title,
                    hint_date=entry.published,
                    hint_date_source=kind if entry.published else None,
                )
            )
        with session_scope(self.sessions) as session:
            added = archive.frontier.enqueue(session, urls, self.clock())
            self.run_log.add({"discovered": added} if added else {}, source_id, session)
        if added:
            self.progress("discovered", added)

    def _home_sitemaps(
        self, source_id: int, home_url: str, known: set[str], *, alone: bool
    ) -> list[bool]:
        """The sitemaps robots.txt names, read; each one's success. A source with only a home
        page whose robots.txt cannot be read or names none has found nothing: said, not silent."""
        parts = urlsplit(home_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        robots = f"{origin}/robots.txt"
        try:
            rules = self.politeness.robots_for(origin)
        except IngestError as exc:
            reason = f"robots.txt: {exc.reason.removeprefix('robots.txt ')}"
            self.run_log.feed_failed(robots, exc.outcome, reason, source_id)
            return [False]
        sitemaps = [s for s in (rules.sitemaps if rules is not None else ()) if s not in known]
        if not sitemaps and alone:
            why = self.politeness.refusal(origin) or "names no sitemap"
            reason = f"robots.txt: {why}; the source has only a home page, so nothing was found"
            self.run_log.feed_failed(robots, "skipped", reason, source_id)
            return [False]
        return [self._read_listing(source_id, None, "sitemap", s, None, None) for s in sitemaps]
