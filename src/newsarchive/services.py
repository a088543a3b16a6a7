"""From settings to services: the one place where the entry points (the API, the admin page, the
CLI) turn `Settings` into a day rule, a fetcher, a pipeline or a crawler. The services themselves
take plain values, so they are built the same way everywhere and tested without the environment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.db.base import utc_now
from newsarchive.fetch.http import Fetcher

if TYPE_CHECKING:  # (imported where they are built: extraction loads trafilatura, 1 s)
    from newsarchive.crawl.crawler import Crawler
    from newsarchive.crawl.discovery import Progress
    from newsarchive.ingest.outcome import Outcome
    from newsarchive.ingest.pipeline import Pipeline


def day_rule(settings: Settings) -> archive.DayRule:
    return archive.DayRule(settings.zone, settings.archive_tz_force)


def fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        user_agent=settings.agent,
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_page_bytes,
        max_redirects=settings.max_redirects,
        allow_private=settings.allow_private_hosts,
        retries=settings.fetch_retries,
    )


def poster(settings: Settings) -> Fetcher:
    """For webhooks: the fetcher's address rules, a short timeout, no retries (a delivery is
    tried again at a later run)."""
    return Fetcher(
        user_agent=settings.agent, timeout=5.0, allow_private=settings.allow_private_hosts
    )


def pipeline(
    settings: Settings, sessions: sessionmaker[Session], page_fetcher: Fetcher | None = None
) -> Pipeline:
    from newsarchive.ingest.pipeline import Pipeline

    return Pipeline(
        sessions,
        fetcher=page_fetcher,
        max_bytes=settings.max_page_bytes,
        days=day_rule(settings),
        revisit_after=settings.revisit_schedule,
    )


def crawler(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Crawler:
    from newsarchive.crawl.contract import CrawlOptions
    from newsarchive.crawl.crawler import Crawler

    options = CrawlOptions(
        database_url=settings.database_url,
        concurrency=settings.concurrency,
        extract_workers=settings.extract_workers,
        extract_timeout=settings.extract_timeout,
        host_delay=settings.host_delay,
        max_wait=settings.crawl_max_wait,
        lease=timedelta(seconds=settings.crawl_lease),
        user_agent=settings.agent,
        max_page_bytes=settings.max_page_bytes,
        revisit_after=settings.revisit_schedule,
        alert_webhook=settings.alert_webhook,
        webhook_secret=settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else None,
    )
    return Crawler(
        sessions,
        options,
        new_fetcher=lambda: fetcher(settings),
        new_poster=lambda: poster(settings),
        days=day_rule(settings),
        progress=progress,
        stop=stop,
        clock=clock,
    )


def revisit(
    settings: Settings, sessions: sessionmaker[Session], article_ids: list[int]
) -> list[Outcome]:
    """Revisit these stored articles now, as one recorded run ("revisit"): the API's, the admin
    page's and the CLI's "revisit now". An id not stored is a failed outcome of its own."""
    from newsarchive.errors import NotFound
    from newsarchive.ingest.outcome import Outcome
    from newsarchive.ingest.revisits import revisit_now
    from newsarchive.ingest.runs import recorded

    outcomes: list[Outcome] = []
    with fetcher(settings) as page_fetcher, recorded(sessions, "revisit") as run:
        work = pipeline(settings, sessions, page_fetcher)
        for article_id in article_ids:
            try:
                outcome = revisit_now(work, article_id)
            except NotFound as exc:
                outcome = Outcome(f"article {article_id}", "failed", exc.detail)
            run.count(outcome)
            outcomes.append(outcome)
    return outcomes
