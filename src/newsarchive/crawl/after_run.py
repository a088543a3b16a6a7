"""What a crawl does once its pages are in: judge the health of each source it took in hand
(watch/rules.py), queue each saved search's new matches, then send the webhooks that are due
(watch/webhooks.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.fetch.http import Fetcher
from newsarchive.watch import saved_searches, source_health, webhooks

log = logging.getLogger(__name__)


def review_run(
    sessions: sessionmaker[Session], run_id: int, clock: Callable[[], datetime], webhook: str | None
) -> None:
    """Each source the run took in hand judged (its alerts to `webhook`), each saved search's
    new matches queued, in one transaction."""
    with session_scope(sessions) as session:
        for source_id in archive.run_source_ids(session, run_id):
            opened = source_health.evaluate(
                session, source_id, clock(), run_id=run_id, webhook=webhook
            )
            for alert in opened:
                log.warning(
                    "alert opened",
                    extra={"source": source_id, "kind": alert.kind, "why": alert.message},
                )
        saved_searches.deliver_new_matches(session, clock())


def deliver(
    sessions: sessionmaker[Session],
    new_poster: Callable[[], Fetcher],
    secret: str | None,
    clock: Callable[[], datetime],
) -> None:
    """Webhooks queued by this run or left by others, within webhooks.BUDGET seconds."""
    try:
        with new_poster() as poster:
            webhooks.deliver_due(sessions, poster, secret=secret, clock=clock)
    except Exception:  # noqa: BLE001  (a webhook problem must not fail a finished run)
        log.exception("webhook delivery stopped; the rest waits for the next run")
