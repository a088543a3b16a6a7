"""Webhooks: JSON POSTed to a receiver, signed, tried again with backoff, logged. Events are
queued in the transaction that decides them (so none is lost or sent for something undone), and
sent after a crawl run within a time budget, so a slow or dead receiver never slows the crawl's
work; what is left waits for the next run."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.session import session_scope
from newsarchive.errors import IngestError, brief
from newsarchive.fetch.http import Fetcher

MAX_ATTEMPTS = 6  # then the delivery is given up (and stays in the log)
BACKOFF = timedelta(minutes=1)  # 1, 2, 4, 8, 16 minutes between tries
LEASE = timedelta(minutes=5)  # an attempt in hand, hidden from other workers
BUDGET = 10.0  # seconds of sending after a run


def body(event: str, data: dict[str, Any]) -> str:
    return json.dumps({"event": event, **data}, default=_iso, sort_keys=True)


def _iso(value: Any) -> str:
    """Times as ISO 8601 ('2026-12-04T19:27:16+00:00'), as everywhere else the archive answers."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def signature(secret: str, timestamp: str, delivery: str, payload: bytes) -> str:
    """X-Newsarchive-Signature: "sha256=" and the hex HMAC-SHA256 of the timestamp, the
    delivery id and the body, joined by dots: a receiver that checks the timestamp is recent
    cannot be replayed old events, and one that drops repeated ids cannot be replayed a
    captured one under another id."""
    signed = f"{timestamp}.{delivery}.".encode() + payload
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def queue(
    session: Session, url: str | None, event: str, data: dict[str, Any], now: datetime
) -> None:
    if url:
        archive.queue_delivery(session, url, event, body(event, data), now)


def deliver_due(
    sessions: sessionmaker[Session],
    poster: Fetcher,
    *,
    secret: str | None,
    clock: Any,
    budget: float = BUDGET,
) -> int:
    """Send what is due, oldest first, until done or out of time; returns how many arrived."""
    started, arrived, failing = time.monotonic(), 0, set()
    with sessions() as session:
        due = [(d.id, d.url, d.body, d.attempts) for d in archive.due_deliveries(session, clock())]
    for delivery_id, url, payload, attempts in due:
        if time.monotonic() - started > budget:
            break
        if url in failing:
            continue  # one dead receiver does not use up the others' time
        now = clock()
        with session_scope(sessions) as session:
            if not archive.claim_delivery(session, delivery_id, now, now + LEASE):
                continue  # another worker has it
        error = _post(poster, delivery_id, url, payload.encode(), secret)
        if error is not None:
            failing.add(url)
        retry_at = None
        if error is not None and attempts + 1 < MAX_ATTEMPTS:
            retry_at = clock() + BACKOFF * 2**attempts
        with session_scope(sessions) as session:
            archive.delivery_done(session, delivery_id, now=clock(), error=error, retry_at=retry_at)
        arrived += error is None
    return arrived


def _post(
    poster: Fetcher, delivery_id: int, url: str, payload: bytes, secret: str | None
) -> str | None:
    """The error, or None when the receiver took it (2xx)."""
    timestamp = str(int(time.time()))
    headers = {"X-Newsarchive-Delivery": str(delivery_id), "X-Newsarchive-Timestamp": timestamp}
    if secret:
        headers["X-Newsarchive-Signature"] = signature(secret, timestamp, str(delivery_id), payload)
    try:
        status = poster.post_json(url, payload, headers)
    except IngestError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001  (one bad receiver must not stop the others)
        return brief(f"{type(exc).__name__}: {exc}")
    return None if 200 <= status < 300 else f"HTTP {status}"
