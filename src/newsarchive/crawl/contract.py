"""What a crawl is given and what it answers: its options (the settings of the same names,
as plain values) and its report (the run's counters, as the CLI prints them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class CrawlReport:
    run_id: int
    status: str
    counts: dict[str, int]  # every one of RUN_COUNTERS
    feed_error: str | None = None  # the first feed or sitemap that could not be read, and why

    def line(self) -> str:
        c = self.counts
        line = f"run {self.run_id} {self.status}: " + ", ".join(
            f"{name} {c[name]}"
            for name in ("discovered", "fetched", "stored", "duplicates", "skipped", "failed")
        )
        if c["revisited"]:
            line += f"; revisited {c['revisited']}, revised {c['revised']}"
        if c["feeds_failed"]:
            line += f"; feeds or sitemaps failed {c['feeds_failed']} (first: {self.feed_error})"
        return line


@dataclass(frozen=True)
class CrawlOptions:
    """How a crawl behaves (the NEWSARCHIVE_ settings of the same names)."""

    database_url: str  # SQLite: one crawl at a time on this file
    concurrency: int = 4  # fetching threads
    extract_workers: int | None = None  # processes; None: one per core, 0: extract inline
    host_delay: float = 1.0  # seconds between two requests to one host
    max_wait: float = 30.0  # a URL not ready within this many seconds waits for a later run
    lease: timedelta = timedelta(minutes=5)  # a claim not closed by then is free again
    user_agent: str = "newsarchive"  # for robots.txt
    max_page_bytes: int = 10_000_000
    extract_timeout: float = 20.0  # seconds one page may take in extraction
    revisit_after: tuple[timedelta, ...] = ()  # revisits of stored articles; () none
    alert_webhook: str | None = None  # where health alerts are POSTed
    webhook_secret: str | None = None  # signs them
